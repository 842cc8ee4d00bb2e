/* Article form in the admin: keep what is typed in this browser until it is saved,
   and tell the server the article is open (for "being edited by" notices). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var context = document.getElementById("article-edit-context");
  var form = document.getElementById("article_form");
  if (!context || !form) return;
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
      var when = new Date(saved.savedAt).toLocaleString();
      notice.textContent = "This browser kept text you typed here at " + when + " that was not saved. ";
      var restore = document.createElement("button");
      restore.type = "button"; restore.className = "button"; restore.textContent = "Restore my unsaved text";
      var discard = document.createElement("button");
      discard.type = "button"; discard.className = "button"; discard.textContent = "Discard it";
      restore.addEventListener("click", function () {
        Object.keys(saved.fields).forEach(function (name) { var el = field(name); if (el) el.value = saved.fields[name]; });
        notice.remove();
      });
      discard.addEventListener("click", function () { localStorage.removeItem(key); notice.remove(); });
      notice.append(restore, " ", discard);
      form.parentNode.insertBefore(notice, form);
    }
  }

  var timer = null;
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      try { localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: collect() })); } catch (e) { /* storage full or off */ }
    }, 500);
  });

  var presenceUrl = context.dataset.presenceUrl;
  var token = form.elements.namedItem("csrfmiddlewaretoken");
  if (presenceUrl && token) {
    setInterval(function () {
      fetch(presenceUrl, { method: "POST", headers: { "X-CSRFToken": token.value }, credentials: "same-origin" });
    }, 60000);
  }
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
