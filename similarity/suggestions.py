"""Which themes an article's text most likely belongs to.

Each active theme is summed up by one centroid: the mean TF-IDF vector of its most
recent articles. A draft's text is turned into the same kind of vector and compared
with every centroid (cosine similarity). The centroids are kept as an inverted index
(word → the themes it weighs in, and how much), so a suggestion costs one lookup per
distinct word of the draft, whatever the size of the archive. Only the word weights
and the centroids are learned, from the articles themselves, and kept in the shared
cache until they are stale.
"""

import secrets
import time
from array import array
from itertools import groupby
from operator import itemgetter

from django.core.cache import cache
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from articles.models import Article, Status

from .tfidf import Vectoriser, normalised, words

MODEL_CACHE_KEY = "themes:suggestion-model"
STAMP_CACHE_KEY = "themes:suggestion-model-stamp"
MODEL_MAX_AGE = 15 * 60  # seconds: new articles shift a theme's centroid only slowly
# publish_scheduled (every minute) rebuilds a model this old, so editors never wait for a build.
MODEL_REFRESH_AGE = 10 * 60
ARTICLES_PER_THEME = 100  # a theme is what it is about lately, not what it was years ago
BODY_CHARS = 1500  # the top of a story says what it is about; the rest adds cost, not signal
MIN_SCORE = 0.05  # below this, a "suggestion" is noise

# This process's copy of the cached model, used while the cache's stamp says it is current:
# reading a real newsroom's model from the cache (unpickling some 190,000 weights) takes
# about 60 ms, reading its stamp well under 1.
_copy = None


def article_text(headline="", deck="", standfirst="", body=""):
    """The words that say what an article is about; the headline counts double."""
    parts = [headline, headline, deck, standfirst, (body or "")[:BODY_CHARS]]
    return " ".join(part for part in parts if part)


class ThemeModel:
    """Centroids of the active themes, as learned from their recent articles."""

    def __init__(self, themes, vectoriser, postings):
        self.themes = themes  # [(id, name)], in the order `postings` refers to them
        self.vectoriser = vectoriser
        # word → (theme indexes, centroid weights), in arrays: a real newsroom's model has some
        # 190,000 weights, 4 bytes each in an array and some 80 as Python floats in tuples.
        self.postings = postings
        self.stamp = (time.time(), secrets.token_hex(8))  # when built, and which build

    @classmethod
    def build(cls):
        from themes.models import Theme

        # Ranked by id, texts fetched by id: the window then sorts small rows, not every article
        # of the active themes with its body (at 100,000 articles: 2.1–3.5 s → 1.1 s per read).
        ranked = (
            Article.objects.filter(theme__is_active=True)
            .exclude(status=Status.WITHDRAWN)
            .annotate(rank=Window(RowNumber(), partition_by=[F("theme_id")], order_by=[F("created_at").desc()]))
            .filter(rank__lte=ARTICLES_PER_THEME)
            .values("pk")
        )
        recent = (
            Article.objects.filter(pk__in=ranked)
            .order_by("theme_id")
            .values_list("theme_id", "headline", "deck", "standfirst", "body")
        )

        def documents():
            # Read twice (word weights first, then one theme's centroid at a time) rather than
            # kept: 5,000 articles' words held as Python strings took a worker from 55 to 190 MB.
            for theme_id, headline, deck, standfirst, body in recent.iterator(chunk_size=500):
                yield theme_id, words(article_text(headline, deck, standfirst, body))

        names = dict(Theme.objects.active().values_list("pk", "name"))
        vectoriser = Vectoriser(document for _theme_id, document in documents())
        themes, postings = [], {}
        for theme_id, filed in groupby(documents(), key=itemgetter(0)):
            if theme_id not in names:
                continue
            total = {}
            for _theme_id, document in filed:
                for word, weight in vectoriser.vector(document).items():
                    total[word] = total.get(word, 0.0) + weight
            # The mean of the theme's vectors points the same way as their sum.
            for word, weight in normalised(total).items():
                indexes, weights = postings.setdefault(word, (array("i"), array("f")))
                indexes.append(len(themes))
                weights.append(weight)
            themes.append(theme_id)
        return cls([(pk, names[pk]) for pk in themes], vectoriser, postings)

    def suggest(self, text, limit=3):
        """The `limit` likeliest themes for `text`, best first, as dicts with a 0–1 score."""
        scores = [0.0] * len(self.themes)
        for word, weight in self.vectoriser.vector(words(text)).items():
            indexes, weights = self.postings.get(word, ((), ()))
            for index, centroid_weight in zip(indexes, weights, strict=True):
                scores[index] += weight * centroid_weight
        best = sorted(range(len(scores)), key=lambda index: -scores[index])[:limit]
        return [
            {"id": self.themes[i][0], "name": self.themes[i][1], "score": round(scores[i], 3)}
            for i in best
            if scores[i] >= MIN_SCORE
        ]


def _store(model):
    cache.set_many({MODEL_CACHE_KEY: model, STAMP_CACHE_KEY: model.stamp}, MODEL_MAX_AGE)


def theme_model():
    """The cached model, rebuilt when it is missing or older than MODEL_MAX_AGE."""
    global _copy
    stamp = cache.get(STAMP_CACHE_KEY)
    if _copy is None or _copy.stamp != stamp:
        _copy = cache.get(MODEL_CACHE_KEY)
    # Judged by the model's own stamp too, so staleness follows this server's clock.
    if _copy is None or time.time() - _copy.stamp[0] > MODEL_MAX_AGE:
        _copy = ThemeModel.build()
        _store(_copy)
    return _copy


def refresh_theme_model(*, force=False):
    """Rebuild the cached model ahead of time when it is getting old (or missing); True if rebuilt."""
    stamp = cache.get(STAMP_CACHE_KEY)
    if force or stamp is None or time.time() - stamp[0] > MODEL_REFRESH_AGE:
        _store(ThemeModel.build())
        return True
    return False


def suggest_themes(*, headline="", deck="", standfirst="", body="", limit=3):
    return theme_model().suggest(article_text(headline, deck, standfirst, body), limit)
