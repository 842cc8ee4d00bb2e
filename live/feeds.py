"""One live coverage article's public entries as RSS and Atom."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from articles.feeds import RELATIVE_URL, xml_text
from articles.models import Article
from articles.text import plain_text
from pagecache.keys import shows
from pagecache.surrogates import article_key

from .cache import coverage_key
from .models import Entry

LIVE_FEED_SIZE = 50


class LiveEntryFeed(Feed):
    """One live coverage article's public entries (live/), newest first, as RSS or (`atom=True`) Atom."""

    def __init__(self, *, atom=False):
        super().__init__()
        if atom:
            self.feed_type = Atom1Feed
            self.subtitle = self.description

    def get_object(self, request, article_id):
        shows(coverage_key(article_id), article_key(article_id))
        return Article.objects.live().filter(coverage_start__isnull=False).get(pk=article_id)

    def title(self, article):
        return xml_text(f"{plain_text(article.headline)}: live updates")

    def link(self, article):
        return article.get_absolute_url()

    def description(self, article):
        return xml_text(plain_text(article.standfirst or article.deck))

    def items(self, article):
        return Entry.objects.published().filter(article=article).prefetch_related("authors")[:LIVE_FEED_SIZE]

    def item_title(self, entry):
        return xml_text(plain_text(entry.title) or f"Update at {entry.publish_at:%H:%M} UTC")

    def item_description(self, entry):
        return xml_text(RELATIVE_URL.sub(rf'\1="{settings.SITE_URL}/', entry.body_html))

    def item_link(self, entry):
        return entry.get_absolute_url()

    def item_guid(self, entry):
        return f"{settings.SITE_URL}{entry.get_absolute_url()}"

    item_guid_is_permalink = True

    def item_pubdate(self, entry):
        return entry.publish_at

    def item_updateddate(self, entry):
        return entry.updated_at or entry.publish_at

    def item_author_name(self, entry):
        return ", ".join(author.name for author in entry.authors.all()) or None
