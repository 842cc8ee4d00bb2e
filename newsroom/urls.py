import os
import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.utils.functional import lazy

from articles import feeds
from live.feeds import LiveEntryFeed
from pagecache import surrogates
from pagecache.decorators import public_page
from pages.views import page
from sitesettings.models import current

from . import sitemaps, views

ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip("/") + "/"

# Read when a page is drawn, so that a new publication name shows at once.
admin.site.site_header = lazy(lambda: f"{current().name} newsroom", str)()
admin.site.site_title = lazy(lambda: current().name, str)()
admin.site.index_title = "Newsroom"

# A full disk or a database that cannot write is a 503 with a page saying so (newsroom/health.py).
# Under /api/v1/ every error is JSON in the API's one shape (newsroom/errors.py), the site's pages elsewhere.
handler400 = "newsroom.errors.bad_request"
handler403 = "newsroom.errors.permission_denied"
handler404 = "newsroom.errors.page_not_found"
handler500 = "newsroom.errors.server_error"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("themes/", include("themes.urls")),
    path(ADMIN_PATH, admin.site.urls),
    path("search/", include("search.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("live.urls")),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    # One-machine installs keep media on local disk; beyond that, object storage serves it.
    urlpatterns.append(re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", views.media))

# Feeds of live articles: RSS 2.0 and Atom for the site, each theme, author and tag.
# Feeds and sitemaps are public pages: the page cache keeps them, within the schedule.
feed_patterns = [
    path("feeds/rss/", public_page(feeds.ArticleFeed()), name="rss"),
    path("feeds/atom/", public_page(feeds.ArticleFeed(atom=True)), name="atom"),
    path("themes/<uslug:slug>/feed/", public_page(feeds.ListingFeed("theme")), name="theme-rss"),
    path("themes/<uslug:slug>/feed/atom/", public_page(feeds.ListingFeed("theme", atom=True)), name="theme-atom"),
    path("authors/<uslug:slug>/feed/", public_page(feeds.ListingFeed("author")), name="author-rss"),
    path("authors/<uslug:slug>/feed/atom/", public_page(feeds.ListingFeed("author", atom=True)), name="author-atom"),
    path("tags/<uslug:slug>/feed/", public_page(feeds.ListingFeed("tag")), name="tag-rss"),
    path("tags/<uslug:slug>/feed/atom/", public_page(feeds.ListingFeed("tag", atom=True)), name="tag-atom"),
    path("live/<int:article_id>/feed/", public_page(LiveEntryFeed()), name="live-rss"),
    path("live/<int:article_id>/feed/atom/", public_page(LiveEntryFeed(atom=True)), name="live-atom"),
]
urlpatterns.append(path("", include((feed_patterns, "feeds"))))

# Sitemaps and robots.txt. A sitemap lists every live article, theme and author: it shows their kinds.
SITEMAP_KEYS = (
    surrogates.LATEST,
    surrogates.every("article"),
    surrogates.every("theme"),
    surrogates.every("list:theme"),
    surrogates.every("author"),
    surrogates.every("list:author"),
    surrogates.NAVIGATION,
    surrogates.every("page"),
    surrogates.every("live"),  # a live article's lastmod is its newest entry
)
sitemap_patterns = [
    path("sitemap.xml", public_page(sitemaps.index, shows=SITEMAP_KEYS), name="index"),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap, shows=SITEMAP_KEYS),
        {"sitemaps": sitemaps.sitemaps, "template_name": "sitemaps/section.xml"},
        name="section",
    ),
    path("news-sitemap.xml", public_page(sitemaps.news, shows=SITEMAP_KEYS), name="news"),
]
urlpatterns += [
    path("", include((sitemap_patterns, "sitemaps"))),
    # The same for every reader until a deploy (PAGE_CACHE_RELEASE): kept, it shows no keys.
    path("robots.txt", public_page(sitemaps.robots_txt), name="robots"),
]

# Static pages (pages/) at the addresses editors gave them, such as WordPress's /about/: last,
# so that no page can shadow a route of the newsroom's.
# Never under the API or the admin: there a page would make Django's APPEND_SLASH answer a
# missing slash with an HTML redirect instead of their own 404.
RESERVED = "|".join(re.escape(prefix) for prefix in ("api/", ADMIN_PATH))
urlpatterns.append(re_path(rf"^(?!{RESERVED})(?P<path>(?:[\w.~-]+/)+)$", page, name="page"))
