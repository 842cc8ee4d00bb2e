/* Focal point picker for the image library: click the preview to set focal_x/focal_y. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const picker = document.querySelector(".focal-point-picker");
  const inputX = document.getElementById("id_focal_x");
  const inputY = document.getElementById("id_focal_y");
  const fileInput = document.getElementById("id_file");
  if (!picker || !inputX || !inputY) return;

  const img = document.createElement("img");
  img.alt = "Click the point that must stay in view";
  const marker = document.createElement("span");
  marker.className = "focal-point-marker";
  marker.hidden = true;

  function show(src) {
    if (!src) return;
    img.src = src;
    picker.replaceChildren(img, marker);
    place();
  }

  function place() {
    const x = parseFloat(inputX.value);
    const y = parseFloat(inputY.value);
    marker.hidden = Number.isNaN(x) || Number.isNaN(y);
    if (!marker.hidden) {
      marker.style.left = `${x * 100}%`;
      marker.style.top = `${y * 100}%`;
    }
  }

  img.addEventListener("click", (event) => {
    const box = img.getBoundingClientRect();
    const clamp = (value) => Math.min(Math.max(value, 0), 1).toFixed(3);
    inputX.value = clamp((event.clientX - box.left) / box.width);
    inputY.value = clamp((event.clientY - box.top) / box.height);
    place();
  });
  inputX.addEventListener("input", place);
  inputY.addEventListener("input", place);
  if (fileInput) {
    fileInput.addEventListener("change", () => {
      const file = fileInput.files && fileInput.files[0];
      if (file) show(URL.createObjectURL(file));
    });
  }
  show(picker.dataset.src);
});
