"""A live article's public entries, as search reads them (articles.models.FOUND_BY): the words
it is found by, and the entry a result links to."""

from django.db.models import Prefetch, Q

from .models import Entry


class EntriesFound:
    def prefetch(self):
        entries = Entry.objects.published().only("article_id", "title", "body_html").order_by("publish_at")
        return Prefetch("entries", queryset=entries, to_attr="public_entries")

    def text(self, article):
        return " ".join(f"{entry.title} {entry.body_html}" for entry in article.public_entries)

    def places(self, articles, words):
        """The newest public entry of each live coverage article holding all the words: one query
        when there is live coverage among `articles`, none otherwise."""
        article_ids = [article.pk for article in articles if article.coverage_start]
        if not article_ids or not words:
            return {}
        holding = Q()
        for word in words:
            # As written, capitalised or in capitals: SQLite folds the case of ASCII letters only.
            holding &= Q(
                *(Q(body_html__contains=form) | Q(title__contains=form) for form in spellings(word)), _connector=Q.OR
            )
        found = {}
        for entry in Entry.objects.published().filter(holding, article_id__in=article_ids).order_by("-publish_at"):
            found.setdefault(entry.article_id, entry)
        return found


def spellings(word):
    return {word, word.capitalize(), word.upper()}
