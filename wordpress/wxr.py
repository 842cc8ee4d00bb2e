"""Reading WordPress's export format (WXR) one element at a time.

A 1 GB export never sits in memory: each channel-level element (author, category,
tag, item) is turned into a plain dataclass as soon as its end tag is read, and then
dropped from the tree. defusedxml refuses entity declarations, so neither a
"billion laughs" nor an external entity can be smuggled in; WordPress never writes one.

WXR 1.0–1.2 differ only in the version in the namespace, which WordPress and other
exporters spell with http:// or https://; both are read alike."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils import timezone

# Namespace families, whatever their version or scheme.
_NAMESPACES = [
    (re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/excerpt/$"), "excerpt"),
    (re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/$"), "wp"),
    (re.compile(r"^https?://purl\.org/rss/1\.0/modules/content/$"), "content"),
    (re.compile(r"^https?://purl\.org/dc/elements/1\.1/$"), "dc"),
]


class MalformedExport(Exception):
    """The file is not a readable WXR export; the message says where and why."""


def short_name(tag):
    """ "{http://wordpress.org/export/1.2/}post_id" → "wp:post_id"; plain RSS names stay as they are."""
    if not tag.startswith("{"):
        return tag
    namespace, _, local = tag[1:].partition("}")
    for pattern, prefix in _NAMESPACES:
        if pattern.match(namespace):
            return f"{prefix}:{local}"
    return f"{{{namespace}}}{local}"


@dataclass
class WPAuthor:
    login: str
    display_name: str = ""
    author_id: str = ""


@dataclass
class WPCategory:
    nicename: str
    name: str
    parent: str = ""
    description: str = ""
    term_id: str = ""


@dataclass
class WPTag:
    slug: str
    name: str


@dataclass
class WPItem:
    post_id: str
    post_type: str
    status: str
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_name: str = ""
    post_date: datetime | None = None  # the moment, in UTC (post_date_gmt when WordPress wrote one)
    dateline_offset: int | None = None  # minutes east of UTC of the site when it published the post
    date_problem: str = ""  # why the dates could not be read, for the report
    post_parent: str = ""
    menu_order: int = 0
    password: str = ""
    attachment_url: str = ""
    categories: list = field(default_factory=list)  # WPCategory (name and nicename only)
    tags: list = field(default_factory=list)  # WPTag
    meta: dict = field(default_factory=dict)


@dataclass
class WPSite:
    base_site_url: str = ""
    base_blog_url: str = ""  # the blog itself: WordPress.com exports share one base_site_url

    @property
    def address(self):
        return (self.base_blog_url or self.base_site_url).rstrip("/")

    wxr_version: str = ""


def _text(element, name):
    for child in element:
        if short_name(child.tag) == name:
            return (child.text or "").strip()
    return ""


# Moments an article may be published at: WordPress writes year 0000 for "never", and exports
# from broken sites carry years 1 or 9999, which no clock of ours reaches without overflowing.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)
_WORDPRESS_DATE = "%Y-%m-%d %H:%M:%S"


def parse_date(gmt, local):
    """(moment in UTC, the site's offset in minutes or None, problem or ""): WordPress's GMT
    column gives the exact moment, its local column the day the site showed. Drafts carry a GMT
    date of all zeros: their local time is read in the newsroom's zone. A malformed date or one
    outside 1970–2100 is a problem, never "now"."""
    values = {}
    for name, value in (("gmt", gmt), ("local", local)):
        if not value or value.startswith("0000-00-00"):
            continue
        try:
            values[name] = datetime.strptime(value, _WORDPRESS_DATE)
        except ValueError:
            return None, None, f"its date “{value[:40]}” cannot be read"
    if not values:
        return None, None, ""
    try:
        if "gmt" in values:
            moment = values["gmt"].replace(tzinfo=UTC)
        else:
            moment = values["local"].replace(tzinfo=timezone.get_current_timezone()).astimezone(UTC)
    except (OverflowError, ValueError):
        return None, None, f"its date {local or gmt} is out of range"
    if not EARLIEST <= moment <= LATEST:
        return None, None, f"its date {local or gmt} is out of range (1970–2100)"
    offset = None
    if "gmt" in values and "local" in values:
        minutes = round((values["local"] - values["gmt"]).total_seconds() / 60)
        offset = minutes if abs(minutes) <= 14 * 60 else None
    return moment, offset, ""


def _author(element):
    return WPAuthor(
        login=_text(element, "wp:author_login"),
        display_name=_text(element, "wp:author_display_name"),
        author_id=_text(element, "wp:author_id"),
    )


def _category(element):
    return WPCategory(
        nicename=_text(element, "wp:category_nicename"),
        name=_text(element, "wp:cat_name"),
        parent=_text(element, "wp:category_parent"),
        description=_text(element, "wp:category_description"),
        term_id=_text(element, "wp:term_id"),
    )


def _tag(element):
    return WPTag(slug=_text(element, "wp:tag_slug"), name=_text(element, "wp:tag_name"))


def _item(element):
    item = WPItem(
        post_id=_text(element, "wp:post_id"),
        post_type=_text(element, "wp:post_type") or "post",
        status=_text(element, "wp:status"),
        title=_text(element, "title"),
        link=_text(element, "link"),
        creator=_text(element, "dc:creator"),
        content=_text(element, "content:encoded"),
        excerpt=_text(element, "excerpt:encoded"),
        post_name=_text(element, "wp:post_name"),
        password=_text(element, "wp:post_password"),
        attachment_url=_text(element, "wp:attachment_url"),
        post_parent=_text(element, "wp:post_parent"),
    )
    item.post_date, item.dateline_offset, item.date_problem = parse_date(
        _text(element, "wp:post_date_gmt"), _text(element, "wp:post_date")
    )
    order = _text(element, "wp:menu_order")
    item.menu_order = int(order) if order.lstrip("-").isdigit() and len(order) < 10 else 0
    for child in element:
        name = short_name(child.tag)
        if name == "category":
            label, nicename = (child.text or "").strip(), child.get("nicename", "")
            if child.get("domain") == "category":
                item.categories.append(WPCategory(nicename=nicename, name=label))
            elif child.get("domain") == "post_tag":
                item.tags.append(WPTag(slug=nicename, name=label))
        elif name == "wp:postmeta":
            item.meta[_text(child, "wp:meta_key")] = _text(child, "wp:meta_value")
    return item


READERS = {"wp:author": _author, "wp:category": _category, "wp:tag": _tag, "item": _item}


def read_export(stream, site):
    """Yield each author, category, tag and item of the WXR file `stream` in file order, filling in
    `site` (a WPSite) from the channel as it goes. Raises MalformedExport with the line number."""
    depth = 0
    channel = None
    seen_wxr = False
    try:
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != "rss":
                    raise MalformedExport(f"This is not a WordPress export: it starts with <{element.tag}>.")
                if depth == 2 and element.tag == "channel":
                    channel = element
                continue
            depth -= 1
            if depth != 2 or channel is None:
                continue
            name = short_name(element.tag)
            if name == "wp:wxr_version":
                site.wxr_version = (element.text or "").strip()
                seen_wxr = True
            elif name == "wp:base_site_url":
                site.base_site_url = (element.text or "").strip()
            elif name == "wp:base_blog_url":
                site.base_blog_url = (element.text or "").strip()
            elif name in READERS:
                if not seen_wxr:
                    raise MalformedExport("This is not a WordPress export: no <wp:wxr_version> before its content.")
                yield READERS[name](element)
            channel.clear()
    except ParseError as error:
        line, column = error.position
        raise MalformedExport(f"The export is not well-formed XML at line {line}, column {column + 1}.") from None
    except DefusedXmlException as error:
        raise MalformedExport(
            f"The export declares a DTD or entities ({type(error).__name__}), which WordPress never writes: refused."
        ) from None
    if not seen_wxr:
        raise MalformedExport("This is not a WordPress export: no <wp:wxr_version> found.")
