"""What the page cache needs to know about live coverage, declared to it (it imports no content).

Key: `live:<article id>`, shown by every answer that shows the article's entries (its page, an
entry's address, the poll, the feeds) and by the "Live" label's latest time on cards. Any
entry change touches it, and so does an entry's second: an entry scheduled for 14:32:05 purges
`live:<id>` at 14:32:05 (`schedule`, like articles going live). Coverage starting or ending by
the clock touches `article:<id>` (the label)."""

from django.db.models import Q, Subquery

from articles import events
from articles.models import Article
from pagecache import keys, surrogates

from .models import Entry, EntryStatus


def coverage_key(article_id):
    """The one builder of the key of an article's entries."""
    return surrogates.row_key("live", article_id)


def entry_keys(pks):
    return {coverage_key(pk) for pk in Entry.objects.filter(pk__in=pks).values_list("article_id", flat=True)}


def next_coverage_moment(after):
    """The first moment after `after` at which an entry appears or coverage starts or ends: one
    query of three index seeks riding on any one article row (no article: no moment)."""
    starting = Article.objects.filter(coverage_start__gt=after).order_by("coverage_start")
    ending = Article.objects.filter(coverage_end__gt=after).order_by("coverage_end")
    entering = Entry.objects.filter(status=EntryStatus.PUBLISHED, publish_at__gt=after).order_by("publish_at")
    row = Article.all_objects.order_by().annotate(
        starting=Subquery(starting.values("coverage_start")[:1]),
        ending=Subquery(ending.values("coverage_end")[:1]),
        entering=Subquery(entering.values("publish_at")[:1]),
    )
    found = next(iter(row.values_list("starting", "ending", "entering")[:1]), ())
    return min(filter(None, found), default=None)


def schedule(after, until):
    """Keys of what entries and coverage changed by the clock in (after, until], and the next
    moment. Entries that appeared are also a change to their articles (`article_changed` with
    `entries`): search finds them from their second, as readers do."""
    if after >= until:
        return set(), next_coverage_moment(until)
    appeared = set(
        Entry.objects.filter(status=EntryStatus.PUBLISHED, publish_at__gt=after, publish_at__lte=until).values_list(
            "article_id", flat=True
        )
    )
    if appeared:
        events.changed(appeared, {"entries"})
    due = {coverage_key(pk) for pk in appeared}
    moved = Article.objects.order_by().filter(
        Q(coverage_start__gt=after, coverage_start__lte=until) | Q(coverage_end__gt=after, coverage_end__lte=until)
    )
    due.update(surrogates.article_key(pk) for pk in moved.values_list("pk", flat=True))
    return due, next_coverage_moment(until)


def declare():
    keys.register("live.Entry", entry_keys)
