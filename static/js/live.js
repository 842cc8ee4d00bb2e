// A live article's page (templates/jinja2/live/coverage.html): asks the small cached answer
// what is new every few seconds, offers "3 new updates" without moving the text being read,
// and puts "an entry was removed" in place of a withdrawn entry. Without this script the page
// is whole: reloading shows the latest.
(function () {
  "use strict";
  var section = document.querySelector(".live-coverage[data-poll]");
  if (!section) return;
  var list = section.querySelector(".live-entries");
  var button = section.querySelector(".live-new-button");
  var seconds = Math.max(1, Number(section.dataset.pollSeconds) || 10);
  var next = section.dataset.poll;
  var waiting = "";      // entries' HTML not shown yet, newest first
  var waitingCount = 0;
  var onFirstPage = section.dataset.page === "1";

  if (section.dataset.focus) {
    var focus = document.getElementById(section.dataset.focus);
    if (focus) { focus.classList.add("focused"); focus.scrollIntoView(); }
  }

  // Change an element in place; when it is above what the reader sees, scroll by what it grew
  // or shrank, so the text under their eyes stays where it is.
  function replaceKeepingPlace(element, html) {
    var above = element.getBoundingClientRect().bottom < 0;
    var before = document.documentElement.scrollHeight;
    element.insertAdjacentHTML("afterend", html);
    element.remove();
    if (above) window.scrollBy(0, document.documentElement.scrollHeight - before);
  }

  function apply(answer) {
    answer.removed.forEach(function (id) {
      var gone = list.querySelector('[data-entry="' + id + '"]:not(.removed)');
      if (gone) replaceKeepingPlace(gone, '<p class="live-entry removed" id="entry-' + id + '" data-entry="' + id + '">An entry was removed.</p>');
      var pinned = section.querySelector('.live-pinned [data-entry="' + id + '"]');
      if (pinned) pinned.parentNode.remove();
    });
    Object.keys(answer.corrected).forEach(function (id) {
      var shown = list.querySelector('[data-entry="' + id + '"]:not(.removed)');
      if (shown && shown.dataset.version !== String(answer.corrected[id].version)) {
        replaceKeepingPlace(shown, answer.corrected[id].html);
      }
    });
    if (answer.count) {
      waiting = answer.entries + waiting;
      waitingCount += answer.count;
      button.textContent = (answer.more ? "Many" : waitingCount) + (waitingCount === 1 && !answer.more ? " new update" : " new updates");
      button.hidden = false;
    }
    next = answer.next;
  }

  button.addEventListener("click", function () {
    if (!onFirstPage) { window.location.href = window.location.pathname; return; }
    var empty = list.querySelector(".empty");
    if (empty) empty.remove();
    list.insertAdjacentHTML("afterbegin", waiting);
    waiting = "";
    waitingCount = 0;
    button.hidden = true;
    var first = list.firstElementChild;
    if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
  });

  function poll() {
    if (document.hidden) { setTimeout(poll, seconds * 1000); return; }
    fetch(next, {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer) apply(answer); })
      .catch(function () {})
      .finally(function () { setTimeout(poll, seconds * 1000); });
  }
  setTimeout(poll, seconds * 1000);
})();
