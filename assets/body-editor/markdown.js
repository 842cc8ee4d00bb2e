/* The body's Markdown as a ProseMirror document and back: the dialect articles/body.py reads
   (markdown-it, CommonMark + tables + strikethrough, no Markdown images, our [image:N],
   [gallery:…] and [embed:…] lines). What the editor does not model (tables, raw HTML blocks,
   anything unknown) is kept as a block of its own source, never rewritten. */
import MarkdownIt from "markdown-it";
import { MarkdownParser, MarkdownSerializer, MarkdownSerializerState } from "prosemirror-markdown";
import { Schema } from "prosemirror-model";

// --- The schema ---------------------------------------------------------------------------

export const schema = new Schema({
  nodes: {
    // Extensions live at the top level only, as body.py reads them.
    doc: { content: "(block | extension)+" },
    paragraph: { content: "inline*", group: "block", parseDOM: [{ tag: "p" }], toDOM: () => ["p", 0] },
    blockquote: { content: "block+", group: "block", defining: true, parseDOM: [{ tag: "blockquote" }], toDOM: () => ["blockquote", 0] },
    horizontal_rule: { group: "block", attrs: { markup: { default: "---" } }, parseDOM: [{ tag: "hr" }], toDOM: () => ["hr"] },
    heading: {
      attrs: { level: { default: 2 } },
      content: "inline*",
      group: "block",
      defining: true,
      parseDOM: [1, 2, 3, 4, 5, 6].map((level) => ({ tag: "h" + level, attrs: { level: Math.max(2, level) } })),
      toDOM: (node) => ["h" + node.attrs.level, 0],
    },
    code_block: {
      content: "text*",
      marks: "",
      group: "block",
      code: true,
      defining: true,
      attrs: { params: { default: "" } },
      parseDOM: [{ tag: "pre", preserveWhitespace: "full" }],
      toDOM: () => ["pre", ["code", 0]],
    },
    ordered_list: {
      content: "list_item+",
      group: "block",
      attrs: { order: { default: 1 }, tight: { default: true }, delimiter: { default: "." } },
      parseDOM: [{ tag: "ol", getAttrs: (dom) => ({ order: dom.hasAttribute("start") ? +dom.getAttribute("start") : 1 }) }],
      toDOM: (node) => ["ol", node.attrs.order == 1 ? {} : { start: node.attrs.order }, 0],
    },
    bullet_list: {
      content: "list_item+",
      group: "block",
      attrs: { tight: { default: true }, bullet: { default: "-" } },
      parseDOM: [{ tag: "ul" }],
      toDOM: () => ["ul", 0],
    },
    list_item: { content: "paragraph block*", defining: true, parseDOM: [{ tag: "li" }], toDOM: () => ["li", 0] },
    // Markdown kept as it was written: a table, raw HTML, anything the editor does not model.
    raw_block: {
      content: "text*",
      marks: "",
      group: "block",
      code: true,
      defining: true,
      toDOM: () => ["pre", { class: "raw-markdown", "data-label": "Markdown kept as written" }, ["code", 0]],
    },
    // [image:N], [gallery:…], [embed:…]: one line of its own, drawn by a node view.
    extension: {
      group: "extension",
      atom: true,
      selectable: true,
      draggable: true,
      attrs: { kind: { default: "image" }, value: { default: "" } },
      toDOM: (node) => ["figure", { class: "body-extension", "data-line": extensionLine(node.attrs) }],
      parseDOM: [{ tag: "figure.body-extension[data-line]", getAttrs: (dom) => extensionAttrs(dom.getAttribute("data-line")) || false }],
    },
    text: { group: "inline" },
    hard_break: { inline: true, group: "inline", selectable: false, parseDOM: [{ tag: "br" }], toDOM: () => ["br"] },
    // Inline HTML as typed (<abbr title="…">, <sup>): shown as its source, kept as it is.
    raw_inline: {
      inline: true,
      group: "inline",
      atom: true,
      attrs: { html: { default: "" } },
      toDOM: (node) => ["code", { class: "raw-inline", title: "HTML kept as written" }, node.attrs.html],
    },
  },
  marks: {
    link: {
      attrs: { href: {}, title: { default: null } },
      inclusive: false,
      parseDOM: [{ tag: "a[href]", getAttrs: (dom) => ({ href: dom.getAttribute("href"), title: dom.getAttribute("title") }) }],
      toDOM: (mark) => ["a", { href: mark.attrs.href, title: mark.attrs.title, rel: "noopener noreferrer" }, 0],
    },
    em: { parseDOM: [{ tag: "i" }, { tag: "em" }, { style: "font-style=italic" }], toDOM: () => ["em", 0] },
    strong: {
      parseDOM: [
        { tag: "strong" },
        // Google Docs wraps a whole paste in <b style="font-weight:normal">: not bold.
        { tag: "b", getAttrs: (node) => node.style.fontWeight != "normal" && null },
        { style: "font-weight", getAttrs: (value) => /^(bold(er)?|[6-9]\d\d)$/.test(value) && null },
      ],
      toDOM: () => ["strong", 0],
    },
    strike: { parseDOM: [{ tag: "s" }, { tag: "del" }, { tag: "strike" }], toDOM: () => ["s", 0] },
    code: { parseDOM: [{ tag: "code" }], toDOM: () => ["code", 0] },
  },
});

// --- Our extension lines, exactly as body.py reads them ---------------------------------------

const EXTENSION_LINE = /^\[(image|gallery|embed):([^\]\s]+)\]$/;
const PICTURE_ID = /^[1-9][0-9]{0,17}$/;
const GALLERY_MAX = 24;
const SAFE_URL = /^[^\s"'<>\\`^{|}]+$/;

function embedOk(url) {
  if (!SAFE_URL.test(url)) return false;
  try {
    const parts = new URL(url);
    return (parts.protocol == "http:" || parts.protocol == "https:") && !!parts.hostname;
  } catch (e) {
    return false;
  }
}

export function extensionAttrs(line) {
  const match = EXTENSION_LINE.exec(line || "");
  if (!match) return null;
  const [, kind, value] = match;
  if (kind == "image") return PICTURE_ID.test(value) ? { kind, value } : null;
  if (kind == "gallery") {
    const ids = value.split(",");
    return ids.length >= 1 && ids.length <= GALLERY_MAX && ids.every((id) => PICTURE_ID.test(id)) ? { kind, value } : null;
  }
  return embedOk(value) ? { kind, value } : null;
}

export function extensionLine(attrs) {
  return "[" + attrs.kind + ":" + attrs.value + "]";
}

function extensionBlock(state, startLine, endLine, silent) {
  if (state.level != 0 || state.sCount[startLine] - state.blkIndent >= 4) return false;
  const line = state.src.slice(state.bMarks[startLine] + state.tShift[startLine], state.eMarks[startLine]).replace(/\s+$/, "");
  const attrs = extensionAttrs(line);
  if (!attrs) return false;
  if (startLine + 1 < endLine && !state.isEmpty(startLine + 1)) return false;
  if (!silent) {
    const token = state.push("body_extension", "", 0);
    token.map = [startLine, startLine + 1];
    token.meta = attrs;
  }
  state.line = startLine + 1;
  return true;
}

// The server's parser: articles/body.py.
export const markdownIt = MarkdownIt("commonmark", { maxNesting: 10 }).enable(["table", "strikethrough"]).disable("image");
markdownIt.block.ruler.before("fence", "body_extension", extensionBlock);

// --- Markdown → document ------------------------------------------------------------------

function listIsTight(tokens, i) {
  while (++i < tokens.length) if (tokens[i].type != "list_item_open") return tokens[i].hidden;
  return false;
}

const TOKENS = {
  blockquote: { block: "blockquote" },
  paragraph: { block: "paragraph" },
  list_item: { block: "list_item" },
  bullet_list: { block: "bullet_list", getAttrs: (tok, tokens, i) => ({ tight: listIsTight(tokens, i), bullet: tok.markup || "-" }) },
  ordered_list: {
    block: "ordered_list",
    getAttrs: (tok, tokens, i) => ({ order: +tok.attrGet("start") || 1, tight: listIsTight(tokens, i), delimiter: tok.markup || "." }),
  },
  heading: { block: "heading", getAttrs: (tok) => ({ level: +tok.tag.slice(1) }) },
  code_block: { block: "code_block", noCloseToken: true },
  fence: { block: "code_block", getAttrs: (tok) => ({ params: tok.info || "" }), noCloseToken: true },
  hr: { node: "horizontal_rule", getAttrs: (tok) => ({ markup: tok.markup || "---" }) },
  hardbreak: { node: "hard_break" },
  html_inline: { node: "raw_inline", getAttrs: (tok) => ({ html: tok.content }) },
  body_extension: { node: "extension", getAttrs: (tok) => ({ kind: tok.meta.kind, value: tok.meta.value }) },
  raw_markdown: { block: "raw_block", noCloseToken: true },
  em: { mark: "em" },
  strong: { mark: "strong" },
  s: { mark: "strike" },
  link: { mark: "link", getAttrs: (tok) => ({ href: tok.attrGet("href"), title: tok.attrGet("title") || null }) },
  code_inline: { mark: "code", noCloseToken: true },
};
const KNOWN = new Set(["text", "inline", "softbreak"]);
for (const name of Object.keys(TOKENS)) {
  const spec = TOKENS[name];
  if (spec.noCloseToken || spec.node || name == "code_inline") KNOWN.add(name);
  else KNOWN.add(name + "_open").add(name + "_close");
}
KNOWN.add("code_block").add("fence");

function understood(token) {
  return KNOWN.has(token.type) && (!token.children || token.children.every(understood));
}

/* The body's tokens, each top-level block the editor cannot model replaced by one
   `raw_markdown` token holding its source lines. */
let lastBlocks = [];
function tokenize(source) {
  const tokens = markdownIt.parse(source, {});
  const lines = source.split("\n");
  const out = [];
  lastBlocks = [];
  for (let i = 0; i < tokens.length; ) {
    let end = i;
    if (tokens[i].nesting == 1) {
      let depth = 0;
      for (; end < tokens.length; end++) {
        depth += tokens[end].nesting;
        if (depth == 0) break;
      }
    }
    const block = tokens.slice(i, end + 1);
    const [from, to] = tokens[i].map || [0, 0];
    const source = lines.slice(from, to).join("\n").replace(/\n+$/, "");
    if (block.every(understood)) {
      out.push(...block);
      lastBlocks.push({ tokens: block, source });
    } else {
      out.push({ type: "raw_markdown", content: source, nesting: 0, block: true, attrGet: () => null });
      lastBlocks.push({ raw: true });
    }
    i = end + 1;
  }
  return out;
}

const parser = new MarkdownParser(schema, { parse: tokenize }, TOKENS);
// A line break inside a paragraph stays one: the reader's HTML keeps it, and so does the merge by paragraph.
parser.tokenHandlers.softbreak = (state) => state.addText("\n");

/* The document of `source`. A block the editor would write back differently for readers
   (the same emphasis nested in itself, which ProseMirror's marks cannot hold) is kept as its
   source instead. */
export function parseMarkdown(source) {
  const doc = parser.parse((source || "").replace(/\r\n?/g, "\n"));
  const blocks = lastBlocks;
  if (doc.childCount != blocks.length) return doc;
  let kept = false;
  const children = [];
  doc.forEach((child, _, i) => {
    const block = blocks[i];
    if (!block.raw) {
      const before = markdownIt.renderer.render(block.tokens, markdownIt.options, {});
      const after = markdownIt.render(serializer.serialize(schema.topNodeType.create(null, [child]), { tightLists: true }));
      // markdown-it 14 (JS) and markdown-it-py disagree on a code span inside link text
      // ("[a `b](c) `"): a block holding both is kept as written unless it comes back unchanged.
      const risky = /`/.test(block.source) && /\[/.test(block.source);
      if (before != after || (risky && serializer.serialize(schema.topNodeType.create(null, [child]), { tightLists: true }) != block.source)) {
        kept = true;
        child = schema.nodes.raw_block.create(null, block.source ? schema.text(block.source) : null);
      }
    }
    children.push(child);
  });
  return kept ? schema.topNodeType.create(null, children) : doc;
}

// --- Document → Markdown ------------------------------------------------------------------

// Characters that would start what the text does not mean: raw HTML, entities, a "1)" list.
const baseEsc = MarkdownSerializerState.prototype.esc;
MarkdownSerializerState.prototype.esc = function (str, startOfLine = false) {
  str = baseEsc.call(this, str, startOfLine);
  str = str.replace(/<(?=[A-Za-z\/!?])|&(?=#?[0-9A-Za-z]+;)/g, "\\$&");
  if (startOfLine) str = str.replace(/^(\s*\d+)\)(\s|$)/, "$1\\)$2").replace(/^(\s*)([=]+|[-]{2,}|[_]{3,})\s*$/, "$1\\$2").replace(/^(\s*)\+$/, "$1\\+");
  return str;
};

function listSerializer(ordered) {
  return (state, node) => {
    if (ordered) {
      const start = node.attrs.order ?? 1;
      const width = String(start + node.childCount - 1).length;
      const space = state.repeat(" ", width + 2);
      state.renderList(node, space, (i) => {
        const number = String(start + i);
        return state.repeat(" ", width - number.length) + number + (node.attrs.delimiter || ".") + " ";
      });
    } else {
      state.renderList(node, "  ", () => (node.attrs.bullet || "-") + " ");
    }
  };
}

export const serializer = new MarkdownSerializer(
  {
    blockquote(state, node) {
      state.wrapBlock("> ", null, node, () => state.renderContent(node));
    },
    code_block(state, node) {
      const backticks = node.textContent.match(/`{3,}/gm);
      const fence = backticks ? backticks.sort().slice(-1)[0] + "`" : "```";
      state.write(fence + (node.attrs.params || "") + "\n");
      state.text(node.textContent, false);
      state.ensureNewLine();
      state.write(fence);
      state.closeBlock(node);
    },
    heading(state, node) {
      state.write(state.repeat("#", node.attrs.level) + " ");
      state.renderInline(node, false);
      state.closeBlock(node);
    },
    horizontal_rule(state, node) {
      state.write(node.attrs.markup || "---");
      state.closeBlock(node);
    },
    bullet_list: listSerializer(false),
    ordered_list: listSerializer(true),
    list_item(state, node) {
      state.renderContent(node);
    },
    paragraph(state, node) {
      state.renderInline(node);
      state.closeBlock(node);
    },
    raw_block(state, node) {
      state.text(node.textContent, false);
      state.closeBlock(node);
    },
    extension(state, node) {
      state.write(extensionLine(node.attrs));
      state.closeBlock(node);
    },
    raw_inline(state, node) {
      state.write(node.attrs.html);
    },
    hard_break(state, node, parent, index) {
      for (let i = index + 1; i < parent.childCount; i++)
        if (parent.child(i).type != node.type) {
          state.write("\\\n");
          return;
        }
    },
    text(state, node) {
      // Each line of a paragraph escaped as a line's start: "- 3 °C" stays text.
      node.text.split("\n").forEach((line, i) => {
        if (i) state.text("\n", false);
        if (state.inAutolink) state.text(line, false);
        else {
          state.write();
          state.out += state.esc(line, i > 0 || state.atBlockStart);
        }
        state.atBlockStart = false;
      });
    },
  },
  {
    em: { open: "*", close: "*", mixable: true, expelEnclosingWhitespace: true },
    strong: { open: "**", close: "**", mixable: true, expelEnclosingWhitespace: true },
    strike: { open: "~~", close: "~~", mixable: true, expelEnclosingWhitespace: true },
    link: {
      open(state, mark, parent, index) {
        state.inAutolink = isPlainURL(mark, parent, index);
        return state.inAutolink ? "<" : "[";
      },
      close(state, mark) {
        const inAutolink = state.inAutolink;
        state.inAutolink = undefined;
        if (inAutolink) return ">";
        const href = /[\s<>]/.test(mark.attrs.href) || mark.attrs.href == "" ? "<" + mark.attrs.href.replace(/[<>]/g, "\\$&") + ">" : mark.attrs.href.replace(/[()"\\]/g, "\\$&");
        return "](" + href + (mark.attrs.title ? ' "' + mark.attrs.title.replace(/["\\]/g, "\\$&") + '"' : "") + ")";
      },
      mixable: true,
    },
    code: {
      open: (_state, _mark, parent, index) => backticksFor(parent.child(index), -1),
      close: (_state, _mark, parent, index) => backticksFor(parent.child(index - 1), 1),
      escape: false,
    },
  },
);

function backticksFor(node, side) {
  const ticks = /`+/g;
  const text = node.isText ? node.text : "";
  let found, len = 0;
  while ((found = ticks.exec(text))) len = Math.max(len, found[0].length);
  const fence = "`".repeat(len + 1);
  // markdown-it takes one space off each side of a span that has both: give it back.
  const pad = /^`|`$/.test(text) || (/^ /.test(text) && / $/.test(text) && /[^ ]/.test(text));
  return side < 0 ? fence + (pad ? " " : "") : (pad ? " " : "") + fence;
}

function isPlainURL(link, parent, index) {
  if (link.attrs.title || !/^\w+:/.test(link.attrs.href) || /^mailto:/i.test(link.attrs.href)) return false;
  const content = parent.child(index);
  if (!content.isText || content.text != link.attrs.href || content.marks[content.marks.length - 1] != link) return false;
  if (/[\s<>]/.test(link.attrs.href)) return false;
  return index == parent.childCount - 1 || !link.isInSet(parent.child(index + 1).marks);
}

export function toMarkdown(doc) {
  return serializer.serialize(doc, { tightLists: true });
}

/* Markdown through the editor and back, as a person who opens and saves would send it. */
export function roundTrip(source) {
  return toMarkdown(parseMarkdown(source));
}
