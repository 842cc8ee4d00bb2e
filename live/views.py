"""The reader's side of live coverage: the entries on a live article's page (added to the
article's own view through `articles.views.PAGE_ADDITIONS`), an entry's shareable address,
and the small answer readers' pages poll for what is new.

Every answer shows `live:<article id>` (cache.coverage_key): an entry's change, or its second
arriving, drops them all from every cache at once. Between entries the poll's address is the
same for every reader who has the newest entry, so it is one cache hit for all of them."""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import Truncator
from django.views import View

from articles.fragments import NotLive, live_article
from articles.models import Article, Author
from articles.text import plain_text
from articles.views import ArticleDetailView
from pagecache.decorators import public_page
from pagecache.keys import shows
from pagecache.surrogates import article_key

from .cache import coverage_key
from .models import Entry, EntryStatus
from .structured_data import live_blog_posting

ENTRIES_PER_PAGE = 20
KEY_EVENTS_SHOWN = 30
# How often a reader's page asks (settings.LIVE_POLL_SECONDS): each ask between entries is a cache hit.
POLL_SECONDS = 10
POLL_MOST = 50  # new entries one poll answer carries; beyond, the page offers a reload


def shown_entries(article):
    """The article's public entries, newest first, with their authors."""
    return (
        Entry.objects.published()
        .filter(article=article)
        .order_by("-publish_at", "-id")
        .prefetch_related(Prefetch("authors", queryset=Author.objects.only("name", "slug")))
    )


def coverage(view, article):
    """What a live article's page adds: pinned entry, key events, a page of entries (`?page=`);
    `view.focus` (an entry's address) chooses the page holding that entry."""
    if not article.has_coverage():
        return {}
    shows(coverage_key(article.pk))
    entries = shown_entries(article)
    focus = getattr(view, "focus", None)
    if focus is not None:
        newer = entries.filter(Q(publish_at__gt=focus.publish_at) | Q(publish_at=focus.publish_at, id__gt=focus.id))
        number = newer.count() // ENTRIES_PER_PAGE + 1
    else:
        number = view.request.GET.get("page", 1)
    paginator = Paginator(entries, ENTRIES_PER_PAGE)
    try:
        page = paginator.page(number)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page of entries.") from None
    listed = list(page.object_list)
    pinned = next((entry for entry in entries.filter(pinned=True)[:1]), None)
    key_events = list(entries.filter(key_event=True).only("id", "title", "publish_at", "article_id")[:KEY_EVENTS_SHOWN])
    latest = listed[0] if page.number == 1 and listed else entries.only("id", "publish_at").first()
    return {
        "coverage": {
            "article": article,
            "page": page,
            "entries": listed,
            "pinned": pinned,
            "key_events": key_events,
            "latest": latest,
            "ended": article.coverage_end is not None and article.coverage_end <= timezone.now(),
            "poll_url": poll_url(article.pk, latest.pk if latest else 0),
            "poll_seconds": getattr(settings, "LIVE_POLL_SECONDS", POLL_SECONDS),
            "structured_data": live_blog_posting(article, listed),
            "focus": focus,
        }
    }


def poll_url(article_id, since):
    return f"/live/{article_id}/since/{since}/"


def template(name):
    return engines["jinja2"].env.get_template(name)


def entry_html(entry):
    return template("live/entry.html").module.live_entry(entry)


class EntryDetailView(ArticleDetailView):
    """`…/entries/<id>/`: the article's page opened at one entry, with the entry's own card."""

    template_name = "live/entry_detail.html"

    def get(self, request, *args, **kwargs):
        self.preview = False
        try:
            article = live_article(self.article_queryset, self.kwargs["slug"])  # a reader's view only
        except (Article.DoesNotExist, NotLive):
            raise Http404("No article lives at this address.") from None
        if not article.has_coverage():
            raise Http404("This article has no entries.")
        self.object = article
        self.focus = get_object_or_404(Entry.objects.published().filter(article=article), pk=kwargs["entry_id"])
        return self.render_article()

    def get_object(self, queryset=None):
        return self.object

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.focus
        text = Truncator(plain_text(entry.body_html)).chars(200)
        context.update(entry=entry, entry_title=plain_text(entry.title) or context["headline"], entry_summary=text)
        return context


@method_decorator(public_page(revalidate=True), name="dispatch")
class PollView(View):
    """What is new since entry `since`: entries after it (newest first, as HTML), the ids of
    withdrawn entries (a page that has one shows "an entry was removed"), and corrected
    entries among the newest (replaced where they are)."""

    def get(self, request, article_id, since):
        shows(coverage_key(article_id), article_key(article_id))
        article = Article.objects.live().filter(pk=article_id, coverage_start__isnull=False).first()
        if article is None:
            raise Http404("No live coverage here.")
        entries = shown_entries(article)
        newer = entries
        if since:
            mark = Entry.objects.filter(article=article, pk=since).values("publish_at", "id").first()
            if mark is None:
                raise Http404("No such entry.")
            newer = entries.filter(
                Q(publish_at__gt=mark["publish_at"]) | Q(publish_at=mark["publish_at"], id__gt=mark["id"])
            )
        new = list(newer[: POLL_MOST + 1])
        latest = new[0].pk if new else since
        removed = Entry.objects.filter(article=article, status=EntryStatus.WITHDRAWN, was_public=True)
        corrected = [entry for entry in entries[:ENTRIES_PER_PAGE] if entry.updated_at and entry not in new]
        return JsonResponse(
            {
                "latest": latest,
                "count": len(new[:POLL_MOST]),
                "more": len(new) > POLL_MOST,
                "entries": "".join(entry_html(entry) for entry in new[:POLL_MOST]),
                "removed": sorted(removed.values_list("pk", flat=True)),
                "corrected": {
                    str(entry.pk): {"version": entry.version, "html": entry_html(entry)} for entry in corrected
                },
                "ended": article.coverage_end is not None and article.coverage_end <= timezone.now(),
                "next": poll_url(article.pk, latest),
            }
        )
