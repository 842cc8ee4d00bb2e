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

  function conflictText(conflicts) {
    return Object.keys(conflicts).map(function (name) {
      return name + ": theirs “" + conflicts[name].theirs + "”, yours “" + conflicts[name].mine + "”";
    }).join("; ");
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
        say(answer.error + (answer.conflicts ? " " + conflictText(answer.conflicts) + ". Nothing was saved: copy what you need, reload the entry and save again." : ""), true);
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
