"""A search as the results page shows it: the newest matches, ordered, counted and paged."""

from functools import cached_property

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import FOUND_BY, Article

from . import backends
from .backends import ID_BITS, ID_MASK, MARK_END, MARK_START, get_backend
from .query import APART, parse

# "Best match" divides relevance (backends.relevance: 1 to 11) by 1 + age in years: an article
# with the words in its headline and standfirst still beats today's passing mention in a body when
# it is years old, while among equally good matches the newer comes first.
RELEVANCE_HALVES_AFTER_DAYS = 365


class Order(TextChoices):
    BEST = "best", "Best match"
    NEWEST = "newest", "Newest first"


def highlighted(text):
    """Escape the text first, then turn the match marks into <mark>."""
    # Set in the index between characters of unspaced scripts: gone, and their marks made one.
    text = (text or "").replace(APART, "").replace(MARK_END + MARK_START, "")
    return mark_safe(escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def blend(candidates, now):
    """[(sort_key, relevance)] best first: relevance weighed down by age, newest first among equals."""
    seconds = now.timestamp()

    def score(candidate):
        key, relevance = candidate
        age_days = max(0.0, seconds - (key >> ID_BITS)) / 86400
        return relevance / (1 + age_days / RELEVANCE_HALVES_AFTER_DAYS), key

    return sorted(candidates, key=score, reverse=True)


class SearchResults:
    """The live articles matching a query, read once as at most CANDIDATES + 1 sort keys; the
    paginator's count and each page come from those keys, so no page reads what it skips."""

    def __init__(self, text, order=Order.BEST, theme_slug=None):
        self.parsed = parse(text)
        self.order = order
        live = Article.objects.live()
        if theme_slug:
            live = live.filter(theme__slug=theme_slug)
        self.live = live
        self.backend = get_backend()

    @cached_property
    def _candidates(self):
        if not self.parsed:
            return []
        return self.backend.candidates(self.parsed, self.live, ranked=self.order == Order.BEST)

    @cached_property
    def keys(self):
        candidates = self._candidates[: backends.CANDIDATES]
        if self.order == Order.BEST:
            candidates = blend(candidates, timezone.now())
        return [key for key, _ in candidates]

    @property
    def more_than_counted(self):
        """True when there are more matches than the count (CANDIDATES) says."""
        return len(self._candidates) > backends.CANDIDATES

    def count(self):
        return len(self.keys)

    def __getitem__(self, page):
        keys = self.keys[page]
        if not keys:
            return []
        marked = self.backend.highlights(self.parsed, keys)
        articles = Article.objects.for_listing().in_bulk([key & ID_MASK for key in keys])
        results = []
        for key in keys:
            article = articles.get(key & ID_MASK)
            if article is not None:
                headline, snippet = marked.get(key, (article.headline, ""))
                article.headline_highlighted = highlighted(headline)
                article.snippet = highlighted(snippet)
                article.found_in = None
                results.append(article)
        self._place(results)
        return results

    def _place(self, results):
        """Where in a result its words are, when another app holds part of its text (the entry of
        a live article): at most one query each, whatever the page shows."""
        words = {word for group in self.parsed.groups for word in group[0]}
        for finder in FOUND_BY:
            places = finder.places([article for article in results if article.found_in is None], words)
            for article in results:
                article.found_in = article.found_in or places.get(article.pk)


def matching_ids(queryset, text):
    """The ids of the newest articles of `queryset` (any status) with these words, for staff lists
    (`Article.objects.with_words`)."""
    parsed = parse(text)
    if not parsed:
        return []
    return [key & ID_MASK for key, _ in get_backend().candidates(parsed, queryset, ranked=False)[: backends.CANDIDATES]]
