from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView
from django.views.static import serve

from articles.fragments import cards, themes_headlines
from articles.models import Article
from images.models import Image
from pagecache import fragments, surrogates
from pagecache.decorators import public_page
from pagecache.keys import shows
from sitesettings.models import current
from themes.models import navigation

LATEST = 13  # the lead story and twelve cards
THEME_BLOCK_SIZE = 4  # headlines per theme


@method_decorator(public_page, name="dispatch")
class HomeView(TemplateView):
    """The latest stories as cards and each current theme's newest headlines, assembled from
    fragments (articles/fragments.py): no query when they are kept. The latest rows are one, under
    `list:latest` (every change to a live article, and every schedule moment of one, moves it)."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        rows = fragments.cached(f"rows:{surrogates.LATEST}:{LATEST}", latest_rows, shows=[surrogates.LATEST])
        latest = cards([(pk, version, "latest" if n else "lead") for n, (pk, version) in enumerate(rows)])
        themes = navigation()
        headlines = themes_headlines([theme["id"] for theme in themes], shown=THEME_BLOCK_SIZE)
        blocks = [(theme, headlines[theme["id"]][:THEME_BLOCK_SIZE]) for theme in themes]
        return super().get_context_data(
            lead=latest[0] if latest else None,
            latest=latest[1:],
            theme_blocks=[(theme, [html for _, html in headlines]) for theme, headlines in blocks if headlines],
            structured_data=website_and_publisher(),
            **kwargs,
        )


def latest_rows():
    """The latest live articles' (id, version), showing each article's key as well as the list's: a
    change to one drops them whatever the clock (a clock set back makes an article live no longer)."""
    rows = list(Article.objects.live().order_by("-publish_at", "-id").values_list("pk", "version")[:LATEST])
    shows(*(surrogates.article_key(pk) for pk, _ in rows))
    return rows


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


def media(request, path):
    """Uploaded files from MEDIA_ROOT, read at request time (tests point it at a temporary folder).
    A rendition's name is new each time it is made, so browsers and CDNs keep it for a year.
    An original is a picture's full-size file: staff see it, readers only while a live article
    shows it (its name is secret too, for object storage, which serves files itself)."""
    image = None if "/renditions/" in f"/{path}" else Image.objects.filter(file=path).first()
    if image is not None and not getattr(request.user, "is_staff", False) and not image.shown_live():
        raise Http404("No such file.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if response.status_code == 200:
        if "/renditions/" in f"/{path}":
            response["Cache-Control"] = "public, max-age=31536000, immutable"
        else:  # a logo or an original keeps its name when replaced; an original stops being public
            response["Cache-Control"] = "public, max-age=600"  # (private for staff: the middleware)
    return response
