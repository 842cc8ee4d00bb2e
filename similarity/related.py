""" "Related" stories for articles without a theme, worked out ahead of time.

Readers' pages never compute similarity: the ids of the most similar articles are
stored on the article (`related_ids`) when it is saved in the admin, approved, or
goes live, and the page fetches them through `Article.objects.live()` in one query.
Similarity is shared tags plus TF-IDF cosine of the text, over the approved
articles of the last RECENT_DAYS and any article sharing a tag.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone

from articles.models import RELATED_SHOWN, Article, Status
from articles.text import plain_text

from .tfidf import Vectoriser, cosine, words

RELATED_COUNT = 10  # stored; the page shows the first live ones
RECENT_DAYS = 90
POOL_SIZE = 500  # the newest candidates only, so a save in the admin stays quick
TAG_WEIGHT = 0.15  # each shared tag counts like this much cosine similarity
MIN_SCORE = 0.12


def _text(article):
    return plain_text(" ".join([article.headline, article.headline, article.standfirst, article.body[:1000]]))


def related_ids_for(article, now=None):
    """Ids of the articles most like `article`, best first."""
    now = now or timezone.now()
    tag_ids = set(article.tags.values_list("pk", flat=True))
    pool = (
        Article.objects.filter(status=Status.APPROVED)
        .filter(Q(publish_at__gte=now - timedelta(days=RECENT_DAYS)) | Q(tags__in=tag_ids))
        .exclude(pk=article.pk)
        .distinct()
        .order_by("-publish_at")
        .only("headline", "standfirst", "body")[:POOL_SIZE]
    )
    candidates = list(pool)
    if not candidates:
        return []
    # Counted in one grouped query: taggit's prefetch builds a queryset per article (60 % of the time).
    shared_tags = dict(
        Article.tags.through.objects.filter(
            content_type=ContentType.objects.get_for_model(Article),
            object_id__in=[other.pk for other in candidates],
            tag_id__in=tag_ids,
        )
        .values_list("object_id")
        .annotate(count=Count("pk"))
    )
    documents = [words(_text(other)) for other in [article, *candidates]]
    vectoriser = Vectoriser(documents)
    own, *others = [vectoriser.vector(document) for document in documents]
    scores = {
        other.pk: cosine(own, vector) + TAG_WEIGHT * shared_tags.get(other.pk, 0)
        for other, vector in zip(candidates, others, strict=True)
    }
    best = sorted(scores, key=lambda pk: -scores[pk])[:RELATED_COUNT]
    return [pk for pk in best if scores[pk] >= MIN_SCORE]


def refresh_related(article, now=None):
    """Store the related ids of a theme-less article (empty for one with a theme)."""
    ids = related_ids_for(article, now) if article.theme_id is None else []
    if ids != article.related_ids:
        # A bookkeeping write: no new version, no revision, no "edited" time.
        Article.all_objects.filter(pk=article.pk).update(related_ids=ids)
        article.related_ids = ids
    return ids


def refresh_went_live(article, now=None):
    """An article just went live: its own related stories, and theirs, so that the older
    stories it is most like now show it too (similarity is symmetric)."""
    refresh_related(article, now)
    neighbours = Article.objects.live(now).filter(pk__in=article.related_ids[:RELATED_SHOWN], theme__isnull=True)
    for neighbour in neighbours:
        refresh_related(neighbour, now)


def on_related_stale(sender, *, article, went_live=False, now=None, **kwargs):
    """articles.events.related_stale: an article took a step, was restored or went live."""
    if went_live:
        refresh_went_live(article, now)
    else:
        refresh_related(article, now)
