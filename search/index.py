"""Keeping the search index in step with articles."""

from django.db.models import Prefetch

from articles.models import FOUND_BY, Article, Byline
from articles.text import plain_text

from .backends import MARK_END, MARK_START, get_backend, sort_key
from .query import set_apart

BATCH_SIZE = 500
_MARKS = {ord(MARK_START): " ", ord(MARK_END): " "}


def _text(value):
    return set_apart(plain_text(value).translate(_MARKS))


def document(article):
    """The searchable text of one article, field by field (bylines, tags, theme and what other
    apps add, FOUND_BY, prefetched), and its sort key."""
    more = " ".join(finder.text(article) for finder in FOUND_BY)
    return {
        "sort_key": sort_key(article.pk, article.publish_at),
        "headline": _text(article.headline),
        "deck": _text(article.deck),
        "standfirst": _text(article.standfirst),
        "body": _text(f"{article.body_html} {more}"),
        "tags": _text(" ".join(tag.name for tag in article.tags.all())),
        "authors": _text(" ".join(byline.author.name for byline in article.bylines.all())),
        "theme": _text(article.theme.name if article.theme_id else ""),
    }


def _articles():
    return (
        Article.objects.select_related("theme")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            "tags",
            *(finder.prefetch() for finder in FOUND_BY),
        )
        .only("headline", "deck", "standfirst", "body_html", "publish_at", "theme__name")
        .order_by("pk")
    )


def index_articles(article_ids):
    """(Re)index these articles; ids of articles that no longer exist are removed."""
    article_ids = set(article_ids)
    if not article_ids:
        return
    backend = get_backend()
    articles = list(_articles().filter(pk__in=article_ids))
    backend.replace({article.pk: document(article) for article in articles})
    backend.remove(article_ids - {article.pk for article in articles})


def rebuild():
    """Index every article from scratch; returns how many."""
    backend = get_backend()
    backend.clear()
    total = 0
    last_pk = 0
    while True:
        batch = list(_articles().filter(pk__gt=last_pk)[:BATCH_SIZE])
        if not batch:
            return total
        backend.replace({article.pk: document(article) for article in batch})
        total += len(batch)
        last_pk = batch[-1].pk


def index_missing():
    """Index the articles the index lacks (rows written without signals: bulk_create, raw SQL, a
    database from before search, tables remade by a migration); returns how many."""
    missing = sorted(set(Article.objects.values_list("pk", flat=True)) - get_backend().indexed_article_ids())
    for start in range(0, len(missing), BATCH_SIZE):
        index_articles(missing[start : start + BATCH_SIZE])
    return len(missing)
