/* Article form in the admin: while the editor types, suggest the likeliest themes for the
   text (one click applies one) and warn when the headline or standfirst is very like a
   recent article's. Asks admin:articles_article_suggest_themes, at most once per pause. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var context = document.getElementById("article-edit-context");
  var form = document.getElementById("article_form");
  if (!context || !form || !context.dataset.suggestUrl) return;
  var url = context.dataset.suggestUrl;
  var token = form.elements.namedItem("csrfmiddlewaretoken");
  var names = ["headline", "deck", "standfirst", "body"];
  var themeSelect = form.elements.namedItem("theme");

  function rowOf(name) {
    var el = form.elements.namedItem(name);
    return el ? (el.closest(".form-row") || el.parentNode) : null;
  }

  var suggestions = document.createElement("div");
  suggestions.className = "theme-suggestions";
  suggestions.id = "theme-suggestions";
  suggestions.setAttribute("aria-live", "polite");
  var themeRow = rowOf("theme");
  if (themeRow) themeRow.appendChild(suggestions);

  var warning = document.createElement("div");
  warning.className = "duplicate-warning";
  warning.id = "duplicate-live";
  warning.setAttribute("role", "status");
  warning.hidden = true;
  var headlineRow = rowOf("headline");
  if (headlineRow) headlineRow.appendChild(warning);

  function applyTheme(theme) {
    if (!themeSelect) return;
    var option = Array.prototype.find.call(themeSelect.options, function (o) { return o.value === String(theme.id); });
    if (!option) {
      option = new Option(theme.name, theme.id, true, true);
      themeSelect.appendChild(option);
    }
    themeSelect.value = String(theme.id);
    if (window.django && window.django.jQuery) window.django.jQuery(themeSelect).trigger("change");
    else themeSelect.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function showThemes(themes) {
    suggestions.replaceChildren();
    if (!themes.length) return;
    suggestions.append("Suggested themes: ");
    themes.forEach(function (theme) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button theme-suggestion";
      button.textContent = theme.name + " (" + Math.round(theme.score * 100) + "%)";
      button.title = "Use the theme " + theme.name;
      button.addEventListener("click", function () { applyTheme(theme); });
      suggestions.append(button);
    });
  }

  function showDuplicates(duplicates) {
    warning.replaceChildren();
    warning.hidden = !duplicates.length;
    if (!duplicates.length) return;
    var heading = document.createElement("strong");
    heading.textContent = "Possible duplicate: ";
    warning.append(heading);
    var list = document.createElement("ul");
    duplicates.forEach(function (other) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = other.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = other.headline;
      item.append(link, " (" + other.when + ") — " + other.field + " " + Math.round(other.similarity * 100) + "% alike");
      list.append(item);
    });
    warning.append(list);
  }

  var timer = null;
  var lastSent = null;
  function ask() {
    var body = new URLSearchParams();
    names.forEach(function (name) { var el = form.elements.namedItem(name); if (el) body.append(name, el.value); });
    body.append("article", context.dataset.articleId || "");
    var key = body.toString();
    if (key === lastSent) return;
    lastSent = key;
    fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin",
      body: body
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        if (!result || key !== lastSent) return;
        showThemes(result.themes);
        showDuplicates(result.duplicates);
      })
      .catch(function () { /* suggestions are a help, never a blocker */ });
  }

  form.addEventListener("input", function (event) {
    if (names.indexOf(event.target.name) === -1) return;
    clearTimeout(timer);
    timer = setTimeout(ask, 600);
  });
  var headline = form.elements.namedItem("headline");
  if (headline && headline.value) ask();
});
