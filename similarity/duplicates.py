"""Warn before two articles about the same thing go out side by side.

Compares a headline and standfirst with those of the articles published or
scheduled in the last 72 hours. Similarity is the larger of two plain-Python
measures on normalised words: difflib's ratio over the word sequence (catches a
light rewording) and the Jaccard overlap of the content words (catches a reordering).
The threshold is set by the labelled pairs in tests/test_duplicates.py: rewrites of
one headline score 0.8 or more, different stories of the same running theme 0.6 or
less, and 0.7 keeps a margin of 0.1 to both.
"""

import difflib
from datetime import timedelta

from django.utils import timezone

from articles.models import Action, Article, ArticleEvent, Status
from articles.text import words as text_words

WINDOW = timedelta(hours=72)
THRESHOLD = 0.7

# Words that make two headlines look alike without saying the same thing.
STOP_WORDS = {
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "by",
    "for",
    "from",
    "has",
    "have",
    "in",
    "is",
    "it",
    "its",
    "of",
    "on",
    "or",
    "over",
    "says",
    "than",
    "that",
    "the",
    "their",
    "to",
    "was",
    "were",
    "will",
    "with",
    "after",
    "before",
    "new",
}


def words(text):
    """Lower-case words in any script (articles.text.words) cut to their first five letters: a
    crude stem that makes "approves", "approved" and "approval" one word without a language
    model. Markup characters are not letters, so no HTML or Markdown parsing is needed."""
    return [word[:5] for word in text_words(text) if word not in STOP_WORDS]


def similarity(first, second, threshold=0.0):
    """How alike two headlines (or standfirsts) are, from 0 (nothing shared) to 1 (the same words).
    With a threshold, a pair that cannot reach it may be given a lower bound instead, cheaply."""
    a, b = words(first) if isinstance(first, str) else first, words(second) if isinstance(second, str) else second
    if not a or not b:
        return 0.0
    set_a, set_b = set(a), set(b)
    shared = len(set_a & set_b) / len(set_a | set_b)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if shared < threshold and matcher.quick_ratio() < threshold:  # quick_ratio() bounds ratio() from above
        return round(shared, 3)
    return round(max(matcher.ratio(), shared), 3)


def recent_articles(now=None, exclude=None):
    """Articles published or scheduled within the window, the ones a duplicate would sit beside."""
    now = now or timezone.now()
    recent = Article.objects.filter(status=Status.APPROVED, publish_at__gte=now - WINDOW)
    if exclude is not None:
        recent = recent.exclude(pk=exclude)
    return recent.only("headline", "standfirst", "slug", "publish_at", "status", "created_at", "dateline_offset")


def find_duplicates(*, headline="", standfirst="", exclude=None, now=None, threshold=THRESHOLD):
    """The recent articles whose headline or standfirst is very like these, most alike first,
    as (article, similarity, which field) tuples."""
    found = []
    headline, standfirst = words(headline), words(standfirst)
    for other in recent_articles(now, exclude):
        score, field = max(
            (similarity(headline, other.headline, threshold), "headline"),
            (similarity(standfirst, other.standfirst, threshold), "standfirst"),
        )
        if score >= threshold:
            found.append((other, score, field))
    found.sort(key=lambda item: -item[1])
    return found


def dismissed_ids(article):
    """Articles an editor has said this one (an article or its id) is not a duplicate of."""
    return set(
        ArticleEvent.objects.filter(article=article, action=Action.NOT_DUPLICATE).values_list(
            "other_article_id", flat=True
        )
    )


def duplicate_warnings(article, now=None):
    """The duplicates the admin should warn about for a saved article, dismissed ones left out."""
    if article.status not in (Status.DRAFT, Status.IN_REVIEW):
        return []
    dismissed = dismissed_ids(article)
    return [
        found
        for found in find_duplicates(
            headline=article.headline, standfirst=article.standfirst, exclude=article.pk, now=now
        )
        if found[0].pk not in dismissed
    ]
