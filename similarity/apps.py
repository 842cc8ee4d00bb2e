from django.apps import AppConfig


class SimilarityConfig(AppConfig):
    """How alike texts are, worked out ahead of time for editors and readers: the duplicate
    warning, related stories, theme suggestions, over one TF-IDF vectoriser (tfidf.py)."""

    name = "similarity"
