from django.apps import AppConfig

from articles.events import related_stale


class SimilarityConfig(AppConfig):
    """How alike texts are, worked out ahead of time for editors and readers: the duplicate
    warning, related stories, theme suggestions, over one TF-IDF vectoriser (tfidf.py)."""

    name = "similarity"

    def ready(self):
        from .related import on_related_stale

        related_stale.connect(on_related_stale, dispatch_uid="similarity.related")
