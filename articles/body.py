"""Article bodies: Markdown (CommonMark + tables + strikethrough) with the newsroom's
extensions, read by one parser.

markdown-it-py is built for linear time on hostile input, where Python-Markdown took 40 s on
8,000 "[". Our extensions are lines of their own that the parser itself recognises (a block
rule), so the renderer and every check that asks "which pictures does this body show"
(`references`) read the same tokens: a spelling the renderer shows is one the check sees.

    [image:42]                  a picture from the library
    [gallery:42,43,44]          several, in a grid
    [embed:https://…]           a video or post, loaded only when the reader asks

Each alone in its paragraph (blank lines around it), at the top level of the body (not in a
list or a quotation), ids without leading zeros. Anything else — `[image:042]`,
`\\[image:42\\]`, `&#91;image:42&#93;`, one inside a sentence — is text, everywhere."""

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import nh3
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html
from markdown_it import MarkdownIt

from images.pictures import placement

# A long feature is 40,000–60,000 characters; 200,000 is three times the longest we keep and
# renders, however hostile, in about 2 s of one core (tests/test_text.py measures it), outside
# any transaction.
BODY_LIMIT = 200_000
body_length = MaxLengthValidator(
    BODY_LIMIT,
    message="A body can be at most %(limit_value)s characters (this one has %(show_value)s): split the "
    "story into parts, or move long documents to a linked page.",
)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "s",
    "del",
    "sup",
    "sub",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# --- The extensions ---------------------------------------------------------------------------

EXTENSION_LINE = re.compile(r"\[(image|gallery|embed):([^\]\s]+)\]")
PICTURE_ID = re.compile(r"[1-9][0-9]{0,17}")
GALLERY_MAX = 24


@dataclass(frozen=True)
class Embed:
    """An address of a video or post: `frame` is what loads on the reader's click (None when
    there is none we can build from the address alone: the post stays a link)."""

    url: str
    provider: str | None = None
    frame: str | None = None

    @property
    def kind(self):
        return "video" if self.provider in ("YouTube", "Vimeo") else "post"


def _youtube(parts):
    if parts.hostname == "youtu.be":
        video = parts.path.strip("/")
    elif parts.path == "/watch":
        video = (parse_qs(parts.query).get("v") or [""])[0]
    elif parts.path.startswith(("/shorts/", "/embed/", "/live/")):
        video = parts.path.split("/")[2]
    else:
        return None
    return f"https://www.youtube-nocookie.com/embed/{video}" if re.fullmatch(r"[\w-]{6,20}", video) else None


def _vimeo(parts):
    match = re.fullmatch(r"/(?:video/)?(\d{1,12})/?", parts.path)
    return f"https://player.vimeo.com/video/{match.group(1)}" if match else None


def _x(parts):
    match = re.fullmatch(r"/(?:[A-Za-z0-9_]{1,15}|i/web)/status/(\d{1,20})/?", parts.path)
    return f"https://platform.twitter.com/embed/Tweet.html?id={match.group(1)}" if match else None


# Bluesky's embed page takes the post's AT address, whose repository is the author's DID. A
# bsky.app address usually names the author by handle instead, and turning a handle into a DID
# asks Bluesky's servers (a network call on every save): such a post stays a link.
BLUESKY_DID = r"did:plc:[a-z2-7]{24}|did:web:[a-z0-9.-]{1,253}"


def _bluesky(parts):
    match = re.fullmatch(rf"/profile/({BLUESKY_DID})/post/([a-z2-7]{{13}})/?", parts.path)
    return f"https://embed.bsky.app/embed/{match.group(1)}/app.bsky.feed.post/{match.group(2)}" if match else None


def _instagram(parts):
    match = re.fullmatch(r"/(?:[\w.]{1,30}/)?(p|reel|tv)/([\w-]{5,40})/?", parts.path)
    return f"https://www.instagram.com/{match.group(1)}/{match.group(2)}/embed/" if match else None


# Host → (provider's name, what loads on the reader's click, from the parsed address, or None).
PROVIDERS = {
    "youtube.com": ("YouTube", _youtube),
    "www.youtube.com": ("YouTube", _youtube),
    "m.youtube.com": ("YouTube", _youtube),
    "youtu.be": ("YouTube", _youtube),
    "vimeo.com": ("Vimeo", _vimeo),
    "www.vimeo.com": ("Vimeo", _vimeo),
    "player.vimeo.com": ("Vimeo", _vimeo),
    "x.com": ("X", _x),
    "www.x.com": ("X", _x),
    "twitter.com": ("X", _x),
    "www.twitter.com": ("X", _x),
    "mobile.twitter.com": ("X", _x),
    "bsky.app": ("Bluesky", _bluesky),
    "instagram.com": ("Instagram", _instagram),
    "www.instagram.com": ("Instagram", _instagram),
}
# Mastodon lives on thousands of hosts: a post's address has this shape on all of them. Its
# embed loads from the post's own host, so only the instances the site names
# (settings.EMBED_MASTODON_HOSTS, also the CSP's frame-src) get one; any other is a link.
MASTODON_POST = re.compile(r"/(@[\w.-]{1,64}(?:@[\w.-]{1,253})?)/(\d{1,20})/?")


def _mastodon(host, match):
    if host not in settings.EMBED_MASTODON_HOSTS or "@" in match.group(1)[1:]:
        return None  # a remote account's post is embedded by its own instance
    return f"https://{host}/{match.group(1)}/{match.group(2)}/embed"


# An address as typed, without characters that would need escaping to stay one.
SAFE_URL = re.compile(r"[^\s\"'<>\\`^{|}]+")


def embed_of(url):
    """The Embed for an address, or None when it is not an http(s) address."""
    if not SAFE_URL.fullmatch(url):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if host in PROVIDERS:
        provider, frame = PROVIDERS[host]
        embed = Embed(url, provider, frame(parts))
        return embed if embed.frame or embed.kind == "post" else Embed(url)  # not a video: a link
    if match := MASTODON_POST.fullmatch(parts.path):
        return Embed(url, "Mastodon", _mastodon(host, match))
    return Embed(url)


def _extension(kind, value):
    """(kind, meaning) of one extension line, or None when it means nothing."""
    if kind == "image":
        return ("image", int(value)) if PICTURE_ID.fullmatch(value) else None
    if kind == "gallery":
        ids = value.split(",")
        if not 1 <= len(ids) <= GALLERY_MAX or not all(PICTURE_ID.fullmatch(pk) for pk in ids):
            return None
        return "gallery", tuple(dict.fromkeys(int(pk) for pk in ids))
    embed = embed_of(value)
    return ("embed", embed) if embed else None


def extension_block(state, start_line, end_line, silent):
    """markdown-it block rule: an extension alone in its paragraph at the body's top level."""
    if state.level != 0 or state.is_code_block(start_line):
        return False
    line = state.src[state.bMarks[start_line] + state.tShift[start_line] : state.eMarks[start_line]].rstrip()
    match = EXTENSION_LINE.fullmatch(line)
    if not match:
        return False
    if start_line + 1 < end_line and not state.isEmpty(start_line + 1):
        return False  # a paragraph goes on: the line is text
    meaning = _extension(*match.groups())
    if meaning is None:
        return False
    if not silent:
        token = state.push("body_extension", "", 0)
        token.map = [start_line, start_line + 1]
        token.meta = {"kind": meaning[0], "value": meaning[1]}
    state.line = start_line + 1
    return True


# --- Typography ---------------------------------------------------------------------------

# Before an opening quote: the start, a space or an opening bracket or dash.
_OPENS_AFTER = set(" \t\n([{“‘—–-/")
CURLED = {'"': "“”", "'": "‘’"}  # opening, closing (and apostrophe)
_DASHES = [(re.compile(r"(?<=\S) - (?=\S)"), " – "), (re.compile(r"---"), "—"), (re.compile(r"--"), "–")]


def _curl(text, before):
    """`text` with straight quotes curled, `before` the character preceding it (linear: the
    parser's own smartquotes rewrites the string once per quote, quadratic on 100 KB of ")."""
    if "'" not in text and '"' not in text:
        return text
    pieces = []
    for n, char in enumerate(text):
        if char in "'\"":
            previous = text[n - 1] if n else before
            char = CURLED[char][previous not in _OPENS_AFTER]
        pieces.append(char)
    return "".join(pieces)


def typeset(text):
    """Plain text (a headline, deck or standfirst) with typographic quotes, apostrophes and
    dashes, as bodies have them: for showing, never stored (what was typed stays as typed)."""
    if not text:
        return text
    for pattern, dash in _DASHES:
        text = pattern.sub(dash, text)
    return _curl(text.replace("...", "…"), " ")


def typography(state):
    """Typographic quotes, apostrophes and dashes in text, never in code or addresses."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        before = " "
        for token in block.children:
            if token.type == "text":
                content = token.content
                if "-" in content:
                    for pattern, dash in _DASHES:
                        content = pattern.sub(dash, content)
                content = content.replace("...", "…")
                token.content = _curl(content, before)
                before = token.content[-1:] or before
            elif token.type in ("softbreak", "hardbreak"):
                before = " "
            elif token.type in ("code_inline", "html_inline"):
                before = "x"


# maxNesting 10 (four lists deep) instead of 20 halves the cost of nested-bracket input, which
# every inline rule re-reads once per nesting level.
_parser = MarkdownIt("commonmark", {"maxNesting": 10}).enable(["table", "strikethrough"])
# Pictures come from the library only; an image in Markdown would be stripped by the sanitiser
# anyway, and its rule is the costliest on hostile input ("![" × 100 KB).
_parser.disable("image")
_parser.block.ruler.before("fence", "body_extension", extension_block)
_parser.core.ruler.push("newsroom_typography", typography)


def _tokens(body):
    return _parser.parse(body or "")


# --- What a body shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class References:
    """What a body places: single pictures and galleries by library id, embeds by address."""

    images: tuple = ()
    galleries: tuple = ()
    embeds: tuple = ()

    @property
    def pictures(self):
        """Every library picture the body shows, single or in a gallery."""
        return {*self.images, *(pk for gallery in self.galleries for pk in gallery)}


def references(body):
    """What `body` shows, from the parse that renders it."""
    found = {"image": [], "gallery": [], "embed": []}
    for token in _tokens(body):
        if token.type == "body_extension":
            found[token.meta["kind"]].append(token.meta["value"])
    return References(tuple(found["image"]), tuple(found["gallery"]), tuple(found["embed"]))


# --- Rendering --------------------------------------------------------------------------------


def _sanitised(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def embed_html(embed):
    """A link to the original and, when the address gives one, a button that loads the video or
    post in a frame (static/js/embeds.js). Nothing from the third party loads before the click;
    without the script the reader has the link."""
    if embed.provider is None:
        return format_html('<p><a href="{}" rel="noopener noreferrer">{}</a></p>', embed.url, embed.url)
    link = format_html('<a href="{}" rel="noopener noreferrer">{}</a>', embed.url, embed.url)
    caption = format_html("<figcaption>A post on {}</figcaption>", embed.provider) if embed.kind == "post" else ""
    if not embed.frame:
        return format_html('<figure class="embed embed-post">{}{}</figure>', link, caption)
    verb = "Play" if embed.kind == "video" else "Show"
    return format_html(
        '<figure class="embed embed-{}" data-embed-src="{}" data-embed-title="{}">{}<button type="button" '
        'class="embed-load" hidden>{} the {} here (loads {})</button>{}</figure>',
        embed.kind,
        embed.frame,
        f"A {embed.provider} {embed.kind}",
        link,
        verb,
        embed.kind,
        embed.provider,
        caption,
    )


def _extension_html(meta):
    if meta["kind"] == "image":
        return placement("image", [meta["value"]])
    if meta["kind"] == "gallery":
        return placement("gallery", meta["value"])
    return embed_html(meta["value"])


@functools.lru_cache(maxsize=8)
def render_body(body):
    """`body` as HTML that is safe to show: no scripts, no event handlers, links only to
    http(s) and mailto, external links marked; library pictures as placements that
    `images.pictures.with_inline_images` fills when the page is shown.

    The Markdown between extensions is sanitised on its own, and extensions are rendered by us
    after it, so no editor's HTML can forge one. Remembered for the last few bodies, so a view
    renders before its transaction and the save inside it finds the work done."""
    tokens = _tokens(body)
    options, env = _parser.options, {}
    html, run = [], []
    for token in tokens:
        if token.type != "body_extension":
            run.append(token)
            continue
        if run:
            html.append(_sanitised(_parser.renderer.render(run, options, env)))
            run = []
        html.append(_extension_html(token.meta) + "\n")
    if run:
        html.append(_sanitised(_parser.renderer.render(run, options, env)))
    return "".join(html).rstrip("\n")
