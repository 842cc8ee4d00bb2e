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

from articles.body import embed_of
from articles.text import markup_found, plain_text

HEADLINE_MAX = 200

_BLOCK_COMMENT = re.compile(r"<!--.*?-->", re.S)
_EMBED_BLOCK = re.compile(r'<!--\s*wp:(?:core-)?embed\b[^>]*?"url"\s*:\s*"([^"]+)"[^>]*-->.*?<!--\s*/wp:[^>]*-->', re.S)
_GALLERY_BLOCK = re.compile(r"<!--\s*wp:gallery\b(.*?)-->(.*?)<!--\s*/wp:gallery\s*-->", re.S)
_EMBED_SHORTCODE = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.S)
_CAPTION_SHORTCODE = re.compile(r"\[(?:caption|wp_caption)\b([^\]]*)\](.*?)\[/(?:caption|wp_caption)\]", re.S)
_CAPTION_ATTRIBUTE = re.compile(r"""\bcaption\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_GALLERY_SHORTCODE = re.compile(r"\[gallery\b([^\]]*)\]")
_MEDIA_SHORTCODE = re.compile(r"\[(audio|video)\b([^\]]*)\](?:.*?\[/\1\])?", re.S)
_URL_IN_ATTRIBUTES = re.compile(r"""=\s*["']?(https?://[^"'\s\]]+)""")
# Shortcodes WordPress or its plugins register: removed from the text (their inner text kept)
# and listed in the report. A bracketed word without attributes ("[sic]") is left alone.
_PAIRED_SHORTCODE = re.compile(r"\[([a-z][\w-]*)\b[^\]]*\](.*?)\[/\1\]", re.S)
_SHORTCODE_WITH_ATTRIBUTES = re.compile(
    r"""\[([a-z][\w-]*)(?:=[^\s\]]+|(?:\s+[\w-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s\]"']+))+)\s*/?\]"""
)
_CODE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.S | re.I)
_KNOWN_BARE_SHORTCODES = re.compile(r"\[/?(playlist|contact-form|googlemaps|wpvideo|polldaddy|archives|sitemap)\b\]")
_BARE_URL_LINE = re.compile(r"^\s*(https?://\S+)\s*$", re.M)
_IFRAME = re.compile(r"<iframe\b[^>]*\bsrc=[\"']([^\"']+)[\"'][^>]*>.*?</iframe>", re.S | re.I)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""\b(src|alt|class)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_TOKEN = re.compile(r"wpblock(\d+)x")


def embed_address(url):
    """The address to embed for `url` when the body format shows it as an embed (a video or a
    post it knows: articles/body.py's `embed_of` decides), or None: it stays a link."""
    url = html.unescape(url or "").strip()
    embed = embed_of(url)
    return url if embed is not None and embed.provider else None


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


class BodyReader:
    """What the importer tells the converter: which library picture an `<img>` is, which
    pictures a gallery shows. The default knows none (pictures become links)."""

    def __init__(self):
        self.blocks = []  # lines for the tokens left in the HTML: [image:N], [gallery:…], [embed:…]
        self.shortcodes = []  # names of shortcodes removed

    def image(self, src, alt, classes):
        """An image library id, else the address to link to, or None."""
        return None

    def gallery(self, ids, pictures):
        """Library ids for a gallery of attachment `ids` (None: the post's attached pictures) or
        of `pictures` ((src, alt, classes) of its <img> tags)."""
        return []

    def caption(self, image_id, text):
        """A caption written in the post for a library picture."""

    def token(self, line):
        self.blocks.append(line)
        return f"wpblock{len(self.blocks) - 1}x"


class _Converter(MarkdownConverter):
    """markdownify with pictures resolved through the importer's BodyReader: a library picture
    is a token replaced by `[image:ID]` on a line of its own, else a link to its address."""

    def __init__(self, reader, **options):
        self.reader = reader
        super().__init__(**options)

    def convert_img(self, el, text, parent_tags):
        src, alt = el.get("src", ""), " ".join((el.get("alt") or "").split())
        classes = el.get("class") or ""
        found = self.reader.image(src, alt, classes if isinstance(classes, str) else " ".join(classes))
        if isinstance(found, int):
            return f"\n\n{self.reader.token(f'[image:{found}]')}\n\n"
        src = found or src
        if not src.startswith(("http://", "https://")):
            return alt
        return f"[{alt or 'Picture'}]({src})"

    def convert_a(self, el, text, parent_tags):
        # A picture linked to its own file or attachment page: the picture alone.
        if _TOKEN.search(text) and not _TOKEN.sub("", text).strip():
            return text
        if re.match(r"^\[[^\]]*\]\([^)]*\)$", text.strip()):
            return text  # a linked picture left as a link: one link, not a link in a link
        return super().convert_a(el, text, parent_tags)

    def convert_figure(self, el, text, parent_tags):
        caption = el.find("figcaption")
        caption_text = " ".join(caption.get_text(" ").split()) if caption else ""
        tokens = _TOKEN.findall(text)
        if caption_text and len(tokens) == 1:
            line = self.reader.blocks[int(tokens[0])]
            if match := re.fullmatch(r"\[image:(\d+)\]", line):
                self.reader.caption(int(match.group(1)), caption_text)
                text = text.replace(self.convert_figcaption(caption, caption_text, parent_tags).strip(), "")
        return f"\n\n{text.strip()}\n\n"

    def convert_figcaption(self, el, text, parent_tags):
        return f"\n\n{text.strip()}\n\n" if text.strip() else ""


def _attributes(tag):
    return {name.lower(): value.strip("\"'") for name, value in _ATTRIBUTE.findall(tag)}


def _gallery_shortcode(reader, match):
    """[gallery ids="3,4"] (or include=), else the post's attached pictures."""
    ids = re.search(r'(?:ids|include)\s*=\s*["\']?([\d,\s]+)', match.group(1))
    found = reader.gallery(re.findall(r"\d+", ids.group(1)) if ids else None, [])
    return _gallery_line(reader, found)


def _gallery_block(reader, match):
    pictures = []
    for tag in _IMG_TAG.findall(match.group(2)):
        attributes = _attributes(tag)
        pictures.append((attributes.get("src", ""), attributes.get("alt", ""), attributes.get("class", "")))
    ids = None
    if not pictures:
        declared = re.search(r'"ids"\s*:\s*\[([\d,\s]*)\]', match.group(1))
        ids = re.findall(r"\d+", declared.group(1)) if declared else None
    return _gallery_line(reader, reader.gallery(ids, pictures))


def _gallery_line(reader, found):
    if not found:
        return ""
    if len(found) == 1:
        return f"\n\n<p>{reader.token(f'[image:{found[0]}]')}</p>\n\n"
    ids = ",".join(str(pk) for pk in found)
    return f"\n\n<p>{reader.token(f'[gallery:{ids}]')}</p>\n\n"


def _embed_or_link(reader, url):
    address = embed_address(url)
    if address:
        return f"\n\n<p>{reader.token(f'[embed:{address}]')}</p>\n\n"
    url = html.unescape(url).strip()
    return f'\n\n<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>\n\n'


def _media_shortcode(reader, match):
    urls = _URL_IN_ATTRIBUTES.findall(match.group(2))
    return _embed_or_link(reader, urls[0]) if urls else ""


def _unknown_shortcode(reader, match, keep):
    reader.shortcodes.append(match.group(1))
    return match.group(2) if keep else ""


def _remove_shortcodes(reader, text):
    for _ in range(3):  # nested pairs, innermost last
        text = _PAIRED_SHORTCODE.sub(lambda m: _unknown_shortcode(reader, m, keep=True), text)
    text = _SHORTCODE_WITH_ATTRIBUTES.sub(lambda m: _unknown_shortcode(reader, m, keep=False), text)
    return _KNOWN_BARE_SHORTCODES.sub(lambda m: reader.shortcodes.append(m.group(1)) or "", text)


def body_markdown(content, reader=None):
    """The post's HTML as Markdown in the Newsroom body format; `reader` (a BodyReader) finds
    the library pictures and collects what was removed."""
    reader = reader or BodyReader()
    text = content or ""
    text = _GALLERY_BLOCK.sub(lambda m: _gallery_block(reader, m), text)
    text = _EMBED_BLOCK.sub(lambda m: _embed_or_link(reader, m.group(1)), text)
    text = _EMBED_SHORTCODE.sub(lambda m: _embed_or_link(reader, m.group(1)), text)
    text = _CAPTION_SHORTCODE.sub(lambda m: f"\n\n{_caption(m)}\n\n", text)
    text = _GALLERY_SHORTCODE.sub(lambda m: _gallery_shortcode(reader, m), text)
    text = _MEDIA_SHORTCODE.sub(lambda m: _media_shortcode(reader, m), text)
    # Code is shown as written: no shortcode is looked for in it.
    text = "".join(part if n % 2 else _remove_shortcodes(reader, part) for n, part in enumerate(_CODE.split(text)))
    text = _BLOCK_COMMENT.sub("", text)
    text = _IFRAME.sub(lambda m: _embed_or_link(reader, m.group(1)), text)
    # A URL alone on its line is a classic-editor embed (oEmbed).
    text = _BARE_URL_LINE.sub(lambda m: _embed_or_link(reader, m.group(1)), text)
    text = autop(text)
    safe = nh3.clean(
        text,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    converter = _Converter(reader, heading_style="ATX", bullets="-", escape_misc=False)
    markdown = converter.convert(safe)
    markdown = _TOKEN.sub(lambda m: f"\n\n{reader.blocks[int(m.group(1))]}\n\n", markdown)
    markdown = "\n".join(line.strip() if _BLOCK_LINE.match(line.strip()) else line for line in markdown.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", markdown).strip()


_BLOCK_LINE = re.compile(r"^\[(?:image|gallery|embed):[^\]]+\]$")


def _caption(match):
    """[caption]<img> Text[/caption] (or caption="Text", as older WordPress wrote it) → a figure
    with its caption."""
    inner = match.group(2).strip()
    attribute = _CAPTION_ATTRIBUTE.search(match.group(1))
    split = re.match(r"^((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", inner, re.S | re.I)
    if not split:
        return f"<figure>{inner}</figure>"
    caption = split.group(2).strip() or (attribute and (attribute.group(1) or attribute.group(2))) or ""
    return f"<figure>{split.group(1)}<figcaption>{caption}</figcaption></figure>"
