"""Sitemaps (an index of articles, themes and authors), the Google News sitemap and robots.txt.
Only live articles appear, through `Article.objects.live()`."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from articles.models import Article, Author
from live.models import Entry
from pages.models import Page
from sitesettings.models import current
from themes.models import Theme

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs per sitemap.


class NewsroomSitemap(Sitemap):
    """Addresses on the canonical SITE_URL, not on whatever host the request used."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


def article_lastmod():
    """`articles.structured_data.modified_time()` as a database expression: the same time the
    article's page states (JSON-LD, `article:modified_time`, `Last-Modified`)."""
    return Greatest("publish_at", "modified_at", Coalesce("corrected_at", "publish_at"))


def last_entry():
    """A live coverage article's newest public entry (live/): its page changed then."""
    newest = Entry.objects.published().filter(article=OuterRef("pk")).order_by("-publish_at")
    return Subquery(newest.values("publish_at")[:1])


class ArticleSitemap(NewsroomSitemap):
    def items(self):
        return (
            Article.objects.live()
            .annotate(lastmod=article_lastmod(), last_entry=last_entry())
            .only("slug", "publish_at", "created_at", "dateline_offset")
            .order_by("-publish_at", "-id")
        )

    def lastmod(self, item):
        return max(filter(None, [item.lastmod, item.last_entry]))

    # Smaller pages than the 50,000 allowed: each page renders in well under a second.
    limit = 5000

    def get_latest_lastmod(self):
        """The newest lastmod without computing it for every article: the newest live article's
        `publish_at` (a scheduled arrival) and the newest live edit (`modified_at` follows every
        edit; an update is an edit)."""
        live = Article.objects.live()
        newest_entry = Entry.objects.published().filter(article__in=live.values("pk")).values("publish_at")[:1]
        newest = live.order_by("-publish_at").annotate(newest_entry=Subquery(newest_entry))
        latest = [live_edited_last(), *(newest.values_list("publish_at", "newest_entry").first() or ())]
        return max(filter(None, latest), default=None)


def live_edited_last(recent=200):
    """`modified_at` of the most recently edited live article, looked for among the latest edits
    first. Asked of the whole of `live()`, SQLite picks the publication index and sorts the
    archive (seconds at 100,000 articles)."""
    recent_edits = Article.objects.order_by("-modified_at").values("pk")[:recent]
    newest = Article.objects.live().order_by("-modified_at").values_list("modified_at", flat=True)
    return newest.filter(pk__in=recent_edits).first() or newest.first()


def last_published(**filters):
    return Subquery(
        Article.objects.live().filter(**filters).order_by("-publish_at").values("publish_at")[:1],
    )


class ThemeSitemap(NewsroomSitemap):
    def items(self):
        return (
            Theme.objects.active()
            .annotate(last_published=last_published(theme=OuterRef("pk")))
            .only("slug", "modified_at")
            .order_by("position", "name")
        )

    def lastmod(self, item):
        return max(filter(None, [item.last_published, item.modified_at]))

    def get_latest_lastmod(self):
        latest = Max(Greatest("modified_at", Coalesce("last_published", "modified_at")))
        return self.items().aggregate(latest=latest)["latest"]


class AuthorSitemap(NewsroomSitemap):
    """Authors with at least one live article."""

    def items(self):
        # Exists() stops at an author's first live article, so counting the pages stays cheap.
        return (
            Author.objects.filter(Exists(Article.objects.live().filter(bylines__author=OuterRef("pk"))))
            .only("slug")
            .order_by("name", "pk")
        )

    @cached_property
    def newest_by_author(self):
        """Each author's newest live article, in one pass over the live index. A subquery per
        author read every one of their articles' rows: seconds at 100,000 articles on SQLite."""
        newest = Article.objects.live().values("bylines__author").annotate(newest=Max("publish_at")).order_by()
        return dict(newest.values_list("bylines__author", "newest"))

    def lastmod(self, item):
        return self.newest_by_author.get(item.pk)

    def get_latest_lastmod(self):
        """The newest live article with a byline: one index walk, not one subquery per author."""
        live = Article.objects.live().filter(bylines__isnull=False)
        return live.order_by("-publish_at").values_list("publish_at", flat=True).first()


class PageSitemap(NewsroomSitemap):
    """Published static pages (About, Contact…)."""

    def items(self):
        return Page.objects.published().only("path", "modified_at").order_by("path")

    def location(self, item):
        return item.path

    def lastmod(self, item):
        return item.modified_at

    def get_latest_lastmod(self):
        return Page.objects.published().aggregate(latest=Max("modified_at"))["latest"]


sitemaps = {"articles": ArticleSitemap, "themes": ThemeSitemap, "authors": AuthorSitemap, "pages": PageSitemap}


@x_robots_tag
def index(request):
    """Like django.contrib.sitemaps' index, on the canonical address and without reading every item."""
    items = []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        location = settings.SITE_URL + reverse("sitemaps:section", kwargs={"section": section})
        lastmod = sitemap.get_latest_lastmod()
        items.append(SitemapIndexItem(location, lastmod))
        items.extend(
            SitemapIndexItem(f"{location}?p={page}", lastmod) for page in range(2, sitemap.paginator.num_pages + 1)
        )
    return TemplateResponse(request, "sitemaps/index.xml", {"sitemaps": items}, content_type="application/xml")


@x_robots_tag
def news(request):
    """The live articles of the last 48 hours, and the live coverage with an entry in them (a
    running story stays news while it runs), each with the time it last changed."""
    now = timezone.now()
    since = now - NEWS_WINDOW
    running = Entry.objects.published(now).filter(publish_at__gte=since).values("article_id")
    articles = (
        Article.objects.live(now)
        .filter(Q(publish_at__gte=since) | Q(pk__in=running))
        .annotate(lastmod=article_lastmod(), last_entry=last_entry())
        .annotate(changed=Greatest("lastmod", Coalesce("last_entry", "lastmod")))
        .only("headline", "slug", "publish_at", "created_at", "dateline_offset")
        .order_by("-changed", "-id")[:NEWS_LIMIT]
    )
    return TemplateResponse(
        request,
        "sitemaps/news.xml",
        {"articles": articles, "publication": current().name, "language": settings.LANGUAGE_CODE.split("-")[0]},
        content_type="application/xml",
    )


@require_safe
def robots_txt(request):
    # Never the admin's address: operators keep it hard to guess, and admin pages send
    # X-Robots-Tag: noindex instead.
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('search:results')}",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemaps:index')}",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemaps:news')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
