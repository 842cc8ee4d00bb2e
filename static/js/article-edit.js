/* Article form in the admin: keep what is typed in this browser and in the person's draft
   copies on the server until it is saved, tell the
   server while the form holds unsaved changes (for "being edited by" notices), and say how far
   away a chosen time is. Times are shown in the newsroom's zone, whatever the browser's. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var context = document.getElementById("article-edit-context");
  if (!context) return;
  var zone = context.dataset.timeZone;
  var loadedAt = Date.now();
  var serverNow = context.dataset.now ? Date.parse(context.dataset.now) : loadedAt;

  function newsroomTime(moment) {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
    }).format(moment).replace(" at ", ", ");
  }

  // "in 2 h 14 min" beside each time input. The input holds the newsroom's local time, as does
  // data-now: both are read the same way, so the browser's own zone cancels out.
  function relative(input, output) {
    var moment = window.newsroomTime && window.newsroomTime.iso(input.value);
    var chosen = moment ? Date.parse(moment) : NaN;
    if (isNaN(chosen)) { output.textContent = ""; return; }
    var minutes = Math.round((chosen - serverNow - (Date.now() - loadedAt)) / 60000);
    var size = Math.abs(minutes), days = Math.floor(size / 1440), hours = Math.floor(size % 1440 / 60), mins = size % 60;
    var parts = [days ? days + " d" : "", hours ? hours + " h" : "", mins || (!days && !hours) ? mins + " min" : ""].filter(Boolean);
    output.textContent = minutes === 0 ? "now" : minutes > 0 ? "in " + parts.join(" ") : parts.join(" ") + " ago (in the past)";
  }
  document.querySelectorAll(".workflow-time input.newsroom-time").forEach(function (input) {
    var output = document.querySelector("output[for='" + input.id + "']");
    input.addEventListener("input", function () { relative(input, output); });
    relative(input, output);
  });

  var form = document.getElementById("article_form");
  if (!form) return;
  var key = context.dataset.autosaveKey;
  var names = ["headline", "deck", "standfirst", "body", "tags", "slug"];

  function field(name) { return form.elements.namedItem(name); }
  function collect() {
    var values = {};
    names.forEach(function (name) { var el = field(name); if (el && el.value !== undefined) values[name] = el.value; });
    return values;
  }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  function stored() { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } }

  var saved = stored();
  if (saved && saved.fields) {
    if (same(saved.fields, collect())) {
      localStorage.removeItem(key);
    } else {
      var notice = document.createElement("div");
      notice.className = "autosave-notice";
      notice.setAttribute("role", "status");
      notice.textContent = "This browser kept text you typed here on " + newsroomTime(new Date(saved.savedAt)) + " that was not saved. ";
      var restore = document.createElement("button");
      restore.type = "button"; restore.className = "button"; restore.textContent = "Restore my unsaved text";
      var discard = document.createElement("button");
      discard.type = "button"; discard.className = "button"; discard.textContent = "Discard it";
      restore.addEventListener("click", function () {
        Object.keys(saved.fields).forEach(function (name) {
          var el = field(name);
          if (!el) return;
          el.value = saved.fields[name];
          el.dispatchEvent(new Event("body:replaced"));  // the body editor shows the restored source
        });
        notice.remove();
      });
      discard.addEventListener("click", function () { localStorage.removeItem(key); notice.remove(); });
      notice.append(restore, " ", discard);
      form.parentNode.insertBefore(notice, form);
    }
  }

  var presenceUrl = context.dataset.presenceUrl;
  var token = form.elements.namedItem("csrfmiddlewaretoken");
  var heartbeat = null;
  function present() {
    if (presenceUrl && token) {
      fetch(presenceUrl, { method: "POST", headers: { "X-CSRFToken": token.value }, credentials: "same-origin" });
    }
  }

  // Draft copies on the server: every few seconds while the form holds unsaved changes, for
  // this person only, offered back on their next open in any browser, removed by a save.
  var draftUrl = context.dataset.draftCopyUrl;
  var draftStatus = document.createElement("p");
  draftStatus.className = "help draft-copy-status";
  draftStatus.setAttribute("aria-live", "polite");
  var bodyRow = field("body") && field("body").closest(".form-row");
  if (bodyRow) bodyRow.append(draftStatus);
  var changed = false, sending = false, lastSaved = null, draftTimer = null;
  function ago() {
    if (!lastSaved) return;
    var seconds = Math.max(0, Math.round((Date.now() - lastSaved) / 1000));
    draftStatus.textContent = "Saved to drafts " + (seconds < 60 ? seconds + " s" : Math.round(seconds / 60) + " min") + " ago";
  }
  setInterval(ago, 1000);
  function sendDraft() {
    draftTimer = null;
    if (!draftUrl || !token || sending || !changed) return;
    sending = true;
    changed = false;
    var data = new FormData();
    var values = collect();
    Object.keys(values).forEach(function (name) { data.append(name, values[name]); });
    fetch(draftUrl, { method: "POST", body: data, headers: { "X-CSRFToken": token.value }, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) { lastSaved = Date.now(); ago(); return; }
        changed = true;
        return response.json().then(function (answer) { draftStatus.textContent = "Not saved to drafts: " + answer.error; },
          function () { draftStatus.textContent = "Not saved to drafts (" + response.status + "): this browser keeps a copy."; });
      }, function () { changed = true; draftStatus.textContent = "Not saved to drafts: offline. This browser keeps a copy."; })
      .then(function () { sending = false; if (changed && !draftTimer) draftTimer = setTimeout(sendDraft, 3000); });
  }
  var offered = document.querySelector(".draft-copy-notice");
  if (offered) {
    var kept = JSON.parse(document.getElementById("draft-copy-fields").textContent);
    var localNotice = document.querySelector(".autosave-notice:not(.draft-copy-notice)");
    if (localNotice) localNotice.remove();  // the server's copy is the newer word
    offered.querySelector("[data-draft-copy=restore]").addEventListener("click", function () {
      Object.keys(kept).forEach(function (name) {
        var el = field(name);
        if (!el || el.value === kept[name]) return;
        el.value = kept[name];
        el.dispatchEvent(new Event("body:replaced"));
        el.dispatchEvent(new Event("input", { bubbles: true }));
      });
      offered.remove();
    });
    offered.querySelector("[data-draft-copy=discard]").addEventListener("click", function () {
      var data = new FormData();
      data.append("discard", "1");
      fetch(draftUrl, { method: "POST", body: data, headers: { "X-CSRFToken": token.value }, credentials: "same-origin" });
      offered.remove();
    });
  }

  var timer = null;
  form.addEventListener("input", function () {
    if (!heartbeat) { present(); heartbeat = setInterval(present, 45000); }  // unsaved changes from now on
    changed = true;
    if (!draftTimer) draftTimer = setTimeout(sendDraft, 3000);
    clearTimeout(timer);
    timer = setTimeout(function () {
      try { localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: collect() })); } catch (e) { /* storage full or off */ }
    }, 500);
  });
  form.addEventListener("submit", function () { clearTimeout(draftTimer); draftTimer = 1; });  // saving now
});

/* Search engines read at most 110 characters of a headline (the page's JSON-LD cuts it
   there, at a word): warn while typing, before a longer one is saved. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var LIMIT = 110;
  var headline = document.getElementById("id_headline");
  if (!headline) return;
  var warning = document.createElement("p");
  warning.className = "help headline-length-warning"; // "help": aligned under the input like help text
  warning.id = "headline-length-warning";
  warning.setAttribute("role", "status");
  // Below the label and input row (Django's .flex-container), above the help text.
  (headline.closest(".flex-container") || headline).insertAdjacentElement("afterend", warning);
  var describedBy = headline.getAttribute("aria-describedby") || "";
  function check() {
    var length = Array.from(headline.value.trim()).length;
    if (length > LIMIT) {
      warning.textContent = "This headline has " + length + " characters. Search engines show only the first " +
        LIMIT + ", so they will cut it after a word with “…”. Consider a shorter one.";
      warning.hidden = false;
      headline.setAttribute("aria-describedby", (describedBy + " " + warning.id).trim());
    } else {
      warning.textContent = "";
      warning.hidden = true;
      if (describedBy) headline.setAttribute("aria-describedby", describedBy);
      else headline.removeAttribute("aria-describedby");
    }
  }
  headline.addEventListener("input", check);
  check();
});

/* After a conflict: the choices are where the page opens (the workflow's buttons come first in
   it); with several, one press keeps one side everywhere, to be changed where needed. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var conflict = document.querySelector("section.conflict");
  if (!conflict) return;
  conflict.focus({ preventScroll: true });
  conflict.scrollIntoView({ block: "start" });
  var choices = conflict.querySelectorAll(".conflict-choice");
  if (choices.length < 2) return;
  var all = document.createElement("p");
  all.className = "conflict-all";
  [["theirs", "Keep theirs everywhere"], ["mine", "Keep mine everywhere"]].forEach(function (side) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = side[1];
    button.addEventListener("click", function () {
      choices.forEach(function (choice) { choice.querySelector("input[value=" + side[0] + "]").checked = true; });
    });
    all.append(button, " ");
  });
  choices[0].before(all);
});

/* After a conflict: typing into a paragraph's "edit by hand" box chooses it. */
document.addEventListener("input", function (event) {
  "use strict";
  var box = event.target;
  if (!box.matches || !box.matches(".conflict-hand textarea")) return;
  var choice = box.closest(".conflict-hand").querySelector("input[type=radio]");
  if (choice) choice.checked = true;
});
