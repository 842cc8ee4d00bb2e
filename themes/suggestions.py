"""Which themes an article's text most likely belongs to.

Each active theme is summed up by one centroid: the mean TF-IDF vector of its most
recent articles. A draft's text is turned into the same kind of vector and compared
with every centroid (cosine similarity), so a suggestion costs one sparse
matrix product however large the archive is. Words are hashed
(scikit-learn's HashingVectorizer), so there is no vocabulary to download or keep
in step; only the IDF weights and the centroids are learned, from the articles
themselves, and kept in the shared cache until they are stale.
"""

import time

import numpy as np
from django.core.cache import cache
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from articles.models import Article, Status

MODEL_CACHE_KEY = "themes:suggestion-model"
MODEL_MAX_AGE = 15 * 60  # seconds: new articles shift a theme's centroid only slowly
# publish_scheduled (every minute) rebuilds a model this old, so editors never wait for a build.
MODEL_REFRESH_AGE = 10 * 60
ARTICLES_PER_THEME = 100  # a theme is what it is about lately, not what it was years ago
BODY_CHARS = 1500  # the top of a story says what it is about; the rest adds cost, not signal
MIN_SCORE = 0.05  # below this, a "suggestion" is noise

_vectorizer = HashingVectorizer(
    n_features=2**18,
    alternate_sign=False,
    norm=None,
    stop_words="english",
    lowercase=True,
)


def article_text(headline="", deck="", standfirst="", body=""):
    """The words that say what an article is about; the headline counts double. Markup needs no
    stripping: the vectorizer's tokens are runs of two or more letters and digits."""
    parts = [headline, headline, deck, standfirst, (body or "")[:BODY_CHARS]]
    return " ".join(part for part in parts if part)


class ThemeModel:
    """Centroids of the active themes, as learned from their recent articles."""

    def __init__(self, theme_ids, names, centroids, transformer, built_at):
        self.theme_ids = theme_ids
        self.names = names
        self.centroids = centroids
        self.transformer = transformer
        self.built_at = built_at

    @classmethod
    def build(cls):
        from themes.models import Theme

        ranked = (
            Article.objects.filter(theme__is_active=True)
            .exclude(status=Status.WITHDRAWN)
            .annotate(rank=Window(RowNumber(), partition_by=[F("theme_id")], order_by=[F("created_at").desc()]))
            .filter(rank__lte=ARTICLES_PER_THEME)
            .values_list("theme_id", "headline", "deck", "standfirst", "body")
        )
        theme_of, texts = [], []
        for theme_id, headline, deck, standfirst, body in ranked:
            theme_of.append(theme_id)
            texts.append(article_text(headline, deck, standfirst, body))
        names = dict(Theme.objects.active().values_list("pk", "name"))
        theme_ids = sorted(set(theme_of) & set(names))
        transformer = TfidfTransformer(sublinear_tf=True)
        if not texts:
            return cls([], {}, None, None, time.time())
        vectors = normalize(transformer.fit_transform(_vectorizer.transform(texts)))
        # Centroids as one sparse product: row t of `membership` averages the articles of theme t.
        row_of = {theme_id: row for row, theme_id in enumerate(theme_ids)}
        kept = [(row_of[theme_id], doc) for doc, theme_id in enumerate(theme_of) if theme_id in row_of]
        rows, docs = zip(*kept, strict=True) if kept else ((), ())
        membership = csr_matrix((np.ones(len(rows)), (rows, docs)), shape=(len(theme_ids), len(texts)))
        centroids = normalize(membership @ vectors) if theme_ids else None
        return cls(theme_ids, {pk: names[pk] for pk in theme_ids}, centroids, transformer, time.time())

    def suggest(self, text, limit=3):
        """The `limit` likeliest themes for `text`, best first, as dicts with a 0–1 score."""
        if self.centroids is None or not text.strip():
            return []
        vector = normalize(self.transformer.transform(_vectorizer.transform([text])))
        scores = (self.centroids @ vector.T).toarray().ravel()
        best = np.argsort(-scores)[:limit]
        return [
            {"id": self.theme_ids[i], "name": self.names[self.theme_ids[i]], "score": round(float(scores[i]), 3)}
            for i in best
            if scores[i] >= MIN_SCORE
        ]


def theme_model():
    """The cached model, rebuilt when it is missing or older than MODEL_MAX_AGE."""
    model = cache.get(MODEL_CACHE_KEY)
    # Judged by the model's own stamp too, so staleness follows this server's clock.
    if model is None or time.time() - model.built_at > MODEL_MAX_AGE:
        model = ThemeModel.build()
        cache.set(MODEL_CACHE_KEY, model, MODEL_MAX_AGE)
    return model


def refresh_theme_model(*, force=False):
    """Rebuild the cached model ahead of time when it is getting old (or missing); True if rebuilt."""
    model = cache.get(MODEL_CACHE_KEY)
    if force or model is None or time.time() - model.built_at > MODEL_REFRESH_AGE:
        cache.set(MODEL_CACHE_KEY, ThemeModel.build(), MODEL_MAX_AGE)
        return True
    return False


def suggest_themes(*, headline="", deck="", standfirst="", body="", limit=3):
    return theme_model().suggest(article_text(headline, deck, standfirst, body), limit)
