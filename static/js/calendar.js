/* The week's schedule: drag a scheduled article to another day to move it there at the same time
   of day. The drop fills the article's own "Move to" form and sends it, so the move goes through
   the reschedule step and its checks as the form does; without this script, or from the
   keyboard, the form is the way. */
(function () {
  "use strict";
  var calendar = document.querySelector(".calendar[data-movable]");
  if (!calendar) return;
  var status = document.getElementById("calendar-status");
  var dragged = null;

  function formOf(entry) { return entry && entry.querySelector("form.calendar-move"); }
  function dayOf(node) { return node && node.closest && node.closest(".calendar-day[data-date]"); }

  calendar.querySelectorAll(".calendar-entry[draggable=true]").forEach(function (entry) {
    // Selecting text in the time input must not start a drag.
    entry.addEventListener("pointerdown", function (event) {
      entry.draggable = !event.target.closest("input, button");
    });
    entry.addEventListener("dragstart", function (event) {
      dragged = entry;
      entry.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", entry.dataset.headline || "");
    });
    entry.addEventListener("dragend", function () {
      entry.classList.remove("dragging");
      calendar.querySelectorAll(".drop-target").forEach(function (day) { day.classList.remove("drop-target"); });
      dragged = null;
    });
  });

  calendar.addEventListener("dragover", function (event) {
    var day = dayOf(event.target);
    if (!dragged || !day) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    calendar.querySelectorAll(".drop-target").forEach(function (other) { if (other !== day) other.classList.remove("drop-target"); });
    day.classList.add("drop-target");
  });
  calendar.addEventListener("dragleave", function (event) {
    var day = dayOf(event.target);
    if (day && !day.contains(event.relatedTarget)) day.classList.remove("drop-target");
  });
  calendar.addEventListener("drop", function (event) {
    var day = dayOf(event.target), form = formOf(dragged);
    if (!day || !form) return;
    event.preventDefault();
    day.classList.remove("drop-target");
    var input = form.elements.namedItem("when");
    var time = (input.value.trim().split(/[ T]/)[1]) || "09:00";
    if (day.dataset.date === input.value.trim().split(/[ T]/)[0]) return;  // the same day: nothing to move
    input.value = day.dataset.date + " " + time;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    if (status) status.textContent = "Moving “" + dragged.dataset.headline + "” to " + (window.newsroomTime ? window.newsroomTime.said(input.value) : input.value) + "…";
    form.requestSubmit();
  });
})();
