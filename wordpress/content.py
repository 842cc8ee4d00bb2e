"""WordPress post HTML (classic or block editor) → the Markdown bodies and plain-text
headlines Newsroom keeps.

The HTML is first cut down to an allowlist by nh3 (scripts, styles, iframes and event
handlers go), then converted to Markdown; the article's own save renders and
sanitises that Markdown again, so nothing from the export reaches readers unchecked.
Pictures become `[image:ID]` lines when the importer has the file, links otherwise;
embeds (video, social posts) become links to what they showed."""

import html
import re

import nh3
from markdownify import MarkdownConverter

from articles.text import markup_found, plain_text

HEADLINE_MAX = 200

_BLOCK_COMMENT = re.compile(r"<!--.*?-->", re.S)
_EMBED_BLOCK = re.compile(r'<!--\s*wp:(?:core-)?embed\b[^>]*?"url"\s*:\s*"([^"]+)"[^>]*-->.*?<!--\s*/wp:[^>]*-->', re.S)
_EMBED_SHORTCODE = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.S)
_CAPTION_SHORTCODE = re.compile(r"\[caption[^\]]*\](.*?)\[/caption\]", re.S)
_GALLERY_SHORTCODE = re.compile(r"\[gallery\b([^\]]*)\]")
_OTHER_SHORTCODE = re.compile(r"\[/?[a-z_-]+(?:\s[^\]]*)?\]")
_BARE_URL_LINE = re.compile(r"^\s*(https?://\S+)\s*$", re.M)
_IFRAME = re.compile(r"<iframe\b[^>]*\bsrc=[\"']([^\"']+)[\"'][^>]*>.*?</iframe>", re.S | re.I)

_ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "del", "sup", "sub",
    "a", "ul", "ol", "li", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
    "figure", "figcaption", "img", "abbr", "cite",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "class"}, "abbr": {"title"}}


def plain_headline(title):
    """A WordPress title ("Title <em>With</em> &amp; entities") as a plain-text headline, or "" if nothing is left."""
    text = title or ""
    # Exporters escape titles once or twice ("&amp;#8217;"): strip tags and unescape until stable.
    for _ in range(3):
        unescaped = html.unescape(nh3.clean(text, tags=set()))
        if unescaped == text:
            break
        text = unescaped
    text = plain_text(nh3.clean(text, tags=set()).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    text = html.unescape(text)
    if markup_found(text):
        text = re.sub(r"[<>*_`~#\[\]]|&(?=[a-zA-Z#])", "", text)
    return _cut(" ".join(text.split()), HEADLINE_MAX)


def headline_from_text(excerpt, body_markdown):
    """A headline for a post without a title: the excerpt's or the body's first sentence."""
    for source in (excerpt, body_markdown):
        text = plain_headline(re.sub(r"\[image:\d+\]", " ", plain_text(source or "")))
        if text:
            sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
            return _cut(sentence.rstrip("."), HEADLINE_MAX)
    return "Untitled"


def _cut(text, limit):
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def autop(text):
    """WordPress's classic editor stores paragraphs as blank lines, not <p>: add them (as wpautop does)."""
    if re.search(r"<p[\s>]", text, re.I):
        return text
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "\n".join(
        block if re.match(r"<(?:h\d|ul|ol|blockquote|figure|table|pre|hr)\b", block, re.I) else f"<p>{block}</p>"
        for block in blocks
    )


class _Converter(MarkdownConverter):
    """markdownify with pictures resolved through the importer: `resolve_image` returns an image
    library id (shown as `[image:ID]` on a line of its own), else the address the picture had
    (shown as a link), or None."""

    def __init__(self, resolve_image, **options):
        self.resolve_image = resolve_image
        super().__init__(**options)

    def convert_img(self, el, text, parent_tags):
        src, alt = el.get("src", ""), " ".join((el.get("alt") or "").split())
        classes = el.get("class") or ""
        found = self.resolve_image(src, alt, classes if isinstance(classes, str) else " ".join(classes))
        if isinstance(found, int):
            return f"\n\n[image:{found}]\n\n"
        src = found or src
        if not src.startswith(("http://", "https://")):
            return alt
        return f"[{alt or 'Picture'}]({src})"

    def convert_figure(self, el, text, parent_tags):
        return f"\n\n{text.strip()}\n\n"

    def convert_figcaption(self, el, text, parent_tags):
        return f"\n\n{text.strip()}\n\n" if text.strip() else ""


def _gallery(match):
    """[gallery ids="3,4"] → the attachments' pictures (the class is how blocks name them too)."""
    ids = re.search(r'ids\s*=\s*["\']?([\d,\s]+)', match.group(1))
    if not ids:
        return ""
    pictures = "".join(
        f'<figure><img class="wp-image-{pk}" alt=""></figure>' for pk in re.findall(r"\d+", ids.group(1))
    )
    return f"\n\n{pictures}\n\n"


def body_markdown(content, resolve_image=lambda src, alt, classes: None):
    """The post's HTML as Markdown. `resolve_image(src, alt, classes)` returns an image library id,
    the picture's original address, or None."""
    text = content or ""
    text = _EMBED_BLOCK.sub(
        lambda m: f'\n\n<p><a href="{html.escape(m.group(1))}">{html.escape(m.group(1))}</a></p>\n\n', text
    )
    text = _EMBED_SHORTCODE.sub(lambda m: f"\n\n{m.group(1).strip()}\n\n", text)
    text = _CAPTION_SHORTCODE.sub(lambda m: f"\n\n<figure>{m.group(1)}</figure>\n\n", text)
    text = _GALLERY_SHORTCODE.sub(_gallery, text)
    text = _OTHER_SHORTCODE.sub("", text)
    text = _BLOCK_COMMENT.sub("", text)
    text = _IFRAME.sub(lambda m: f'<a href="{html.escape(m.group(1))}">{html.escape(m.group(1))}</a>', text)
    # A URL alone on its line is a classic-editor embed (oEmbed): keep it as a link.
    text = _BARE_URL_LINE.sub(lambda m: f'<a href="{html.escape(m.group(1))}">{html.escape(m.group(1))}</a>', text)
    text = autop(text)
    safe = nh3.clean(
        text,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    converter = _Converter(resolve_image, heading_style="ATX", bullets="-", escape_misc=False)
    markdown = converter.convert(safe)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip()
