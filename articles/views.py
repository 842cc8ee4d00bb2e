from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.utils.text import Truncator
from django.views.generic import DetailView, ListView
from markupsafe import Markup
from taggit.models import Tag

from pagecache import fragments
from pagecache.decorators import public_page
from pagecache.keys import shows

from .models import SHARE_SALT, Article, Author, Byline, ShareLink, Status
from .related import related_live
from .structured_data import modified_time, news_article
from .text import plain_text


class ArticleListMixin:
    """Paginated, live-only listings of article cards."""

    paginate_by = 20
    context_object_name = "articles"

    def articles(self):
        return Article.objects.live().for_listing()


@method_decorator(public_page(revalidate=True), name="dispatch")
class ArticleDetailView(DetailView):
    model = Article
    context_object_name = "article"

    def article_queryset(self):
        return Article.objects.select_related("theme", "lead_image")

    def get_object(self, queryset=None):
        article = get_object_or_404(self.article_queryset(), slug=self.kwargs["slug"])
        if not article.is_live():
            if article.can_view(self.request.user):
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
        if request.path != canonical and not self.preview:
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
            headline=plain_text(article.headline),
            summary=Truncator(plain_text(article.standfirst or article.deck)).chars(300),
            preview=self.preview,
            parts=self.parts(article),
            more_on_theme=self.more_on_theme(article),
            related=related_live(article) if not article.theme_id else [],
        )
        return context

    def parts(self, article):
        """The article's head (meta, JSON-LD) and its text, rendered without the request: public
        pages keep them as a fragment by the article's version; previews never use fragments."""

        def render():
            prefetch_related_objects(
                [article],
                Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position", "id")),
                "tags",
            )
            structured_data = news_article(article)
            context = {
                "article": article,
                "headline": plain_text(article.headline),
                "tags": list(article.tags.all()),
                "corrections": list(article.corrections.all()) if article.corrected_at else [],
                "structured_data": structured_data,
                "site_url": settings.SITE_URL,
            }
            return {name: Markup(template(name).render(context)) for name in ("meta", "body")}

        if self.preview:
            return render()
        return fragments.cached(f"article:{article.pk}:{article.version}", render, shows=article_shows(article))

    def more_on_theme(self, article):
        """The theme's newest headlines but this article's: a fragment all the theme's pages share."""
        if not article.theme_id:
            return []
        shown = theme_headlines(article.theme_id)
        return [html for pk, html in shown if pk != article.pk][:MORE_ON_THEME]


MORE_ON_THEME = 20


def theme_headlines(theme_id):
    """(id, headline list item) of the theme's newest live articles, one more than a page shows."""

    def render():
        newest = (
            Article.objects.live()
            .filter(theme_id=theme_id)
            .only("headline", "slug", "publish_at", "created_at")
            .order_by("-publish_at", "-id")[: MORE_ON_THEME + 1]
        )
        item = template("headline_item").module.headline_item
        return [(other.pk, Markup(item(other))) for other in newest]

    return fragments.cached(f"theme-headlines:{theme_id}", render, shows=[f"list:theme:{theme_id}"])


def article_shows(article):
    """What an article's fragment shows besides what it loads itself: the rows loaded before it."""
    shown = [f"article:{article.pk}"]
    if article.theme_id:
        shown.append(f"theme:{article.theme_id}")
    if article.lead_image_id:
        shown.append(f"image:{article.lead_image_id}")
    return shown


TEMPLATES = {
    "meta": "articles/article_meta.html",
    "body": "articles/article_body.html",
    "headline_item": "includes/headlines.html",
}


def template(name):
    return engines["jinja2"].env.get_template(TEMPLATES[name])


class PreviewView(ArticleDetailView):
    """An article in any state, in the public template, for staff who may edit or review it;
    everyone else gets the 404 a reader gets."""

    def get(self, request, *args, **kwargs):
        self.object = get_object_or_404(self.article_queryset().visible_to(request.user), pk=kwargs["pk"])
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
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        shows(f"list:author:{self.author.pk}")
        return self.articles().filter(bylines__author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


@method_decorator(public_page, name="dispatch")
class TagDetailView(ArticleListMixin, ListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        shows(f"list:tag:{self.tag.pk}")
        return self.articles().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
