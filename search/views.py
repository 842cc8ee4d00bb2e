from django.http import Http404
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.generic import ListView

from pagecache.decorators import public_page
from pagecache.keys import shows
from pagecache.surrogates import LATEST, NAVIGATION, every
from themes.models import navigation

from . import backends, throttling
from .query import clean, parse
from .results import Order, SearchResults


@method_decorator(public_page, name="dispatch")
class SearchView(ListView):
    """Anonymous answers are public pages: the page cache keeps one per address (query, theme,
    order, page) and drops them when a live article changes, like the listings; only a miss counts towards
    the client's rate limit."""

    template_name = "search/search.html"
    context_object_name = "results"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        wait = throttling.seconds_to_wait(request) if request.GET.get("q", "").strip() else None
        if wait is not None:
            response = render(request, "search/rate_limited.html", {"retry_after": wait}, status=429)
            response["Retry-After"] = str(wait)
            response["Cache-Control"] = "private, no-store"
            return response
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # Results are read as values, not loaded rows, so the page names what it shows itself:
        # every live article can be a result (any change to one touches `list:latest`), found by
        # its live entries' words too.
        shows(LATEST, NAVIGATION, every("live"))
        self.query = clean(self.request.GET.get("q", ""))
        themes = {theme["slug"]: theme for theme in navigation()}
        theme, order = self.request.GET.get("theme", ""), self.request.GET.get("order", "")
        if (theme and theme not in themes) or (order and order not in Order.values):
            raise Http404("No such theme or order.")  # kept by the page cache otherwise, once per made-up value
        self.theme = themes.get(theme)
        self.order = Order(order) if order else Order.BEST
        if not self.query:
            return []
        return SearchResults(self.query, self.order, self.theme["slug"] if self.theme else None)

    def paginate_queryset(self, queryset, page_size):
        # A page that does not exist is a 404, never a copy of another page: anyone can make up
        # numbers without end, and the page cache would keep each one.
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        raw = self.request.GET.get("page", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= paginator.num_pages or raw != str(int(raw)):
            raise Http404("No such page of results.")
        page = paginator.page(int(raw))
        return paginator, page, page.object_list, page.has_other_pages()

    @staticmethod
    def _with_order(params, order):
        return params if order == Order.BEST else {**params, "order": order}

    def get_context_data(self, **kwargs):
        params = {"q": self.query}
        if self.theme:
            params["theme"] = self.theme["slug"]
        results = self.object_list
        return super().get_context_data(
            query=self.query,
            nothing_to_find=bool(self.query) and not parse(self.query),
            theme=self.theme,
            themes=navigation(),
            order=self.order,
            orders=Order.choices,
            query_string=urlencode(self._with_order(params, self.order)),
            order_links={value: "?" + urlencode(self._with_order(params, value)) for value in Order.values},
            more_than=backends.CANDIDATES if getattr(results, "more_than_counted", False) else None,
            **kwargs,
        )
