from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from articles.models import WORD_FINDERS

        from . import signals  # noqa: F401
        from .results import matching_ids

        WORD_FINDERS.append(matching_ids)
