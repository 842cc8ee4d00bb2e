"""`article_changed`: one event per transaction that changed articles, sent after its commit
with the ids of the articles and the names of what changed ("headline", "tags", "authors",
"status"…). Search and themes listen to it instead of each following the model's signals
(the page cache collects its keys per transaction the same way), so one edit that touches a
headline, two bylines and three tags is one reindex and one invalidation, and a rolled back
transaction sends nothing.

What changed is collected from the model's own signals (saves, deletes, bylines, tags), so a
change made outside the doors (the shell, a fixture, a data migration) is announced too."""

import threading

from django.db import transaction
from django.dispatch import Signal

# Sent with `ids` (a frozenset of article ids) and `fields` (a frozenset of names).
article_changed = Signal()

# Sent at once, inside the transaction, with `article`, `went_live` and `now`, when the related
# stories stored on an article may be out of date: it took a step, was restored, or went live.
# The similarity app works them out (similarity/apps.py): articles say when, never how.
related_stale = Signal()

_local = threading.local()  # connection alias -> what the current transaction changed so far


class _Pending:
    def __init__(self):
        self.ids, self.fields = set(), set()

    def send(self):
        article_changed.send(sender=None, ids=frozenset(self.ids), fields=frozenset(self.fields))


def changed(ids, fields, using="default"):
    """Record that articles `ids` changed `fields`: announced once after the transaction
    commits, at once outside a transaction."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return
    connection = transaction.get_connection(using)
    # Outside a transaction of its own (autocommit, or only a test case's) a change is announced
    # at once, as the database made it visible.
    if all(block._from_testcase for block in connection.atomic_blocks):
        article_changed.send(sender=None, ids=frozenset(ids), fields=frozenset(fields))
        return
    pending = getattr(_local, using, None)
    # A new transaction, or the savepoint that first recorded a change was rolled back (its
    # callback went with it): start again.
    if pending is None or not any(entry[1] == pending.send for entry in connection.run_on_commit):
        pending = _Pending()
        setattr(_local, using, pending)
        transaction.on_commit(pending.send, using=using)
    pending.ids.update(ids)
    pending.fields.update(fields)


def connect():
    """Collect what changed from the model's signals: articles saved or deleted, their bylines
    and their tags (from either side)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import Article, Byline

    def article_saved(sender, instance, update_fields=None, using="default", **kwargs):
        changed([instance.pk], update_fields or {"article"}, using)

    def article_deleted(sender, instance, using="default", **kwargs):
        changed([instance.pk], {"deleted"}, using)

    def byline_changed(sender, instance, using="default", **kwargs):
        changed([instance.article_id], {"authors"}, using)

    def relation_changed(sender, instance, action, reverse, model, pk_set, using="default", **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        name = "tags" if sender is Article.tags.through else "authors"
        if isinstance(instance, Article):
            changed([instance.pk], {name}, using)
        elif model is Article:  # from the tag's or the author's side
            changed(pk_set or (), {name}, using)

    post_save.connect(article_saved, sender=Article, weak=False, dispatch_uid="articles.events.save")
    post_delete.connect(article_deleted, sender=Article, weak=False, dispatch_uid="articles.events.delete")
    for signal in (post_save, post_delete):
        signal.connect(byline_changed, sender=Byline, weak=False, dispatch_uid=f"articles.events.byline.{signal}")
    for through in (Article.tags.through, Article.authors.through):
        m2m_changed.connect(relation_changed, sender=through, weak=False, dispatch_uid=f"articles.events.{through}")
