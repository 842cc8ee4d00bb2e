from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView
from django.views.static import serve

from articles.models import Article
from pagecache.decorators import public_page
from pagecache.keys import shows
from sitesettings.models import current
from themes.models import Theme, navigation

THEME_BLOCK_SIZE = 4


@method_decorator(public_page, name="dispatch")
class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        shows("list:latest")
        latest = list(Article.objects.live().for_listing()[:13])
        themes = navigation()
        by_theme = {}
        for article in newest_per_theme([theme["id"] for theme in themes]):
            by_theme.setdefault(article.theme_id, []).append(article)
        for articles in by_theme.values():
            articles.sort(key=lambda a: (a.publish_at, a.pk), reverse=True)
        return super().get_context_data(
            lead=latest[0] if latest else None,
            latest=latest[1:],
            theme_blocks=[(theme, by_theme[theme["id"]]) for theme in themes if theme["id"] in by_theme],
            structured_data=website_and_publisher(),
            **kwargs,
        )


def website_and_publisher():
    """schema.org JSON-LD describing the site itself: the WebSite with its search, and the publisher."""
    home = settings.SITE_URL + "/"
    publication = current()
    organization = publication.organization()
    website = {
        "@type": "WebSite",
        "@id": f"{home}#website",
        "name": publication.name,
        "description": settings.SITE_DESCRIPTION,
        "url": home,
        "inLanguage": settings.LANGUAGE_CODE,
        "publisher": {"@id": organization["@id"]},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{settings.SITE_URL}{reverse('search:results')}?q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        },
    }
    return {"@context": "https://schema.org", "@graph": [website, organization]}


def newest_per_theme(theme_ids):
    """The newest few live articles of each theme, in two queries whatever the archive's size:
    the ids of each theme's newest (a few index seeks per theme), then those articles by id.
    Nothing here leaves the query planner a choice, so it stays fast on SQLite without ANALYZE
    statistics; an OR of per-theme time ranges read every live article there (430 ms at 100,000),
    and ranking every live article with a window function read the whole archive."""
    if not theme_ids:
        return []
    newest = Article.objects.live().filter(theme=OuterRef("pk")).order_by("-publish_at").values("pk")
    ranks = {f"newest_{n}": Subquery(newest[n : n + 1]) for n in range(THEME_BLOCK_SIZE)}
    rows = Theme.objects.filter(pk__in=theme_ids).annotate(**ranks).values_list(*ranks)
    ids = [pk for row in rows for pk in row if pk]
    # The ids came from live() a moment ago; filtering on it again would let SQLite scan it instead.
    return Article.objects.filter(pk__in=ids).only("headline", "slug", "publish_at", "theme_id", "created_at")


def media(request, path):
    """Uploaded files from MEDIA_ROOT, read at request time (tests point it at a temporary folder).
    A rendition's name is new each time it is made, so browsers and CDNs keep it for a year;
    an original keeps its name when replaced, so it is kept for an hour."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if response.status_code == 200:
        immutable = "/renditions/" in f"/{path}"
        response["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "public, max-age=3600"
    return response
