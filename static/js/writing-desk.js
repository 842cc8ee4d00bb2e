/* The writing screen: character counts, a Markdown toolbar with a live preview made by the
   public page's own pipeline, word count and reading time, how the article looks in search
   results and social cards, a preview of the unsaved form in the public design, and bylines
   reordered by dragging (or with the arrow buttons, from the keyboard). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.getElementById("article_form");
  var context = document.getElementById("article-edit-context");
  if (!form || !context) return;
  var token = form.elements.namedItem("csrfmiddlewaretoken");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }
  function post(url, data) {
    var body = new FormData();
    Object.keys(data).forEach(function (name) { body.append(name, data[name]); });
    return fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": token.value }, credentials: "same-origin" });
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  // Character counts -----------------------------------------------------------------------
  var limits = { headline: 110, deck: 0, standfirst: 160 };
  Object.keys(limits).forEach(function (name) {
    var input = form.elements.namedItem(name);
    if (!input) return;
    var count = el("p", { "class": "char-count help", id: "id_" + name + "_count" });
    if (name !== "headline") {  // the headline's own warning (article-edit.js) speaks for it past 110
      input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), count.id].filter(Boolean).join(" "));
    }
    (input.closest(".flex-container") || input).insertAdjacentElement("afterend", count);
    function update() {
      var length = input.value.length, limit = limits[name];
      var note = name === "headline" ? " (search results show about 110)" : name === "standfirst" ? " (search results show about 160)" : "";
      count.textContent = length + " characters" + note;
      count.classList.toggle("over", limit > 0 && length > limit);
    }
    input.addEventListener("input", update);
    update();
  });

  // The body: toolbar, live preview, words ---------------------------------------------------
  var body = form.elements.namedItem("body");
  var previewUrl = context.dataset.markdownPreviewUrl;
  if (body && previewUrl) {
    var editor = el("div", { "class": "markdown-editor" });
    var toolbar = el("div", { role: "toolbar", "aria-label": "Formatting", "class": "markdown-toolbar" });
    // The preview is the public page: its own stylesheet in a frame of its own, where the admin's
    // styles cannot reach and no script runs (sandboxed), for a new article before its first save too.
    var preview = el("iframe", { "class": "markdown-preview article-preview", title: "Preview", sandbox: "allow-same-origin",
      srcdoc: '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><base target="_blank">' +
        '<link rel="stylesheet" href="' + (context.dataset.siteCss || "") + '"></head><body><main class="wrap">' +
        '<article class="article"><header class="article-header"><h1></h1><p class="deck"></p><p class="standfirst"></p>' +
        '</header><div class="article-body"></div></article></main></body></html>' });
    function previewPart(selector) { var page = preview.contentDocument; return page && page.querySelector(selector); }
    function showInPreview(html, text) {
      var part = previewPart(".article-body");
      if (!part) { preview.addEventListener("load", function () { showInPreview(html, text); }, { once: true }); return; }
      if (text) part.textContent = text;
      else part.innerHTML = html;  // sanitised by the server, like the page; no script runs in the frame
      [["h1", "headline"], [".deck", "deck"], [".standfirst", "standfirst"]].forEach(function (pair) {
        var input = form.elements.namedItem(pair[1]), node = previewPart(pair[0]);
        if (input && node) { node.textContent = input.value; node.hidden = !input.value; }
      });
    }
    var stats = el("p", { "class": "help body-stats", "aria-live": "polite" });
    body.parentNode.insertBefore(editor, body);
    var panes = el("div", { "class": "markdown-panes" });
    panes.append(body, preview);
    editor.append(toolbar, panes, stats);

    function wrap(before, after, placeholder) {
      var start = body.selectionStart, end = body.selectionEnd;
      var chosen = body.value.slice(start, end) || placeholder;
      body.setRangeText(before + chosen + after, start, end, "select");
      body.setSelectionRange(start + before.length, start + before.length + chosen.length);
      body.focus();
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function linePrefix(prefix) {
      var start = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
      body.setRangeText(prefix, start, start, "end");
      body.focus();
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function paragraph(text) {
      var at = body.selectionEnd;
      body.setRangeText("\n\n" + text + "\n\n", at, at, "end");
      body.focus();
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
    [
      ["Bold", "B", function () { wrap("**", "**", "bold text"); }],
      ["Italic", "I", function () { wrap("*", "*", "italic text"); }],
      ["Link", "Link", function () { wrap("[", "](https://)", "link text"); }],
      ["Subheading", "H", function () { linePrefix("## "); }],
      ["Quotation", "“ ”", function () { linePrefix("> "); }],
      ["List item", "• List", function () { linePrefix("- "); }]
    ].forEach(function (tool) {
      var button = el("button", { type: "button", "class": "button", "aria-label": tool[0], title: tool[0] }, tool[1]);
      button.addEventListener("click", tool[2]);
      toolbar.append(button);
    });

    // A picture from the library, found by its title (the lead image's own search).
    var pictures = el("details", { "class": "picture-picker" });
    var summary = el("summary", {}, "Picture…");
    var search = el("input", { type: "search", "aria-label": "Find a picture by its title", placeholder: "Find a picture" });
    var results = el("ul", { "class": "picture-results" });
    pictures.append(summary, search, results);
    toolbar.append(pictures);
    var autocomplete = context.dataset.pictureSearchUrl;
    var findPictures = debounce(function () {
      fetch(autocomplete + "&term=" + encodeURIComponent(search.value), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          results.replaceChildren();
          data.results.slice(0, 8).forEach(function (image) {
            var choose = el("button", { type: "button", "class": "button" }, image.text);
            choose.addEventListener("click", function () { paragraph("[image:" + image.id + "]"); pictures.open = false; });
            var item = el("li");
            item.append(choose);
            results.append(item);
          });
          if (!data.results.length) results.append(el("li", { "class": "quiet" }, "No picture found."));
        });
    }, 250);
    search.addEventListener("input", findPictures);
    pictures.addEventListener("toggle", function () { if (pictures.open) { findPictures(); search.focus(); } });

    var render = debounce(function () {
      post(previewUrl, { body: body.value })
        .then(function (response) { return response.ok || response.status === 400 ? response.json() : null; })
        .then(function (data) {
          if (data && data.error) showInPreview("", data.error);  // a body over the size limit
          else if (data) showInPreview(data.html);
        });
    }, 400);
    function count() {
      var words = (body.value.match(/[\p{L}\p{N}’'-]+/gu) || []).length;
      stats.textContent = words === 0 ? "No words yet"
        : (words === 1 ? "1 word" : words + " words") + " · about " + Math.max(1, Math.round(words / 230)) + " min to read";
    }
    body.addEventListener("input", function () { render(); count(); });
    ["headline", "deck", "standfirst"].forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (input) input.addEventListener("input", render);
    });
    render();
    count();
  }

  // How search engines and social networks will show it ---------------------------------------
  var headline = form.elements.namedItem("headline");
  var standfirst = form.elements.namedItem("standfirst");
  if (headline && standfirst) {
    var card = el("section", { "class": "share-preview", "aria-label": "In search results and social cards" });
    var title = el("p", { "class": "share-preview-title" });
    var address = el("p", { "class": "share-preview-url" }, context.dataset.siteUrl || "");
    var description = el("p", { "class": "share-preview-description" });
    // The social card's picture: the lead image's 1200 × 630 crop, around its focal point.
    var picture = el("img", { "class": "share-preview-image", alt: "", width: "1200", height: "630", hidden: "" });
    var noPicture = el("p", { "class": "help" }, "No lead image: social cards will show no picture.");
    card.append(el("p", { "class": "help" }, "In search results and social cards:"), picture, noPicture, title, address, description);
    standfirst.closest(".form-row").append(card);
    var lead = form.elements.namedItem("lead_image");
    function showPicture() {
      var id = lead ? lead.value : "";
      var answer = id ? fetch(context.dataset.socialCardUrl + "?image=" + encodeURIComponent(id), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { card: null }; }) : Promise.resolve({ card: null });
      answer.then(function (data) {
        picture.hidden = !data.card;
        noPicture.hidden = !!data.card;
        if (data.card) { picture.src = data.card.url; picture.alt = "Social card: " + data.card.alt; }
      });
    }
    if (lead && window.django && window.django.jQuery) window.django.jQuery(lead).on("change", showPicture);  // select2 speaks jQuery
    showPicture();
    function shorten(text, size) { return text.length > size ? text.slice(0, size).replace(/\s+\S*$/, "") + "…" : text; }
    function show() {
      title.textContent = shorten(headline.value || "Headline", 110);
      description.textContent = shorten(standfirst.value || "The standfirst is the description.", 160);
    }
    headline.addEventListener("input", show);
    standfirst.addEventListener("input", show);
    show();
  }

  // Preview of the unsaved form in the public design ------------------------------------------
  var formPreview = context.dataset.formPreviewUrl;
  var links = document.querySelector(".workflow-links");
  if (formPreview && links) {
    var button = el("button", { type: "submit", form: "article_form", "class": "button", formaction: formPreview,
      formtarget: "_blank", formmethod: "post", formnovalidate: "" }, "Preview what you typed, unsaved");
    links.append(" ", button);
  }

  // Bylines in order by dragging (and by buttons, for keyboards) -----------------------------
  var byline = document.querySelector(".byline-inline tbody");
  if (byline) {
    function rows() { return Array.from(byline.querySelectorAll("tr.form-row:not(.empty-form)")); }
    function renumber() {
      // Only rows with an author: an untouched empty row must stay unchanged, or Django asks for its author.
      rows().filter(function (row) { var author = row.querySelector("select"); return author && author.value; })
        .forEach(function (row, index) { var input = row.querySelector(".byline-position"); if (input) input.value = index; });
    }
    var dragged = null;
    function prepare(row) {
      if (row.dataset.prepared) return;
      row.dataset.prepared = "1";
      row.draggable = true;
      var cell = row.querySelector("td.field-author") || row.querySelector("td:first-child");
      var up = el("button", { type: "button", "class": "byline-move", "aria-label": "Move up" }, "↑");
      var down = el("button", { type: "button", "class": "byline-move", "aria-label": "Move down" }, "↓");
      up.addEventListener("click", function () { if (row.previousElementSibling) { byline.insertBefore(row, row.previousElementSibling); renumber(); } });
      down.addEventListener("click", function () { var next = row.nextElementSibling; if (next && !next.classList.contains("empty-form")) { byline.insertBefore(next, row); renumber(); } });
      cell.append(up, down);
      row.addEventListener("dragstart", function () { dragged = row; row.classList.add("dragging"); });
      row.addEventListener("dragend", function () { row.classList.remove("dragging"); dragged = null; renumber(); });
      row.addEventListener("dragover", function (event) {
        event.preventDefault();
        if (!dragged || dragged === row) return;
        var after = event.clientY > row.getBoundingClientRect().top + row.offsetHeight / 2;
        byline.insertBefore(dragged, after ? row.nextSibling : row);
      });
    }
    rows().forEach(prepare);
    var corner = document.querySelector(".byline-inline th.original");
    if (corner && !corner.textContent.trim()) corner.append(el("span", { "class": "visually-hidden" }, "Byline entry"));
    document.addEventListener("formset:added", function (event) { if (event.target.closest(".byline-inline")) { prepare(event.target); renumber(); } });
    form.addEventListener("submit", renumber);
  }

  // Django's select2 boxes take their accessible name from the chosen value, so an empty one
  // has none: name them after their field's label.
  function nameComboboxes() {
    document.querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      var label = select && select.id ? document.querySelector("label[for='" + select.id + "']") : null;
      var name = label ? label.textContent.replace(/:$/, "").trim() : (select && select.getAttribute("aria-label")) || "";
      if (!name) return;
      container.querySelectorAll("[role=combobox], [role=textbox]").forEach(function (node) { node.setAttribute("aria-label", name); });
    });
  }
  window.addEventListener("load", nameComboboxes);
  document.addEventListener("formset:added", function () { setTimeout(nameComboboxes, 0); });
});
