from datetime import datetime
from urllib.parse import unquote

from django.core import signing
from django.core.paginator import Page
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.utils.text import Truncator
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from pagecache import fragments
from pagecache.decorators import public_page
from pagecache.keys import shows
from pagecache.surrogates import LATEST, article_key, list_key

from .body import typeset
from .fragments import (
    MORE_ON_THEME,
    NotLive,
    article_parts,
    cards_by_id,
    list_subject,
    live_article,
    render_parts,
    theme_headlines,
)
from .models import SHARE_SALT, Article, ArticleEvent, Author, ShareLink, Status, step_where
from .permissions import article_policy
from .structured_data import modified_time
from .text import plain_text

# What other apps add to an article's page: each `hook(view, article)` returns context (live/
# adds a live article's entries). Articles import none of them; they append here when ready.
PAGE_ADDITIONS = []


class ArticleListMixin:
    """Paginated, live-only listings of article cards, assembled from fragments as the home page
    is: the page's rows, read as (id, version, publish_at), and the list's count are one fragment
    under the list's key; the cards are fragments of their own (articles/fragments.py), and only
    those not kept are loaded. A view sets `list_shown` (and `list_name` if the key is shared), and
    its `get_queryset()` returns a function that builds the list's query: called only when the page's
    rows are not kept (building a queryset costs more than the rest of a page from fragments)."""

    paginate_by = 20
    context_object_name = "articles"
    card_style = "listed"

    def articles(self):
        rows = Article.objects.live().order_by("-publish_at", "-id")
        return rows.values_list("pk", "version", "publish_at", named=True)

    def paginate_queryset(self, queryset, page_size):
        """Django's pagination, with the list's count and the page's rows kept as one fragment
        under the list's key (`self.list_shown`: every change to the list's articles, and every
        schedule moment of one, moves it), so that a page assembled from fragments queries nothing
        but its subject (the theme, author or tag)."""
        number = self.request.GET.get(self.page_kwarg) or 1

        def read():
            paginator, page, rows, _ = super(ArticleListMixin, self).paginate_queryset(queryset(), page_size)
            shows(*(article_key(row.pk) for row in rows))  # as the home page's latest rows
            return paginator.count, page.number, list(rows)

        name = f"rows:{getattr(self, 'list_name', self.list_shown)}:{page_size}:{number}"
        count, number, rows = fragments.cached(name, read, shows=[self.list_shown])
        paginator = self.get_paginator(rows, page_size, self.get_paginate_orphans(), self.get_allow_empty())
        paginator.count = count  # a cached_property: no count query
        page = Page(rows, number, paginator)
        return paginator, page, rows, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = cards_by_id([(row.pk, row.version, self.card_style) for row in context["articles"]])
        return context


@method_decorator(public_page(revalidate=True), name="dispatch")
class ArticleDetailView(DetailView):
    model = Article
    context_object_name = "article"

    def article_queryset(self):
        # The Markdown source: pages show the HTML rendered from it.
        return Article.objects.select_related("theme", "lead_image").defer("body")

    def not_live_queryset(self):
        """With the time of its last withdrawal, for the 410 page: in the same query, so a
        withdrawn article's address costs what any other miss costs."""
        withdraw = step_where(target=Status.WITHDRAWN).name
        withdrawals = ArticleEvent.objects.filter(article=OuterRef("pk"), action=withdraw).order_by("-at")
        return self.article_queryset().annotate(withdrawn_at=Subquery(withdrawals.values("at")[:1]))

    def get_object(self, queryset=None):
        try:
            article = live_article(self.article_queryset, self.kwargs["slug"])
        except (Article.DoesNotExist, NotLive):
            article = get_object_or_404(self.not_live_queryset(), slug=self.kwargs["slug"])
        if not article.is_live():
            if article_policy.user_has_permission_for_instance(self.request.user, "view", article):
                self.preview = True
            elif article.status == Status.WITHDRAWN and article.has_been_published():
                raise ArticleGone(article)
            else:
                raise Http404("No article lives at this address.")
        return article

    def get(self, request, *args, **kwargs):
        self.preview = False
        try:
            self.object = self.get_object()
        except ArticleGone as gone:
            return self.render_gone(gone.article)
        canonical = self.object.get_absolute_url()
        if request.path != unquote(canonical) and not self.preview:  # request.path is decoded: "/…/київ/"
            return redirect(canonical, permanent=True)
        return self.render_article()

    def render_article(self):
        response = self.render_to_response(self.get_context_data(object=self.object))
        if self.preview:
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex, nofollow"
        else:
            response["Last-Modified"] = http_date(modified_time(self.object).timestamp())
        return response

    def render_gone(self, article):
        response = self.response_class(
            request=self.request,
            template="articles/article_gone.html",
            context={"article": article},
            status=410,
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        context.update(
            headline=typeset(plain_text(article.headline)),
            summary=Truncator(plain_text(article.standfirst or article.deck)).chars(300),
            preview=self.preview,
            parts=self.parts(article),
            more_on_theme=self.more_on_theme(article),
            related=article.related_live() if not article.theme_id else [],
        )
        for addition in PAGE_ADDITIONS:
            context.update(addition(self, article))
        return context

    def parts(self, article):
        if self.preview:  # never kept: a preview shows what readers may not see
            return render_parts(article)
        return article_parts(article)

    def more_on_theme(self, article):
        """The theme's newest headlines but this article's: a fragment all the theme's pages share."""
        if not article.theme_id:
            return []
        return [html for pk, html in theme_headlines(article.theme_id) if pk != article.pk][:MORE_ON_THEME]


class PreviewView(ArticleDetailView):
    """An article in any state, in the public template, for staff who may edit or review it;
    everyone else gets the 404 a reader gets."""

    def get(self, request, *args, **kwargs):
        visible = article_policy.instances_user_has_permission_for(request.user, "view", within=self.article_queryset())
        self.object = get_object_or_404(visible, pk=kwargs["pk"])
        self.preview = True
        return self.render_article()


class SharedPreviewView(ArticleDetailView):
    """One unpublished article for whoever holds a valid, unrevoked share link."""

    def get(self, request, *args, **kwargs):
        try:
            link_id = signing.loads(kwargs["token"], salt=SHARE_SALT)
        except signing.BadSignature:
            raise Http404("This share link is not valid.") from None
        link = ShareLink.objects.filter(pk=link_id).first()
        if link is None or not link.is_valid():
            raise Http404("This share link has expired or been revoked.")
        self.object = get_object_or_404(self.article_queryset(), pk=link.article_id)
        if self.object.status == Status.WITHDRAWN:  # taken down: a link made before says no more
            raise Http404("This article was withdrawn.")
        self.preview = True
        self.shared_until = link.expires_at
        return self.render_article()

    def get_context_data(self, **kwargs):
        return super().get_context_data(shared_until=self.shared_until, **kwargs)


class ArticleGone(Exception):
    def __init__(self, article):
        self.article = article


@method_decorator(public_page, name="dispatch")
class AuthorDetailView(ArticleListMixin, ListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        try:
            self.author = list_subject(Author, self.kwargs["slug"])
        except Author.DoesNotExist:
            raise Http404("No author at this address.") from None
        self.list_shown = list_key("author", self.author.pk)
        shows(self.list_shown)
        return lambda: self.articles().filter(bylines__author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


@method_decorator(public_page, name="dispatch")
class TagDetailView(ArticleListMixin, ListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        # The tag by its slug, then its live articles: asking for the tags live articles carry
        # first joined every tagged article, 3 ms of a 5 ms page at 10,000 articles.
        try:
            self.tag = list_subject(Tag, self.kwargs["slug"])
        except Tag.DoesNotExist:
            shows(LATEST)  # until an article with this tag goes live
            raise Http404("No live article has this tag.") from None
        self.list_shown = list_key("tag", self.tag.pk)
        shows(self.list_shown)
        return lambda: self.articles().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        if not context["paginator"].count:  # a tag only drafts carry names an unpublished story
            shows(LATEST)
            raise Http404("No live article has this tag.")
        return context


@method_decorator(public_page, name="dispatch")
class MonthArchiveView(ArticleListMixin, ListView):
    """The live articles of one month in the newsroom's zone (WordPress's /2009/05/ leads here)."""

    template_name = "articles/month_archive.html"

    def get_queryset(self):
        year, month = int(self.kwargs["year"]), int(self.kwargs["month"])
        if not (1970 <= year <= 2100 and 1 <= month <= 12):
            raise Http404("No such month")
        zone = timezone.get_current_timezone()
        self.month = datetime(year, month, 1, tzinfo=zone)
        following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
        self.list_shown, self.list_name = LATEST, f"month:{year}-{month}"
        shows(LATEST)
        return lambda: self.articles().filter(publish_at__gte=self.month, publish_at__lt=following)

    def get_context_data(self, **kwargs):
        return super().get_context_data(month=self.month, **kwargs)
