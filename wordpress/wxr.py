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


@dataclass
class WPCategory:
    nicename: str
    name: str
    parent: str = ""
    description: str = ""


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
    post_date: datetime | None = None
    password: str = ""
    attachment_url: str = ""
    categories: list = field(default_factory=list)  # WPCategory (name and nicename only)
    tags: list = field(default_factory=list)  # WPTag
    meta: dict = field(default_factory=dict)


@dataclass
class WPSite:
    base_site_url: str = ""
    wxr_version: str = ""


def _text(element, name):
    for child in element:
        if short_name(child.tag) == name:
            return (child.text or "").strip()
    return ""


def parse_date(gmt, local):
    """The post's moment in UTC: WordPress's GMT column, else its local time read in the newsroom's zone
    (drafts carry a GMT date of all zeros)."""
    for value, zone in ((gmt, UTC), (local, timezone.get_current_timezone())):
        if value and not value.startswith("0000"):
            try:
                moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
            except ValueError:
                continue
            return moment.replace(tzinfo=zone).astimezone(UTC)
    return None


def _author(element):
    return WPAuthor(login=_text(element, "wp:author_login"), display_name=_text(element, "wp:author_display_name"))


def _category(element):
    return WPCategory(
        nicename=_text(element, "wp:category_nicename"),
        name=_text(element, "wp:cat_name"),
        parent=_text(element, "wp:category_parent"),
        description=_text(element, "wp:category_description"),
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
        post_date=parse_date(_text(element, "wp:post_date_gmt"), _text(element, "wp:post_date")),
        password=_text(element, "wp:post_password"),
        attachment_url=_text(element, "wp:attachment_url"),
    )
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
