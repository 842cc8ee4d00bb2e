"""RSS 2.0 and Atom feeds of live articles: the whole site, each theme, each author, each tag."""

import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from taggit.models import Tag

from articles.models import Article, Author
from articles.text import plain_text
from pagecache.keys import shows
from themes.models import Theme

FEED_SIZE = 30
MEDIA_NS = "http://search.yahoo.com/mrss/"


def absolute(path):
    return f"{settings.SITE_URL}{path}"


class MediaMixin:
    """Adds `<media:content>` (Media RSS) for an item's lead image, with its alt text."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS}

    def root_attributes(self):
        attrs = super().root_attributes()
        if isinstance(self, Atom1Feed):
            attrs["xmlns:media"] = MEDIA_NS
        return attrs

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        image = item.get("image")
        if image:
            attrs = {"url": image["url"], "medium": "image", "type": image["type"]}
            if image["width"] and image["height"]:
                attrs.update(width=str(image["width"]), height=str(image["height"]))
            handler.startElement("media:content", attrs)
            if image["alt"]:
                handler.addQuickElement("media:description", image["alt"], {"type": "plain"})
            if image["credit"]:
                handler.addQuickElement("media:credit", image["credit"])
            handler.endElement("media:content")


class RssFeed(MediaMixin, Rss201rev2Feed):
    pass


class AtomFeed(MediaMixin, Atom1Feed):
    pass


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
    """The newest live articles. Subclasses narrow them to one theme, author or tag."""

    feed_type = RssFeed
    language = "en"
    url_name = "feeds:rss"

    def title(self, obj):
        return settings.SITE_NAME

    def description(self, obj):
        return settings.SITE_DESCRIPTION

    subtitle = description

    def link(self, obj):
        return absolute("/")

    def feed_url(self, obj):
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute(reverse(self.url_name, kwargs=kwargs))

    def feed_copyright(self, obj):
        return f"© {settings.SITE_PUBLISHER}"

    def articles(self, obj):
        shows("list:latest")
        return Article.objects.live()

    def items(self, obj):
        return self.articles(obj).for_listing().prefetch_related("tags")[:FEED_SIZE]

    def item_title(self, item):
        return plain_text(item.headline)

    def item_description(self, item):
        return item.standfirst or plain_text(item.deck)

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.byline) or None

    def item_author_link(self, item):
        authors = item.byline
        return absolute(authors[0].get_absolute_url()) if len(authors) == 1 else None

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
        return {"image": lead_image(item)}


class ThemeFeed(ArticleFeed):
    url_name = "feeds:theme-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def description(self, obj):
        return obj.description or f"The latest on {obj.name} from {settings.SITE_NAME}."

    subtitle = description

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def articles(self, obj):
        shows(f"list:theme:{obj.pk}")
        return Article.objects.live().filter(theme=obj)


class AuthorFeed(ArticleFeed):
    url_name = "feeds:author-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def description(self, obj):
        return obj.bio or f"Articles by {obj.name} for {settings.SITE_NAME}."

    subtitle = description

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def articles(self, obj):
        shows(f"list:author:{obj.pk}")
        return Article.objects.live().filter(bylines__author=obj)


class TagFeed(ArticleFeed):
    url_name = "feeds:tag-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj):
        return f"Tagged {obj.name} · {settings.SITE_NAME}"

    def description(self, obj):
        return f"Articles tagged {obj.name} from {settings.SITE_NAME}."

    subtitle = description

    def link(self, obj):
        return absolute(reverse("articles:tag", kwargs={"slug": obj.slug}))

    def articles(self, obj):
        shows(f"list:tag:{obj.pk}")
        return Article.objects.live().filter(tags=obj)


class AtomArticleFeed(ArticleFeed):
    feed_type = AtomFeed
    url_name = "feeds:atom"


class AtomThemeFeed(ThemeFeed):
    feed_type = AtomFeed
    url_name = "feeds:theme-atom"


class AtomAuthorFeed(AuthorFeed):
    feed_type = AtomFeed
    url_name = "feeds:author-atom"


class AtomTagFeed(TagFeed):
    feed_type = AtomFeed
    url_name = "feeds:tag-atom"
