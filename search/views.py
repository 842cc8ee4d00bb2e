from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.generic import ListView

from articles.models import Article
from themes.models import navigation

from .backends import MARK_END, MARK_START, get_backend
from .query import clean


def highlighted(text):
    """Escape the text first, then turn the match marks into <mark>."""
    return mark_safe(escape(text or "").replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


class SearchResults:
    """The live articles matching a query, sliced lazily so that the paginator
    asks the index for one count and one page only."""

    def __init__(self, text, theme_slug=None):
        self.text = text
        live = Article.objects.live()
        if theme_slug:
            live = live.filter(theme__slug=theme_slug)
        self.live = live
        self.backend = get_backend()

    def count(self):
        return self.backend.count(self.text, self.live)

    def __getitem__(self, page):
        if page.stop <= page.start:
            return []
        rows = self.backend.page(self.text, self.live, page.start, page.stop - page.start)
        articles = Article.objects.for_listing().in_bulk([row[0] for row in rows])
        results = []
        for pk, headline, snippet in rows:
            article = articles.get(pk)
            if article is not None:
                article.headline_highlighted = highlighted(headline)
                article.snippet = highlighted(snippet)
                results.append(article)
        return results


class SearchView(ListView):
    template_name = "search/search.html"
    context_object_name = "results"
    paginate_by = 20

    def get_queryset(self):
        self.query = clean(self.request.GET.get("q", ""))
        themes = {theme["slug"]: theme for theme in navigation()}
        self.theme = themes.get(self.request.GET.get("theme", ""))
        if not self.query:
            return []
        return SearchResults(self.query, self.theme["slug"] if self.theme else None)

    def paginate_queryset(self, queryset, page_size):
        # An out-of-range page of search results is an empty page, not an error.
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        try:
            number = max(1, min(int(self.request.GET.get("page", 1)), paginator.num_pages))
        except ValueError:
            number = 1
        page = paginator.page(number)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        params = {"q": self.query}
        if self.theme:
            params["theme"] = self.theme["slug"]
        return super().get_context_data(
            query=self.query,
            theme=self.theme,
            themes=navigation(),
            query_string=urlencode(params),
            **kwargs,
        )
