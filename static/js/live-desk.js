// The live desk (live/admin.py): its forms post without leaving the page, keyboard only.
// Ctrl+Enter (⌘+Enter) in a text box posts its form; the answer's row replaces or tops the list,
// and the status line says what happened (announced politely). Without this script the
// forms post as usual and come back to the article's page.
(function () {
  "use strict";
  var desk = document.getElementById("live-desk");
  if (!desk) return;
  var status = document.getElementById("live-desk-status");
  var list = document.getElementById("live-desk-entries");

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("errornote", Boolean(isError));
  }

  // Someone saved the entry meanwhile: both versions under the form, marked word by word. The
  // form now starts from the entry as saved (its version and values as the base), so saving
  // again keeps what was typed; "Use theirs" puts their value in the field.
  function showConflict(form, answer) {
    var shown = form.parentNode.querySelector(".live-desk-conflict");
    if (shown) shown.remove();
    form.insertAdjacentHTML("afterend", answer.conflict_html);
    shown = form.parentNode.querySelector(".live-desk-conflict");
    form.elements.version.value = answer.version;
    Object.keys(answer.current).forEach(function (name) {
      var value = answer.current[name];
      var base = form.elements["base_" + name];
      if (typeof value === "boolean") {
        if (value && !base) {
          form.insertAdjacentHTML("afterbegin", '<input type="hidden" name="base_' + name + '" value="on">');
        } else if (!value && base) {
          base.remove();
        }
      } else if (base) {
        base.value = value;
      }
    });
    shown.addEventListener("click", function (event) {
      var name = event.target.dataset && event.target.dataset.takeTheirs;
      if (!name || !form.elements[name]) return;
      var value = answer.conflicts[name].theirs;
      if (form.elements[name].type === "checkbox") form.elements[name].checked = Boolean(value);
      else form.elements[name].value = value;
      event.target.disabled = true;
      form.elements[name].focus();
    });
    shown.focus();
  }

  desk.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.form) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });

  desk.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-desk-form]");
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value},
    }).then(function (response) {
      return response.json().then(function (answer) { return {ok: response.ok, answer: answer}; });
    }).then(function (result) {
      var answer = result.answer;
      if (!result.ok) {
        say(answer.error, true);
        if (answer.conflict_html) showConflict(form, answer);
        return;
      }
      if (form.dataset.deskForm === "post") {
        list.insertAdjacentHTML("afterbegin", answer.html);
        form.reset();
        form.elements.body.focus();
      } else {
        var row = form.closest(".live-desk-entry");
        row.insertAdjacentHTML("afterend", answer.html);
        row.remove();
        var again = document.getElementById("desk-entry-" + answer.id);
        if (again) { again.setAttribute("tabindex", "-1"); again.focus(); }
      }
      say(answer.message, false);
    }).catch(function () {
      say("The entry could not be sent: check the connection and try again. Your text is still in the form.", true);
    }).finally(function () {
      button.disabled = false;
    });
  });
})();
