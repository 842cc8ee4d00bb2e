from itertools import groupby

from django.http import Http404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.generic import ListView

from articles.fragments import list_subject
from articles.models import Article
from articles.views import ArticleListMixin
from pagecache import fragments
from pagecache.decorators import public_page
from pagecache.keys import shows
from pagecache.surrogates import article_key, list_key

from .models import Theme, navigation


@method_decorator(public_page, name="dispatch")
class ThemeListView(ListView):
    template_name = "themes/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return Theme.objects.active()

    def get_context_data(self, **kwargs):
        current = {theme["id"] for theme in navigation()}
        for theme in self.object_list:
            theme.dormant = theme.pk not in current
        return super().get_context_data(**kwargs)


def pinned(pk):
    return Article.objects.live().defer("body", "body_html").filter(pk=pk).first()


@method_decorator(public_page, name="dispatch")
class ThemeDetailView(ArticleListMixin, ListView):
    """A theme as a timeline: what we know, the pinned lead article, then its articles by day."""

    template_name = "themes/theme_detail.html"
    card_style = "timeline"

    def get_queryset(self):
        try:
            self.theme = list_subject(Theme, self.kwargs["slug"])
        except Theme.DoesNotExist:
            raise Http404("No theme at this address.") from None
        self.list_shown = list_key("theme", self.theme.pk)
        shows(self.list_shown)
        self.pinned = None
        if lead := self.theme.lead_article_id:  # kept as a fragment, without its text: the page shows its card
            self.pinned = fragments.cached(f"pinned:{lead}", lambda: pinned(lead), shows=[article_key(lead)])
        return self.list_articles

    def list_articles(self):
        articles = self.articles().filter(theme=self.theme)
        return articles.exclude(pk=self.pinned.pk) if self.pinned else articles

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            theme=self.theme, pinned=self.pinned, activity=self.theme.activity(), **kwargs
        )
        by_day = groupby(context["articles"], key=lambda row: timezone.localdate(row.publish_at))
        cards = context["cards"]
        context["days"] = [(day, [cards[row.pk] for row in rows if row.pk in cards]) for day, rows in by_day]
        return context
