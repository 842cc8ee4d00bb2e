"""RSS 2.0 and Atom feeds of live articles: the whole site, each theme, each author, each tag."""

import mimetypes
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape, format_html
from taggit.models import Tag

from images.models import Image
from images.pictures import fill_placements, picture_context, placed_ids
from pagecache.keys import shows
from pagecache.surrogates import LATEST, list_key
from sitesettings.models import current

from .models import Article, Author, themes
from .text import plain_text

FEED_SIZE = 30
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"

# href="/…" and src="/…" in an article's HTML: feed readers resolve them against nothing.
RELATIVE_URL = re.compile(r'\b(href|src)="/(?!/)')


def absolute(path):
    return f"{settings.SITE_URL}{path}"


# Characters XML 1.0 cannot carry. A headline pasted from a word processor brings a vertical tab,
# and Django's feed writer refused the whole feed (a 500 for every reader of the site's feeds).
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    """`value` (text, or dicts, lists and tuples of it) with what XML cannot carry made spaces."""
    if isinstance(value, str):
        return NOT_XML.sub(" ", value)
    if isinstance(value, dict):
        return {key: xml_text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(xml_text(item) for item in value)
    return value


class NewsroomFeedMixin:
    """What Django's feed generators lack: the full article as HTML (RSS `content:encoded`,
    Atom `<content type="html">`), one author element per author, and the lead image as
    Media RSS `<media:content>`. The image's alt text is only in the article HTML's `<img>`:
    as `<media:description>` feed readers take it for the article's summary or content."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **xml_text(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **xml_text(kwargs))

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS, "xmlns:content": CONTENT_NS, "xmlns:dc": DC_NS}

    def root_attributes(self):
        attrs = super().root_attributes()
        if isinstance(self, Atom1Feed):
            attrs["xmlns:media"] = MEDIA_NS
        return attrs

    def add_item_elements(self, handler, item):
        authors = item.pop("authors", [])
        super().add_item_elements(handler, item)
        atom = isinstance(self, Atom1Feed)
        for name, link in authors:
            if atom:
                handler.startElement("author", {})
                handler.addQuickElement("name", name)
                handler.addQuickElement("uri", link)
                handler.endElement("author")
            else:
                handler.addQuickElement("dc:creator", name)
        if item.get("content_html"):
            if atom:
                handler.addQuickElement("content", item["content_html"], {"type": "html"})
            else:
                handler.addQuickElement("content:encoded", item["content_html"])
        image = item.get("image")
        if image:
            attrs = {"url": image["url"], "medium": "image", "type": image["type"]}
            if image["width"] and image["height"]:
                attrs.update(width=str(image["width"]), height=str(image["height"]))
            handler.startElement("media:content", attrs)
            if image["credit"]:
                handler.addQuickElement("media:credit", image["credit"])
            handler.endElement("media:content")


# RSS 2.0 gives a channel image's width and height only up to these.
RSS_IMAGE_MAX = (144, 400)


class RssFeed(NewsroomFeedMixin, Rss201rev2Feed):
    def add_root_elements(self, handler):
        # Readers take a channel's <title> and <description> for HTML; names, an author's bio
        # and a theme's description are plain text: an author named "<img onerror=…>" is words.
        # (Atom's <title> and <subtitle> are text already.)
        self.feed["title"] = escape(self.feed["title"])
        self.feed["description"] = escape(self.feed["description"])
        super().add_root_elements(handler)
        logo = self.feed.get("logo")
        if logo:
            handler.startElement("image", {})
            handler.addQuickElement("url", logo.absolute_url)
            handler.addQuickElement("title", self.feed["title"])
            handler.addQuickElement("link", self.feed["link"])
            if logo.width <= RSS_IMAGE_MAX[0] and logo.height <= RSS_IMAGE_MAX[1]:
                handler.addQuickElement("width", str(logo.width))
                handler.addQuickElement("height", str(logo.height))
            handler.endElement("image")


class AtomFeed(NewsroomFeedMixin, Atom1Feed):
    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        logo = self.feed.get("logo")
        if logo:
            handler.addQuickElement("logo", logo.absolute_url)


def feed_figure(image):
    """An image with its caption and credit as simple HTML that feed readers show: one
    `<img>` with an absolute address (no `<picture>`, no srcset, no lazy loading)."""
    if image is None or not image.file:
        return ""
    shown = picture_context(image, sizes="100vw")
    caption = " ".join(filter(None, [image.caption, image.credit and f"({image.credit})"]))
    return format_html(
        '<figure><img src="{}" width="{}" height="{}" alt="{}">{}</figure>',
        absolute_url(shown["src"]),
        shown["width"],
        shown["height"],
        image.alt_text,
        format_html("<figcaption>{}</figcaption>", caption) if caption else "",
    )


def absolute_url(url):
    return absolute(url) if url.startswith("/") else url


def lead_image(article):
    image = article.lead_image if article.lead_image_id else None
    if image is None or not image.file:
        return None
    try:
        size = image.file.size
    except OSError:
        size = 0
    return {
        "url": absolute(image.file.url) if image.file.url.startswith("/") else image.file.url,
        "type": mimetypes.guess_type(image.file.name)[0] or "image/jpeg",
        "length": size,
        "width": image.width,
        "height": image.height,
        "alt": image.alt_text,
        "credit": image.credit,
    }


class ArticleFeed(Feed):
    """The site's newest live articles, as RSS or (`atom=True`) Atom; ListingFeed narrows them
    to one theme, author or tag."""

    language = "en"

    def __init__(self, *, atom=False):
        super().__init__()
        self.feed_type = AtomFeed if atom else RssFeed
        self.url_name = "feeds:atom" if atom else "feeds:rss"

    def title(self, obj):
        return current().name

    def description(self, obj):
        return settings.SITE_DESCRIPTION

    subtitle = description

    def link(self, obj):
        return absolute("/")

    def feed_url(self, obj):
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute(reverse(self.url_name, kwargs=kwargs))

    def feed_copyright(self, obj):
        return f"© {timezone.localdate().year} {current().copyright_holder}"

    def feed_extra_kwargs(self, obj):
        return {"logo": current().logo}

    def articles(self, obj):
        shows(LATEST)
        return Article.objects.live()

    def items(self, obj):
        items = list(
            self.articles(obj)
            .with_byline()
            .select_related("theme", "lead_image")
            .prefetch_related("tags")
            .defer("body", "related_ids")
            .order_by("-publish_at", "-id")[:FEED_SIZE]
        )
        # The pictures placed in the bodies ("[image:42]", galleries), all in one query.
        inline_ids = {pk for item in items for pk in placed_ids(item.body_html)}
        inline_images = Image.objects.in_bulk(inline_ids) if inline_ids else {}
        for item in items:
            item.inline_images = inline_images
        return items

    def item_title(self, item):
        return plain_text(item.headline)

    def item_description(self, item):
        """The standfirst (or deck), plain text escaped for the HTML that RSS `<description>`
        and Atom `<summary type="html">` carry: "<script>" in it stays words."""
        return escape(item.standfirst or plain_text(item.deck))

    def item_content_html(self, item):
        """The whole article as sanitised HTML: the lead image, then the body with its
        pictures, every address absolute."""
        lead = feed_figure(item.lead_image if item.lead_image_id else None)
        body = fill_placements(item.body_html, item.inline_images, lambda image, in_gallery: feed_figure(image))
        return lead + RELATIVE_URL.sub(rf'\1="{settings.SITE_URL}/', body)

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_categories(self, item):
        names = [item.theme.name] if item.theme_id else []
        return names + sorted(tag.name for tag in item.tags.all())

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return max(filter(None, [item.updated_at, item.publish_at]))

    def item_enclosures(self, item):
        image = lead_image(item)
        return [Enclosure(image["url"], str(image["length"]), image["type"])] if image else []

    def item_extra_kwargs(self, item):
        return {
            "image": lead_image(item),
            "content_html": self.item_content_html(item),
            "authors": [(author.name, absolute(author.get_absolute_url())) for author in item.byline],
        }


@dataclass(frozen=True)
class Listing:
    """What sets one kind of listing's feed apart; `{name}` and `{site}` are filled in."""

    title: str
    about: str  # the description when the object has none of its own
    own_about: str  # the attribute that holds its own description, if any
    lookup: str  # how an article names the object


LISTINGS = {
    "theme": Listing("{name} · {site}", "The latest on {name} from {site}.", "description", "theme"),
    "author": Listing("{name} · {site}", "Articles by {name} for {site}.", "bio", "bylines__author"),
    "tag": Listing("Tagged {name} · {site}", "Articles tagged {name} from {site}.", "", "tags"),
}


class ListingFeed(ArticleFeed):
    """The newest live articles of one theme, author or tag (`kind`), found by its slug."""

    def __init__(self, kind, *, atom=False):
        super().__init__(atom=atom)
        self.kind, self.listing = kind, LISTINGS[kind]
        self.url_name = f"feeds:{kind}-{'atom' if atom else 'rss'}"

    def get_object(self, request, slug):
        if self.kind == "theme":
            return get_object_or_404(themes(), slug=slug)
        if self.kind == "author":
            return get_object_or_404(Author, slug=slug)
        # As the tag page: the tag by its slug, then its live articles (items() refuses none); asking
        # for the tags live articles carry joined every tagged article.
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            shows(LATEST)  # until an article with this tag goes live
            raise Http404("No live article has this tag.")
        return tag

    def title(self, obj):
        return self.listing.title.format(name=obj.name, site=current().name)

    def description(self, obj):
        own = getattr(obj, self.listing.own_about, "") if self.listing.own_about else ""
        return own or self.listing.about.format(name=obj.name, site=current().name)

    subtitle = description

    def link(self, obj):
        if self.kind == "tag":
            return absolute(reverse("articles:tag", kwargs={"slug": obj.slug}))
        return absolute(obj.get_absolute_url())

    def items(self, obj):
        items = super().items(obj)
        if not items and self.kind == "tag":  # a tag only drafts carry names an unpublished story
            shows(LATEST)
            raise Http404("No live article has this tag.")
        return items

    def articles(self, obj):
        shows(list_key(self.kind, obj.pk))
        return Article.objects.live().filter(**{self.listing.lookup: obj})
