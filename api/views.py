"""Public reads: live articles (through `Article.objects.live()`, like every page), themes,
authors, tags and search. Anonymous answers are public pages: the page cache keeps them,
gives them an ETag and a Cache-Control that ends before the next scheduled moment, and
drops them when what they show changes, as it does pages (the URLconf marks them; the views
name the surrogate keys that loading models does not record by itself)."""

import hashlib
import html
import re

from django.db.models import Exists, OuterRef, Prefetch, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView
from taggit.models import Tag

from articles.models import Article, Author, Byline
from pagecache.keys import shows
from search.query import clean
from search.results import Order, SearchResults
from themes.models import Theme

from . import serializers as s
from .pagination import ArticleCursorPagination, NamePagination, page_size_from


class ConditionalMixin:
    """ETag and 304 for every GET (the page cache adds its own for anonymous readers), and
    private caching for token holders."""

    allowed_query_params = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.allowed_query_params)
        if unknown and request.method == "GET":
            allowed = ", ".join(sorted(self.allowed_query_params)) or "none"
            raise ValidationError({"detail": f"Unknown query parameter: {', '.join(unknown)}. Allowed: {allowed}."})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and request.auth is not None:
            response.render()
            response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
            response["Cache-Control"] = "private, no-cache"
            if response["ETag"] in request.headers.get("If-None-Match", ""):
                response.status_code = 304
                response.content = b""
        return response


class PublicMixin(ConditionalMixin):
    """Readable by anyone, from any web page (CORS for GET)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag"
        if request.method == "OPTIONS":
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, Accept"
            response["Access-Control-Max-Age"] = "86400"
        return response


def live_articles():
    byline = Byline.objects.select_related("author").order_by("position", "id")
    return (
        Article.objects.live()
        .select_related("theme", "lead_image")
        .prefetch_related(Prefetch("bylines", queryset=byline), "tags")
    )


ARTICLE_FILTERS = [
    OpenApiParameter("theme", str, description="A theme's slug."),
    OpenApiParameter("author", str, description="An author's slug."),
    OpenApiParameter("tag", str, description="A tag's slug."),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="Only articles edited or published at or after this time (ISO 8601 with offset).",
    ),
    OpenApiParameter("page_size", int, description="1–100, default 20."),
]


class ArticleListView(PublicMixin, generics.ListAPIView):
    """Live articles, newest first, with cursor pagination (follow `next`)."""

    serializer_class = s.ArticleSerializer
    pagination_class = ArticleCursorPagination
    allowed_query_params = frozenset({"theme", "author", "tag", "updated_since", "cursor", "page_size"})

    @extend_schema(parameters=ARTICLE_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        shows("list:latest")  # every live article is on it: any that changes drops this answer
        articles = live_articles().defer("body", "body_html", "related_ids")
        params = self.request.query_params
        # An unknown slug is a 400, not an empty list the page cache would keep once per made-up slug.
        for name, model in (("theme", Theme), ("author", Author), ("tag", Tag)):
            if params.get(name) and not model.objects.filter(slug=params[name]).exists():
                raise ValidationError({name: f"There is no {name} {params[name]!r}."})
        if params.get("theme"):
            articles = articles.filter(theme__slug=params["theme"])
        if params.get("author"):
            articles = articles.filter(bylines__author__slug=params["author"])
        if params.get("tag"):
            articles = articles.filter(tags__slug=params["tag"])
        if "updated_since" in params:
            try:
                since = serializers.DateTimeField().run_validation(params["updated_since"])
            except ValidationError as error:
                raise ValidationError({"updated_since": error.detail}) from None
            # Gone live by the clock counts as a change for a client keeping a copy.
            articles = articles.filter(Q(modified_at__gte=since) | Q(publish_at__gte=since))
        return articles


class ArticleDetailView(PublicMixin, generics.RetrieveAPIView):
    """One live article with its body and corrections. Not live (never, not yet, no longer): 404."""

    serializer_class = s.ArticleDetailSerializer

    def get_queryset(self):
        # A 404 loads no article: name it, so that its going live (or an edit) drops the cached answer.
        shows(f"article:{self.kwargs['pk']}")
        return live_articles()  # per request: live() reads the clock


class ThemeListView(PublicMixin, generics.ListAPIView):
    """The active themes, in the site's navigation order."""

    serializer_class = s.ThemeSerializer
    pagination_class = NamePagination
    allowed_query_params = frozenset({"page", "page_size"})

    def get_queryset(self):
        shows("navigation")
        return Theme.objects.active()


class ThemeDetailView(PublicMixin, generics.RetrieveAPIView):
    serializer_class = s.ThemeDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        shows("navigation")  # a theme made under this slug later invalidates it
        return Theme.objects.all()


def authors_with_live_articles():
    shows("list:latest")
    live = Article.objects.live().filter(bylines__author=OuterRef("pk"))
    return Author.objects.filter(Exists(live)).order_by("name", "id")


class AuthorListView(PublicMixin, generics.ListAPIView):
    """Authors with at least one live article."""

    serializer_class = s.AuthorSerializer
    pagination_class = NamePagination
    allowed_query_params = frozenset({"page", "page_size"})

    def get_queryset(self):
        return authors_with_live_articles()


class AuthorDetailView(PublicMixin, generics.RetrieveAPIView):
    serializer_class = s.AuthorSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return authors_with_live_articles()


class TagListView(PublicMixin, generics.ListAPIView):
    """Tags of live articles, by name."""

    serializer_class = s.TagSerializer
    pagination_class = NamePagination
    allowed_query_params = frozenset({"page", "page_size"})

    def get_queryset(self):
        shows("list:latest")
        return Tag.objects.filter(article__in=Article.objects.live().values("pk")).distinct().order_by("name")


MAX_SEARCH_PAGE = 50


class SearchView(PublicMixin, APIView):
    """Live articles matching `q`, best match first: words, "quoted phrases", -excluded, or."""

    allowed_query_params = frozenset({"q", "page", "page_size", "theme", "order"})

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="What to look for."),
            OpenApiParameter("theme", str, description="Only in this theme (its slug)."),
            OpenApiParameter("order", str, enum=list(Order.values), description="best (default) or newest."),
            OpenApiParameter("page", int, description=f"1–{MAX_SEARCH_PAGE}."),
            OpenApiParameter("page_size", int, description="1–100, default 20."),
        ],
        responses=inline_serializer(
            "SearchPage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": s.SearchResultSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        text = clean(request.query_params.get("q", ""))
        if not text:
            raise ValidationError({"q": "Say what to look for."})
        page_size = page_size_from(request, 20)
        raw_page = request.query_params.get("page", "1")
        if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_SEARCH_PAGE:
            raise ValidationError({"page": f"A whole number from 1 to {MAX_SEARCH_PAGE}."})
        page = int(raw_page)
        order = request.query_params.get("order", Order.BEST)
        if order not in Order.values:
            raise ValidationError({"order": f"One of: {', '.join(Order.values)}."})
        shows("list:latest")
        search = SearchResults(text, Order(order), request.query_params.get("theme") or None)
        count = search.count()
        found = search[(page - 1) * page_size : page * page_size]
        articles = live_articles().defer("body", "body_html", "related_ids").in_bulk([a.pk for a in found])
        results = []
        for match in found:
            if match.pk in articles:
                article = articles[match.pk]
                article.snippet = html.unescape(re.sub(r"</?mark>", "", str(match.snippet)))
                results.append(article)
        url = request.build_absolute_uri()
        last = min(MAX_SEARCH_PAGE, (count + page_size - 1) // page_size)
        return Response(
            {
                "count": count,
                "next": replace_query_param(url, "page", page + 1) if page < last else None,
                "previous": replace_query_param(url, "page", page - 1) if page > 1 else None,
                "results": s.SearchResultSerializer(results, many=True).data,
            }
        )
