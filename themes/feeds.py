"""A theme's feeds: its newest live articles, as the site's feeds (articles/feeds.py) give them."""

from django.shortcuts import get_object_or_404

from articles.feeds import ArticleFeed, AtomFeed, absolute
from articles.models import Article
from pagecache.keys import shows
from pagecache.surrogates import list_key
from sitesettings.models import current

from .models import Theme


class ThemeFeed(ArticleFeed):
    url_name = "feeds:theme-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {current().name}"

    def description(self, obj):
        return obj.description or f"The latest on {obj.name} from {current().name}."

    subtitle = description

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def articles(self, obj):
        shows(list_key("theme", obj.pk))
        return Article.objects.live().filter(theme=obj)


class AtomThemeFeed(ThemeFeed):
    feed_type = AtomFeed
    url_name = "feeds:theme-atom"
