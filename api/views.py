"""Public reads: live articles (through `Article.objects.live()`, like every page), themes,
authors, tags and search. Anonymous answers are public pages: the page cache keeps them,
gives them an ETag and a Cache-Control that ends before the next scheduled moment, and
drops them when what they show changes, as it does pages (the URLconf marks them; the views
name the surrogate keys that loading models does not record by itself)."""

import hashlib
import html
import re

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView
from taggit.models import Tag

from articles.models import Article, Author, Byline
from pagecache.keys import shows
from pagecache.surrogates import LATEST, NAVIGATION, article_key
from search.query import MAX_QUERY_LENGTH, clean
from search.results import Order, SearchResults
from themes.models import Theme

from . import serializers as s
from .pagination import ArticleCursorPagination, NamePagination, page_size
from .parameters import QueryParameter, moment, number, text
from .schema import ApiSchema
from .throttling import SearchRateThrottle


class JsonOnly(BaseContentNegotiation):
    """JSON whatever the Accept header says: answers are cached by address, not by Accept
    (and a client asking for XML gets JSON rather than a 406 no one documents)."""

    def select_parser(self, request, parsers):
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ConditionalMixin:
    """ETag and 304 for every GET (the page cache adds its own for anonymous readers), and
    private caching for token holders. The query parameters a view reads are declared in
    `parameters` (and its paginator's): anything else, or a value outside them, is a 400."""

    parameters = ()
    schema = ApiSchema()
    content_negotiation_class = JsonOnly

    def query_parameters(self):
        paginator = getattr(self, "pagination_class", None)
        return [*self.parameters, *(paginator.parameters() if paginator else ())]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        declared = self.query_parameters()
        allowed = ", ".join(sorted(parameter.name for parameter in declared)) or "none"
        unknown = set(request.query_params) - {parameter.name for parameter in declared}
        if unknown:
            message = f"Unknown query parameter. Allowed: {allowed}."
            raise ValidationError({name: [message] for name in sorted(unknown)})
        self.query = {parameter.name: parameter.read(request.query_params) for parameter in declared}

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


ARTICLE_FILTERS = (
    text("theme", "Only this theme's articles (its slug)."),
    text("author", "Only this author's articles (their slug)."),
    text("tag", "Only articles with this tag (its slug)."),
    moment("updated_since", "Only articles edited or published at or after this time (ISO 8601 with offset)"),
)


class ArticleListView(PublicMixin, generics.ListAPIView):
    """Live articles, newest first, with cursor pagination (follow `next`)."""

    serializer_class = s.ArticleSerializer
    pagination_class = ArticleCursorPagination
    parameters = ARTICLE_FILTERS

    def get_queryset(self):
        shows(LATEST)  # every live article is on it: any that changes drops this answer
        articles = live_articles().defer("body", "body_html", "related_ids")
        # An unknown slug is a 400, not an empty list the page cache would keep once per made-up slug.
        for name, model in (("theme", Theme), ("author", Author), ("tag", Tag)):
            if self.query[name] and not model.objects.filter(slug=self.query[name]).exists():
                raise ValidationError({name: f"There is no {name} {self.query[name]!r}."})
        if self.query["theme"]:
            articles = articles.filter(theme__slug=self.query["theme"])
        if self.query["author"]:
            articles = articles.filter(bylines__author__slug=self.query["author"])
        if self.query["tag"]:
            articles = articles.filter(tags__slug=self.query["tag"])
        if since := self.query["updated_since"]:
            # Gone live by the clock counts as a change for a client keeping a copy.
            articles = articles.filter(Q(modified_at__gte=since) | Q(publish_at__gte=since))
        return articles


class ArticleDetailView(PublicMixin, generics.RetrieveAPIView):
    """One live article with its body and corrections. Not live (never, not yet, no longer): 404."""

    serializer_class = s.ArticleDetailSerializer

    def get_queryset(self):
        # A 404 loads no article: name it, so that its going live (or an edit) drops the cached answer.
        shows(article_key(self.kwargs["pk"]))
        return live_articles()  # per request: live() reads the clock


class ThemeListView(PublicMixin, generics.ListAPIView):
    """The active themes, in the site's navigation order."""

    serializer_class = s.ThemeSerializer
    pagination_class = NamePagination

    def get_queryset(self):
        shows(NAVIGATION)
        return Theme.objects.active()


class ThemeDetailView(PublicMixin, generics.RetrieveAPIView):
    serializer_class = s.ThemeDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        shows(NAVIGATION)  # a theme made under this slug later invalidates it
        return Theme.objects.all()


def authors_with_live_articles():
    shows(LATEST)
    live = Article.objects.live().filter(bylines__author=OuterRef("pk"))
    return Author.objects.filter(Exists(live)).order_by("name", "id")


class AuthorListView(PublicMixin, generics.ListAPIView):
    """Authors with at least one live article."""

    serializer_class = s.AuthorSerializer
    pagination_class = NamePagination

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

    def get_queryset(self):
        shows(LATEST)
        return Article.objects.live().tags().order_by("name")


MAX_SEARCH_PAGE = 50
SEARCH_PAGE_SIZE = 20


class SearchView(PublicMixin, APIView):
    """Live articles matching `q`, best match first: words, "quoted phrases", -excluded, or.
    Searches that reach the database are limited per client (SEARCH_RATE_LIMIT a minute)."""

    parameters = (
        text("q", "What to look for.", max_length=MAX_QUERY_LENGTH * 4, required=True),
        text("theme", "Only in this theme (its slug)."),
        QueryParameter("order", {"type": "string", "enum": list(Order.values)}, "best (default) or newest."),
        number("page", 1, MAX_SEARCH_PAGE, f"The page: 1–{MAX_SEARCH_PAGE}."),
        page_size(SEARCH_PAGE_SIZE),
    )
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, SearchRateThrottle]

    @extend_schema(
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
        text = clean(self.query["q"])
        if not text:
            raise ValidationError({"q": ["Say what to look for."]})
        page_size = self.query["page_size"] or SEARCH_PAGE_SIZE
        page = self.query["page"] or 1
        order = self.query["order"] or Order.BEST
        shows(LATEST)
        search = SearchResults(text, Order(order), self.query["theme"])
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


# The root lists what there is, as DRF's browsable root does: resource name → address.
RESOURCES = {
    "articles": "api:article-list",
    "themes": "api:theme-list",
    "authors": "api:author-list",
    "tags": "api:tag-list",
    "search": "api:search",
    "staff_articles": "api:staff-article-list",
    "staff_workflow": "api:staff-workflow",
    "staff_images": "api:staff-images",
    "schema": "api:schema",
    "docs": "api:docs",
}


class ApiRootView(PublicMixin, APIView):
    """Every resource of the API with its address (the `staff_` ones need a key)."""

    @extend_schema(responses=inline_serializer("ApiRoot", {name: serializers.URLField() for name in RESOURCES}))
    def get(self, request):
        return Response({name: request.build_absolute_uri(reverse(url_name)) for name, url_name in RESOURCES.items()})
