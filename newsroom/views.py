from django.conf import settings
from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView
from django.views.static import serve

from articles.models import Article, Byline
from pagecache.decorators import public_page
from themes.models import navigation

THEME_BLOCK_SIZE = 4


@method_decorator(public_page, name="dispatch")
class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        latest = list(
            Article.objects.live()
            .for_listing()
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position", "id"))
            )[:13]
        )
        # The newest few of every active theme in one query, whatever the number of themes. The ranking
        # reads only indexed columns; the rows themselves (large, with their bodies) are read for the winners only.
        newest_per_theme = (
            Article.objects.live()
            .filter(theme__is_active=True)
            .annotate(
                rank=Window(RowNumber(), partition_by=F("theme_id"), order_by=[F("publish_at").desc(), F("id").desc()])
            )
            .filter(rank__lte=THEME_BLOCK_SIZE)
            .values("id")
        )
        ranked = Article.objects.filter(id__in=newest_per_theme).only(
            "headline", "slug", "publish_at", "theme_id", "created_at"
        )
        by_theme = {}
        for article in ranked:
            by_theme.setdefault(article.theme_id, []).append(article)
        for articles in by_theme.values():
            articles.sort(key=lambda a: (a.publish_at, a.pk), reverse=True)
        return super().get_context_data(
            lead=latest[0] if latest else None,
            latest=latest[1:],
            theme_blocks=[(theme, by_theme[theme["id"]]) for theme in navigation() if theme["id"] in by_theme],
            **kwargs,
        )


def media(request, path):
    """Uploaded files from MEDIA_ROOT, read at request time (tests point it at a temporary folder)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
