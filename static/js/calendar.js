/* The week's schedule: drag a scheduled article to another day (it keeps its time of day) or onto
   one of the hours shown in each day while dragging. The drop fills the article's own "Move to"
   form and sends it, so the move goes through the reschedule step and its checks as the form
   does; without this script, or from the keyboard, the form is the way. */
(function () {
  "use strict";
  var calendar = document.querySelector(".calendar[data-movable]");
  if (!calendar) return;
  var status = document.getElementById("calendar-status");
  var dragged = null;

  function two(number) { return (number < 10 ? "0" : "") + number; }
  function dayOf(node) { return node && node.closest && node.closest(".calendar-day[data-date]"); }
  function slotOf(node) { return node && node.closest && node.closest(".calendar-slots li"); }
  function marked(target) {
    calendar.querySelectorAll(".drop-target").forEach(function (other) {
      if (other !== target && !(other.contains(target))) other.classList.remove("drop-target");
    });
  }

  // The hours of each day, as places to drop (a pointer's help: the keyboard has the form).
  function showHours() {
    calendar.querySelectorAll(".calendar-day[data-date]").forEach(function (day) {
      var hours = document.createElement("ol");
      hours.className = "calendar-slots";
      hours.setAttribute("aria-hidden", "true");
      for (var hour = 0; hour < 24; hour++) {
        var slot = document.createElement("li");
        slot.dataset.time = slot.textContent = two(hour) + ":00";
        hours.append(slot);
      }
      day.append(hours);
    });
  }
  function hideHours() {
    calendar.querySelectorAll(".calendar-slots").forEach(function (hours) { hours.remove(); });
    calendar.querySelectorAll(".drop-target").forEach(function (node) { node.classList.remove("drop-target"); });
  }

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
      setTimeout(showHours);  // after the drag has begun: Chrome ends a drag whose start changes the page
    });
    entry.addEventListener("dragend", function () {
      entry.classList.remove("dragging");
      hideHours();
      dragged = null;
    });
  });

  // A place accepts the drop when both events are cancelled over it.
  function over(event) {
    var day = dayOf(event.target), slot = slotOf(event.target);
    if (!dragged || !day) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    marked(slot || day);
    day.classList.add("drop-target");
    if (slot) slot.classList.add("drop-target");
  }
  calendar.addEventListener("dragenter", over);
  calendar.addEventListener("dragover", over);
  calendar.addEventListener("dragleave", function (event) {
    var day = dayOf(event.target);
    if (day && !day.contains(event.relatedTarget)) day.classList.remove("drop-target");
  });
  calendar.addEventListener("drop", function (event) {
    var day = dayOf(event.target), slot = slotOf(event.target);
    var form = dragged && dragged.querySelector("form.calendar-move");
    if (!day || !form) return;
    event.preventDefault();
    var input = form.elements.namedItem("when");
    var was = input.value.trim();
    var moved = day.dataset.date + " " + (slot ? slot.dataset.time : was.split(/[ T]/)[1] || "09:00");
    hideHours();
    if (moved === was) return;
    input.value = moved;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    if (status) status.textContent = "Moving “" + dragged.dataset.headline + "” to " + (window.newsroomTime ? window.newsroomTime.said(moved) : moved) + "…";
    form.requestSubmit();
  });
})();
