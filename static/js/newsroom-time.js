/* The admin's date-and-time inputs (articles/clock.py): typed in the newsroom's 24-hour format,
   "2026-12-05 14:30". As a time is typed, the day it names is said beside it ("Sat 5 Dec 2026,
   14:30"), so a wrong day is seen before saving; a value that is not a time is refused before
   the form is sent, with the format in the message. */
(function () {
  "use strict";
  var TYPED = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/;
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var FORMAT = "Type the date and time as YYYY-MM-DD HH:MM, 24-hour (2026-12-05 14:30).";

  function two(number) { return (number < 10 ? "0" : "") + number; }

  /* [year, month, day, hour, minute, second], or null when the value is not a moment of the calendar. */
  function parts(value) {
    var found = TYPED.exec(value);
    if (!found) return null;
    var numbers = found.slice(1).map(function (part) { return Number(part || 0); });
    var day = new Date(Date.UTC(numbers[0], numbers[1] - 1, numbers[2]));
    if (day.getUTCMonth() !== numbers[1] - 1 || numbers[3] > 23 || numbers[4] > 59 || numbers[5] > 59) return null;
    return numbers;
  }

  /* "Sat 5 Dec 2026, 14:30", or null. */
  function said(value) {
    var n = parts(value);
    if (!n) return null;
    var weekday = DAYS[new Date(Date.UTC(n[0], n[1] - 1, n[2])).getUTCDay()];
    return weekday + " " + n[2] + " " + MONTHS[n[1] - 1] + " " + n[0] + ", " + two(n[3]) + ":" + two(n[4]) + (n[5] ? ":" + two(n[5]) : "");
  }

  /* "2026-12-05T09:05:00" (for Date.parse, which reads it in the browser's zone), or null. */
  function iso(value) {
    var n = parts(value);
    return n && n[0] + "-" + two(n[1]) + "-" + two(n[2]) + "T" + two(n[3]) + ":" + two(n[4]) + ":" + two(n[5]);
  }

  function enhance(input) {
    if (input.dataset.timeReadback || input.closest(".empty-form")) return;  // an inline's template row
    var readback = document.createElement("span");
    readback.className = "time-readback";
    readback.id = (input.id || input.name) + "-readback";
    input.dataset.timeReadback = readback.id;
    input.insertAdjacentElement("afterend", readback);
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + readback.id).trim());
    function check() {
      var value = input.value.trim(), day = value ? said(value) : "";
      input.setCustomValidity(day === null ? FORMAT : "");
      readback.textContent = day === null ? "Not a time: YYYY-MM-DD HH:MM" : day;
      readback.classList.toggle("time-refused", day === null);
    }
    input.addEventListener("input", check);
    input.addEventListener("change", check);
    check();
  }

  function start() { document.querySelectorAll("input.newsroom-time").forEach(enhance); }
  window.newsroomTime = { said: said, iso: iso, enhance: enhance };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // Rows added later (an inline's "Add another correction") get theirs too.
  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll("input.newsroom-time").forEach(enhance);
  });
})();
