/* The writing screen's body as formatted text (ProseMirror), over the Markdown the site stores.
   The textarea stays the form's field: without this script the form works as before; with it,
   what is typed here is written back to the textarea as Markdown, and the "Markdown" button
   shows that source. Shortcuts follow Google Docs. */
import { baseKeymap, chainCommands, exitCode, setBlockType, toggleMark, wrapIn, lift } from "prosemirror-commands";
import { dropCursor } from "prosemirror-dropcursor";
import { gapCursor } from "prosemirror-gapcursor";
import { history, redo, undo } from "prosemirror-history";
import { InputRule, inputRules, textblockTypeInputRule, wrappingInputRule } from "prosemirror-inputrules";
import { keymap } from "prosemirror-keymap";
import { liftListItem, sinkListItem, splitListItem, wrapInList } from "prosemirror-schema-list";
import { EditorState, NodeSelection, Plugin, TextSelection } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { extensionLine, parseMarkdown, roundTrip, schema, toMarkdown } from "./markdown.js";
import { cleanPastedHTML } from "./paste.js";
import { knownPicture, picturePicker, pictureInfo } from "./pictures.js";

const nodes = schema.nodes, marks = schema.marks;

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
  if (text) node.textContent = text;
  return node;
}

// --- Commands -------------------------------------------------------------------------------

function markActive(state, type) {
  const { from, $from, to, empty } = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

function blockActive(state, type, attrs) {
  const { $from, to } = state.selection;
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth);
    if (node.type == type && (!attrs || Object.keys(attrs).every((k) => node.attrs[k] == attrs[k]))) return to <= $from.end(depth);
  }
  return false;
}

function toggleHeading(level) {
  return (state, dispatch) => {
    if (blockActive(state, nodes.heading, { level })) return setBlockType(nodes.paragraph)(state, dispatch);
    return setBlockType(nodes.heading, { level })(state, dispatch);
  };
}

function toggleList(type) {
  return (state, dispatch) => {
    if (blockActive(state, type)) return liftListItem(nodes.list_item)(state, dispatch);
    return wrapInList(type)(state, dispatch);
  };
}

function toggleQuote(state, dispatch) {
  if (blockActive(state, nodes.blockquote)) return lift(state, dispatch);
  return wrapIn(nodes.blockquote)(state, dispatch);
}

/* An extension line goes at the body's top level: after the block holding the cursor. */
export function insertExtension(view, attrs, at) {
  const { state } = view;
  const node = nodes.extension.create(attrs);
  let $pos = at != null ? state.doc.resolve(at) : state.selection.$from;
  let pos;
  if ($pos.depth == 0) pos = $pos.pos;
  else pos = $pos.after(1);
  if (at != null && $pos.depth > 0 && $pos.parentOffset == 0 && $pos.depth == 1) pos = $pos.before(1);
  let tr = state.tr.insert(pos, node);
  const after = pos + node.nodeSize;
  if (after >= tr.doc.content.size) tr = tr.insert(after, nodes.paragraph.create());
  tr = tr.setSelection(NodeSelection.create(tr.doc, pos));
  view.dispatch(tr.scrollIntoView());
  view.focus();
}

// --- The extension's node view: a picture, a gallery, an embed ----------------------------

class ExtensionView {
  constructor(node, view, getPos, context) {
    this.node = node;
    this.dom = el("figure", { class: "body-extension", "data-line": extensionLine(node.attrs), contenteditable: "false" });
    this.render(context);
  }

  render(context) {
    const { kind, value } = this.node.attrs;
    const line = extensionLine(this.node.attrs);
    this.dom.replaceChildren();
    if (kind == "embed") {
      let host = value;
      try { host = new URL(value).hostname; } catch (e) { /* shown as typed */ }
      this.dom.append(el("p", { class: "body-extension-embed" }, "Embedded from " + host + ": "));
      this.dom.lastChild.append(el("span", { class: "body-extension-url" }, value));
      this.dom.append(el("figcaption", {}, "Readers see a link, and a player loads only when they ask. " + line));
      return;
    }
    const ids = value.split(",");
    const grid = el("div", { class: kind == "gallery" ? "body-extension-gallery" : "body-extension-picture" });
    const caption = el("figcaption");
    this.dom.append(grid, caption);
    caption.textContent = (kind == "gallery" ? "Gallery of " + ids.length + " pictures" : "Picture " + value) + " · " + line;
    pictureInfo(context.picturesUrl, ids).then((found) => {
      ids.forEach((id) => {
        const picture = found[id];
        if (!picture) {
          grid.append(el("span", { class: "body-extension-missing" }, "No picture " + id + " in the library"));
          return;
        }
        const img = el("img", { src: picture.thumbnail || "", alt: picture.alt, width: picture.width, height: picture.height, loading: "lazy" });
        grid.append(img);
      });
      if (kind == "image" && found[value]) {
        const picture = found[value];
        caption.replaceChildren(
          el("span", { class: "body-extension-caption" }, picture.caption || "(no caption)"),
          picture.credit ? el("span", { class: "body-extension-credit" }, " " + picture.credit) : "",
          el("span", { class: "body-extension-line" }, " · " + picture.title + " · " + line),
        );
      }
    });
  }

  selectNode() { this.dom.classList.add("selected"); }
  deselectNode() { this.dom.classList.remove("selected"); }
  stopEvent() { return false; }
  ignoreMutation() { return true; }
}

// --- The toolbar ---------------------------------------------------------------------------

const MAC = typeof navigator != "undefined" && /Mac|iP(hone|[oa]d)/.test(navigator.platform);
const MOD = MAC ? "⌘" : "Ctrl+";

function buildTools(view, context) {
  return [
    { name: "Bold", text: "B", keys: MOD + "B", aria: "Control+B", run: toggleMark(marks.strong), active: (s) => markActive(s, marks.strong) },
    { name: "Italic", text: "I", keys: MOD + "I", aria: "Control+I", run: toggleMark(marks.em), active: (s) => markActive(s, marks.em) },
    { name: "Strikethrough", text: "S", keys: (MAC ? "⌘⇧" : "Alt+Shift+") + "5", aria: "Alt+Shift+5", run: toggleMark(marks.strike), active: (s) => markActive(s, marks.strike) },
    { name: "Link", text: "Link", keys: MOD + "K", aria: "Control+K", run: () => context.openLink(), active: (s) => markActive(s, marks.link) },
    { name: "Heading", text: "H2", keys: (MAC ? "⌘⌥" : "Ctrl+Alt+") + "1", aria: "Control+Alt+1", run: toggleHeading(2), active: (s) => blockActive(s, nodes.heading, { level: 2 }) },
    { name: "Subheading", text: "H3", keys: (MAC ? "⌘⌥" : "Ctrl+Alt+") + "2", aria: "Control+Alt+2", run: toggleHeading(3), active: (s) => blockActive(s, nodes.heading, { level: 3 }) },
    { name: "Bulleted list", text: "• List", keys: (MAC ? "⌘⇧" : "Ctrl+Shift+") + "8", aria: "Control+Shift+8", run: toggleList(nodes.bullet_list), active: (s) => blockActive(s, nodes.bullet_list) },
    { name: "Numbered list", text: "1. List", keys: (MAC ? "⌘⇧" : "Ctrl+Shift+") + "7", aria: "Control+Shift+7", run: toggleList(nodes.ordered_list), active: (s) => blockActive(s, nodes.ordered_list) },
    { name: "Quotation", text: "“ ”", keys: "", run: toggleQuote, active: (s) => blockActive(s, nodes.blockquote) },
    { name: "Picture", text: "Picture…", keys: "", run: () => context.choosePicture(), active: () => false, popup: true },
    { name: "Undo", text: "↶", keys: MOD + "Z", aria: "Control+Z", run: undo, active: () => false },
    { name: "Redo", text: "↷", keys: MAC ? "⌘⇧Z" : "Ctrl+Y", aria: "Control+Y", run: redo, active: () => false },
  ];
}

function toolbar(view, tools) {
  const bar = el("div", { role: "toolbar", "aria-label": "Formatting", "aria-controls": view.dom.id, class: "markdown-toolbar rich-toolbar" });
  const buttons = tools.map((tool, n) => {
    const button = el("button", { type: "button", class: "button", "aria-label": tool.name, title: tool.name + (tool.keys ? " (" + tool.keys + ")" : ""), tabindex: n ? "-1" : "0" }, tool.text);
    if (tool.aria) button.setAttribute("aria-keyshortcuts", tool.aria);
    if (tool.popup) button.setAttribute("aria-haspopup", "dialog");
    else if (!["Undo", "Redo", "Link"].includes(tool.name)) button.setAttribute("aria-pressed", "false");
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    button.addEventListener("click", () => {
      tool.run(view.state, view.dispatch, view);
      if (!tool.popup && tool.name != "Link") view.focus();
    });
    bar.append(button);
    return button;
  });
  // One tab stop; arrows, Home and End move along (WAI-ARIA toolbar pattern).
  bar.addEventListener("keydown", (event) => {
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = buttons[(to + buttons.length) % buttons.length];
    buttons.forEach((b) => b.setAttribute("tabindex", b == next ? "0" : "-1"));
    next.focus();
  });
  function update(state) {
    tools.forEach((tool, n) => {
      if (buttons[n].hasAttribute("aria-pressed")) buttons[n].setAttribute("aria-pressed", String(!!tool.active(state)));
      // aria-disabled, not disabled: the toolbar's arrows still reach it.
      if (tool.name == "Undo") buttons[n].setAttribute("aria-disabled", String(!undo(state)));
      if (tool.name == "Redo") buttons[n].setAttribute("aria-disabled", String(!redo(state)));
    });
  }
  return { bar, update };
}

// --- The link form ---------------------------------------------------------------------------

function linkForm(getView) {
  const box = el("div", { class: "link-form", role: "group", "aria-label": "Link", hidden: "" });
  const input = el("input", { type: "url", id: "body-link-address", placeholder: "https://", size: "40" });
  const label = el("label", { for: "body-link-address" }, "Link address");
  const apply = el("button", { type: "button", class: "button default" }, "Apply");
  const remove = el("button", { type: "button", class: "button" }, "Remove link");
  const cancel = el("button", { type: "button", class: "button" }, "Cancel");
  box.append(label, input, apply, remove, cancel);
  let range = null;

  function close() {
    box.hidden = true;
    getView().focus();
  }
  function open() {
    const view = getView();
    const { state } = view;
    let { from, to, $from } = state.selection;
    const link = marks.link.isInSet($from.marks()) || (state.selection.empty ? null : state.doc.nodeAt(from)?.marks.find((m) => m.type == marks.link));
    if (link && state.selection.empty) {
      // The whole link around the cursor.
      const parent = $from.parent, offset = $from.parentOffset;
      let start = $from.start(), pos = start;
      parent.forEach((child, childOffset) => {
        if (link.isInSet(child.marks) && childOffset <= offset && childOffset + child.nodeSize >= offset) {
          from = Math.min(from, start + childOffset);
          to = Math.max(to, start + childOffset + child.nodeSize);
        }
      });
      pos = from;
    }
    range = { from, to };
    input.value = link ? link.attrs.href : "";
    remove.hidden = !link;
    box.hidden = false;
    input.focus();
    input.select();
    return true;
  }
  function commit() {
    const view = getView();
    let href = input.value.trim();
    if (!href) return close();
    if (!/^(https?:|mailto:|\/|#)/i.test(href)) href = /^[^\s@]+@[^\s@]+$/.test(href) ? "mailto:" + href : "https://" + href;
    let tr = view.state.tr;
    if (range.from == range.to) {
      tr = tr.insert(range.from, schema.text(href, [marks.link.create({ href })]));
    } else {
      tr = tr.removeMark(range.from, range.to, marks.link).addMark(range.from, range.to, marks.link.create({ href }));
    }
    view.dispatch(tr);
    close();
  }
  apply.addEventListener("click", commit);
  remove.addEventListener("click", () => {
    const view = getView();
    view.dispatch(view.state.tr.removeMark(range.from, range.to, marks.link));
    close();
  });
  cancel.addEventListener("click", close);
  box.addEventListener("keydown", (event) => {
    if (event.key == "Enter") { event.preventDefault(); commit(); }
    if (event.key == "Escape") { event.preventDefault(); close(); }
  });
  return { box, open };
}

// --- Keys and input rules --------------------------------------------------------------------

function keys(context) {
  const bindings = {
    "Mod-z": undo,
    "Mod-y": redo,
    "Shift-Mod-z": redo,
    "Mod-b": toggleMark(marks.strong),
    "Mod-i": toggleMark(marks.em),
    "Mod-k": () => context.openLink(),
    "Alt-Shift-5": toggleMark(marks.strike),
    "Mod-Shift-x": toggleMark(marks.strike),
    "Mod-e": toggleMark(marks.code),
    "Mod-Alt-0": setBlockType(nodes.paragraph),
    "Mod-Alt-1": toggleHeading(2),
    "Mod-Alt-2": toggleHeading(3),
    "Mod-Alt-3": toggleHeading(4),
    "Mod-Shift-7": toggleList(nodes.ordered_list),
    "Mod-Shift-8": toggleList(nodes.bullet_list),
    "Mod-Shift-9": toggleQuote,
    "Shift-Enter": chainCommands(exitCode, (state, dispatch) => {
      if (dispatch) dispatch(state.tr.replaceSelectionWith(nodes.hard_break.create()).scrollIntoView());
      return true;
    }),
    Enter: splitListItem(nodes.list_item),
    Tab: sinkListItem(nodes.list_item),
    "Shift-Tab": liftListItem(nodes.list_item),
  };
  return keymap(bindings);
}

function rules() {
  return inputRules({
    rules: [
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      wrappingInputRule(/^(\d+)\.\s$/, nodes.ordered_list, (m) => ({ order: +m[1] }), (m, node) => node.childCount + node.attrs.order == +m[1]),
      wrappingInputRule(/^\s*([-+*])\s$/, nodes.bullet_list),
      textblockTypeInputRule(/^```$/, nodes.code_block),
      textblockTypeInputRule(/^(#{2,6})\s$/, nodes.heading, (m) => ({ level: m[1].length })),
      new InputRule(/^(?:---|\*\*\*|___)$/, (state, match, start, end) => {
        const $start = state.doc.resolve(start);
        if ($start.parent.type != nodes.paragraph || $start.parent.textContent.length != 3) return null;
        return state.tr.replaceRangeWith($start.before(), $start.after(), nodes.horizontal_rule.create()).insert($start.before() + 1, nodes.paragraph.create());
      }),
    ],
  });
}

// --- The editor on the page ------------------------------------------------------------------

function start() {
  const form = document.getElementById("article_form");
  const textarea = form && form.elements.namedItem("body");
  const context = document.getElementById("article-edit-context");
  if (!textarea || !context || textarea.dataset.richEditor) return;
  textarea.dataset.richEditor = "1";
  const label = document.querySelector("label[for='" + textarea.id + "']");
  if (label && !label.id) label.id = textarea.id + "_label";
  const host = el("div", { class: "rich-editor" });
  const modes = el("div", { class: "body-modes" });
  const toggle = el("button", { type: "button", class: "button body-mode-toggle", "aria-pressed": "false", "aria-controls": textarea.id }, "Markdown");
  const help = el("p", { class: "help body-editor-help", id: textarea.id + "_editor_help" },
    "Formatted text, saved as Markdown. " + MOD + "B bold, " + MOD + "I italic, " + MOD + "K link, " +
    (MAC ? "⌘⌥" : "Ctrl+Alt+") + "1 / 2 heading / subheading, " + (MAC ? "⌘⇧" : "Ctrl+Shift+") + "8 / 7 lists. “Markdown” shows the source.");
  modes.append(toggle, help);

  const oldToolbar = textarea.closest(".markdown-editor")?.querySelector(".markdown-toolbar");
  const panes = textarea.closest(".markdown-panes") || textarea.parentNode;
  panes.insertBefore(host, textarea);
  (oldToolbar || host).parentNode.insertBefore(modes, oldToolbar || host);

  // Only a change made here rewrites the source: opening and saving keeps the Markdown as it was.
  let view, written = textarea.value, timer = null, dirty = false;
  const editorContext = {
    picturesUrl: context.dataset.picturesUrl,
    uploadUrl: context.dataset.pictureUploadUrl,
    openLink: () => link.open(),
    choosePicture: () => picker.open(),
  };
  const link = linkForm(() => view);
  const picker = picturePicker(editorContext, (attrs) => insertExtension(view, attrs));

  function write() {
    clearTimeout(timer);
    timer = null;
    if (!dirty) return;
    const markdown = toMarkdown(view.state.doc);
    if (markdown == written) return;
    written = markdown;
    textarea.value = markdown;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function documentOf(source) {
    try {
      return parseMarkdown(source);
    } catch (error) {
      return null;
    }
  }

  let doc = documentOf(textarea.value);
  view = new EditorView(host, {
    state: EditorState.create({ doc: doc || parseMarkdown(""), plugins: plugins() }),
    attributes: {
      id: textarea.id + "_rich",
      class: "rich-body article-preview",
      role: "textbox",
      "aria-multiline": "true",
      "aria-labelledby": label ? label.id : "",
      "aria-describedby": help.id,
      spellcheck: "true",
    },
    nodeViews: { extension: (node, v, getPos) => new ExtensionView(node, v, getPos, editorContext) },
    clipboardTextParser: undefined,
    transformPastedHTML: cleanPastedHTML,
    handleDrop: (v, event) => dropFiles(v, event),
    handlePaste: (v, event) => pasteFiles(v, event),
    dispatchTransaction(tr) {
      const state = view.state.apply(tr);
      view.updateState(state);
      tools.update(state);
      if (tr.docChanged) {
        dirty = true;
        clearTimeout(timer);
        timer = setTimeout(write, 250);
      }
    },
  });
  const tools = toolbar(view, buildTools(view, editorContext));
  // Above the two panes (the editor or its source, and the preview), where the source's toolbar is.
  modes.after(tools.bar, link.box);
  document.body.append(picker.dialog);  // its upload is a form of its own, outside the article's
  tools.update(view.state);

  function plugins() {
    return [rules(), keys(editorContext), keymap(baseKeymap), history(), dropCursor(), gapCursor()];
  }

  // Pictures dropped or pasted into the body: uploaded, then placed where they fell.
  function imagesOf(list) {
    return Array.from(list || []).filter((file) => /^image\//.test(file.type));
  }
  function placeUploads(v, files, pos) {
    files.forEach((file) => picker.uploadThenPlace(file, (attrs) => insertExtension(v, attrs, pos)));
  }
  function dropFiles(v, event) {
    const files = imagesOf(event.dataTransfer && event.dataTransfer.files);
    if (!files.length) return false;
    event.preventDefault();
    const at = v.posAtCoords({ left: event.clientX, top: event.clientY });
    placeUploads(v, files, at ? at.pos : v.state.selection.from);
    return true;
  }
  function pasteFiles(v, event) {
    const files = imagesOf(event.clipboardData && event.clipboardData.files);
    if (!files.length) return false;
    event.preventDefault();
    placeUploads(v, files, v.state.selection.from);
    return true;
  }

  // The Markdown source, for those who prefer it.
  function showSource(on) {
    if (on) write();
    else {
      if (textarea.value != written) {
        const parsed = documentOf(textarea.value);
        if (parsed) {
          view.updateState(EditorState.create({ doc: parsed, plugins: plugins() }));
          written = textarea.value;
          dirty = false;
        }
      }
    }
    toggle.setAttribute("aria-pressed", String(on));
    // The label names whichever of the two is shown (a hidden one would still answer to it).
    if (label) {
      if (on) label.setAttribute("for", textarea.id);
      else label.removeAttribute("for");
    }
    if (on) view.dom.removeAttribute("aria-labelledby");
    else if (label) view.dom.setAttribute("aria-labelledby", label.id);
    textarea.hidden = !on;
    host.hidden = on;
    tools.bar.hidden = on;
    if (oldToolbar) oldToolbar.hidden = !on;
    document.body.classList.toggle("body-source-shown", on);
    try { localStorage.setItem("newsroom-body-mode", on ? "markdown" : "rich"); } catch (e) { /* off */ }
    tools.update(view.state);
  }
  if (label) label.addEventListener("click", () => { if (!host.hidden) view.focus(); });
  toggle.addEventListener("click", () => {
    showSource(toggle.getAttribute("aria-pressed") != "true");
    (toggle.getAttribute("aria-pressed") == "true" ? textarea : view).focus();
  });
  // Someone (a restored draft, the merge) changed the source: show it.
  textarea.addEventListener("body:replaced", () => {
    const parsed = documentOf(textarea.value);
    if (parsed) {
      view.updateState(EditorState.create({ doc: parsed, plugins: plugins() }));
      written = textarea.value;
      dirty = false;
      tools.update(view.state);
    }
  });
  form.addEventListener("submit", () => { if (!host.hidden) write(); }, true);
  form.addEventListener("formdata", () => { if (!host.hidden && timer) write(); });

  let preferred = null;
  try { preferred = localStorage.getItem("newsroom-body-mode"); } catch (e) { /* off */ }
  showSource(!doc || preferred == "markdown");

  leadPicture(form, picker);

  performance.mark("body-editor-ready");
  window.newsroomBodyEditor = { view, write, roundTrip, markdown: () => toMarkdown(view.state.doc), showSource, insertExtension: (attrs, at) => insertExtension(view, attrs, at) };
  document.dispatchEvent(new CustomEvent("body-editor:ready"));
}

/* The lead picture is chosen with the body's picker (thumbnails, search, upload inside it): the
   choice is set on the lead image's own field, which the form saves as before. */
function leadPicture(form, picker) {
  const select = form.elements.namedItem("lead_image");
  if (!select) return;
  const choose = el("button", { type: "button", class: "button lead-picture-choose" }, "Choose with thumbnails…");
  (select.closest(".related-widget-wrapper") || select).after(choose);
  choose.addEventListener("click", () => picker.open((attrs) => {
    const id = attrs.value;
    let option = Array.from(select.options).find((candidate) => candidate.value == id);
    if (!option) {
      option = new Option(knownPicture(id) ? knownPicture(id).title : "Picture " + id, id);
      select.append(option);
    }
    select.value = id;
    select.dispatchEvent(new Event("change", { bubbles: true }));  // select2 and the social card listen
    choose.focus();
  }, "Choose the lead picture"));
}

if (document.readyState == "loading") document.addEventListener("DOMContentLoaded", start);
else start();
