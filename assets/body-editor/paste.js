/* What a paste from Google Docs, Word, LibreOffice or a web page brings: its structure
   (headings, bold, italic, links, lists, quotes), never its fonts, colours, comments, scripts
   or tracking pixels. The schema's own DOM rules keep only what it models (spans, fonts and
   colours fall away by themselves); this mends what those programs put on the clipboard in
   their own ways: Word's lists are paragraphs with bullets typed in, Google wraps links in
   redirects, both paste their comments with the text. */

const DROPPED = "script, style, meta, link, title, img, picture, video, audio, iframe, object, embed, svg, canvas, noscript, form, input, button, select, textarea";
// Comments and their markers: Google Docs (#cmnt), Word (MsoCommentReference, comment lists).
const COMMENTS = [
  'a[href^="#cmnt"]',
  "sup:has(> a[href^='#cmnt'])",
  ".MsoCommentReference",
  "[style*='mso-element:comment']",
  ".msocomoff",
  ".msocomtxt",
  'a[href^="#_msocom"]',
].join(", ");

function unwrap(node) {
  node.replaceWith(...node.childNodes);
}

function cleanLink(a) {
  let href = a.getAttribute("href") || "";
  // Google Docs: https://www.google.com/url?q=<the address>&sa=D…
  try {
    const url = new URL(href, "https://invalid.invalid/");
    if (/(^|\.)google\.[a-z.]+$/.test(url.hostname) && url.pathname == "/url" && url.searchParams.get("q")) href = url.searchParams.get("q");
  } catch (e) { /* kept as it is */ }
  if (!/^(https?:|mailto:)/i.test(href)) {
    unwrap(a);
    return;
  }
  for (const name of Array.from(a.attributes)) if (name.name != "href" && name.name != "title") a.removeAttribute(name.name);
  a.setAttribute("href", href);
}

const WORD_LIST = /mso-list:\s*l\d+\s+level(\d+)/i;
const ORDERED_MARKER = /^\s*(\d+|[a-z]|[ivxlc]+)[.)]/i;

/* Word's list items are paragraphs styled mso-list:lN levelM, their bullet or number typed in a
   span Word alone hides (mso-list:Ignore): real nested lists instead. */
function wordLists(root) {
  const doc = root.ownerDocument;
  let stack = [], top = null;
  for (const p of Array.from(root.querySelectorAll("p, h1, h2, h3, h4, h5, h6, div"))) {
    const found = WORD_LIST.exec(p.getAttribute("style") || "");
    if (!found) continue;
    const level = Math.max(1, +found[1]);
    const marker = p.querySelector("[style*='mso-list:Ignore'], [style*='mso-list: Ignore']");
    const ordered = marker ? ORDERED_MARKER.test(marker.textContent) : false;
    if (marker) marker.remove();
    if (!top || p.previousElementSibling !== top) {
      stack = [];
      top = null;
    }
    stack.length = Math.min(stack.length, level);
    while (stack.length < level) {
      const list = doc.createElement(ordered ? "ol" : "ul");
      if (!stack.length) {
        p.before(list);
        top = list;
      } else {
        const parent = stack[stack.length - 1];
        let item = parent.lastElementChild;
        if (!item) parent.append((item = doc.createElement("li")));
        item.append(list);
      }
      stack.push(list);
    }
    const item = doc.createElement("li");
    item.append(...p.childNodes);
    stack[level - 1].append(item);
    p.remove();
  }
}

export function cleanPastedHTML(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const root = doc.body;
  const comments = doc.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  const found = [];
  while (comments.nextNode()) found.push(comments.currentNode);
  found.forEach((comment) => comment.remove());
  // Google Docs' comments themselves first (a block at the end holding a#cmnt1), then their markers.
  root.querySelectorAll('a[id^="cmnt"]:not([id^="cmnt_ref"])').forEach((a) => (a.closest("div, p") || a).remove());
  root.querySelectorAll(COMMENTS).forEach((node) => node.remove());
  root.querySelectorAll(DROPPED).forEach((node) => node.remove());
  wordLists(root);
  root.querySelectorAll("a").forEach(cleanLink);
  // Word's quotation style, a paragraph: a quotation.
  root.querySelectorAll("p.MsoQuote, p.MsoIntenseQuote").forEach((p) => {
    const quote = doc.createElement("blockquote");
    p.replaceWith(quote);
    quote.append(p);
  });
  root.querySelectorAll("o\\:p").forEach(unwrap);
  // Colours, fonts and sizes go; weight and slant stay for the schema's bold and italic rules.
  root.querySelectorAll("[style]").forEach((node) => {
    const kept = [];
    const weight = node.style.fontWeight, slant = node.style.fontStyle;
    if (weight) kept.push("font-weight:" + weight);
    if (slant) kept.push("font-style:" + slant);
    if (kept.length) node.setAttribute("style", kept.join(";"));
    else node.removeAttribute("style");
  });
  root.querySelectorAll("[class], [id], [onclick], [onmouseover]").forEach((node) => {
    if (node.id && node.id.startsWith("docs-internal-guid")) return; // Google's "not bold" wrapper is read by the schema
    ["class", "onclick", "onmouseover", "id", "lang", "dir"].forEach((name) => node.removeAttribute(name));
  });
  return root.innerHTML;
}
