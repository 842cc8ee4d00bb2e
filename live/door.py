"""The one door for live entries: every change (the admin desk, the API, the demo, the tests)
is one of these functions. Each renders the body before its transaction, then locks the row
(`select_for_update`), requires the version the writer started from, checks the policy,
keeps a revision (django-reversion) and writes an audit entry, all in one transaction.

A stale edit (someone saved the entry since the writer opened it) is merged three ways with
the articles' merge (articles/merge.py): what only one side changed is kept; what both
changed raises `EntryConflict` with both versions, and nothing is saved."""

import time
from datetime import datetime

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles.body import render_body
from articles.merge import merge_fields
from articles.models import Article, Author
from audit.models import AuditEntry

from .models import Entry, EntryStatus
from .permissions import entry_policy

# What a writer edits; the rest is the door's bookkeeping.
CONTENT_FIELDS = ("title", "body", "key_event", "pinned", "publish_at")


class EntryRefused(PermissionDenied):
    """A change the policy or the entry's state refuses; the message is written for the writer."""


class EntryConflict(Exception):
    """Both sides changed the same fields: {field: {"theirs": …, "mine": …}}, and the entry as saved."""

    def __init__(self, conflicts, entry):
        super().__init__(f"Someone else changed {', '.join(conflicts)} of this entry meanwhile.")
        self.conflicts = conflicts
        self.entry = entry


def _next_version(entry):
    # Microseconds, above the stored value: no save brings back a version someone has open.
    return max(entry.version + 1, time.time_ns() // 1000)


def _validate(entry):
    try:
        entry.full_clean(exclude=["article", "authors", "created_by"])
    except ValidationError as error:
        raise EntryRefused("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from error


def _unpin_others(entry):
    Entry.objects.filter(article_id=entry.article_id, pinned=True).exclude(pk=entry.pk).update(pinned=False)


def _record(user, action, entry, **detail):
    AuditEntry.record(user, f"live.{action}", entry, {"article": entry.article_id, **detail})


def post_entry(
    article: Article,
    *,
    user,
    body: str,
    title: str = "",
    key_event: bool = False,
    pinned: bool = False,
    publish_at: datetime | None = None,
    authors=None,
) -> Entry:
    """A new entry on `article`: published (at once, or at `publish_at`) when `user` may
    publish, else submitted for review. `authors` default to the user's own author."""
    now = timezone.now()
    body_html = render_body(body)  # before the transaction: no lock is held while rendering
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        current = Article.all_objects.select_for_update().get(pk=article.pk)
        if not entry_policy.may_write(user, current):
            raise EntryRefused("You may not add entries to this article: it is not live coverage, or not yours to.")
        publishes = entry_policy.may_publish(user)
        if pinned and not publishes:
            raise EntryRefused("Only an editor may pin an entry.")
        entry = Entry(
            article=current,
            title=title.strip(),
            body=body,
            body_html=body_html,
            key_event=key_event,
            pinned=pinned,
            publish_at=(publish_at or now).replace(microsecond=0),
            status=EntryStatus.PUBLISHED if publishes else EntryStatus.SUBMITTED,
            created_by=user,
            version=time.time_ns() // 1000,
        )
        entry.was_public = entry.status == EntryStatus.PUBLISHED
        _validate(entry)
        if pinned:
            _unpin_others(entry)
        entry.save()
        entry.authors.set(_authors(user, authors))
        reversion.set_comment("Published" if publishes else "Submitted for review")
        _record(user, "post", entry, status=entry.status, publish_at=entry.publish_at.isoformat())
    return entry


def _authors(user, authors):
    if authors is not None:
        return list(authors)
    own = Author.objects.filter(user=user).first()
    return [own] if own else []


def _locked(entry_id, version):
    entry = Entry.objects.select_for_update().select_related("article").get(pk=entry_id)
    if version is not None and version != entry.version:
        return entry, True
    return entry, False


def edit_entry(entry_id: int, *, user, version: int, base: dict, changes: dict, authors=None) -> Entry:
    """Change an entry's content (CONTENT_FIELDS in `changes`), as `user` who opened it at
    `version` with the values `base`. A published entry's correction is shown "Updated …"."""
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise EntryRefused(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    if "body" in changes:
        render_body(changes["body"])  # warms nothing shared, but fails on hostile input before the lock
    now = timezone.now()
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        entry, stale = _locked(entry_id, version)
        if not entry_policy.may_change(user, entry):
            raise EntryRefused("You may not change this entry.")
        if entry.status == EntryStatus.WITHDRAWN:
            raise EntryRefused("This entry was withdrawn: it can no longer be changed.")
        if stale:
            theirs = {name: getattr(entry, name) for name in changes}
            merged, conflicts = merge_fields(base, theirs, changes)
            if conflicts:
                raise EntryConflict(conflicts, entry)
            changes = merged
        if changes.get("pinned") and not entry_policy.may_publish(user):
            raise EntryRefused("Only an editor may pin an entry.")
        changed = [name for name, value in changes.items() if getattr(entry, name) != value]
        for name in changed:
            setattr(entry, name, changes[name])
        if "body" in changed:
            entry.body_html = render_body(entry.body)
        if "publish_at" in changed and entry.publish_at:
            entry.publish_at = entry.publish_at.replace(microsecond=0)
        if entry.is_public(now) and set(changed) & {"title", "body"}:
            entry.updated_at = now.replace(microsecond=0)
        _validate(entry)
        if entry.pinned:
            _unpin_others(entry)
        entry.version = _next_version(entry)
        entry.save()
        if authors is not None:
            entry.authors.set(authors)
        reversion.set_comment("Corrected" if entry.updated_at == now.replace(microsecond=0) else "Edited")
        _record(user, "edit", entry, fields=changed, merged=stale)
    return entry


def publish_entry(entry_id: int, *, user, version: int, publish_at: datetime | None = None) -> Entry:
    """Publish a submitted entry, at once or at `publish_at`."""
    now = timezone.now()
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        entry, stale = _locked(entry_id, version)
        if stale:
            raise EntryRefused("The entry changed since you opened it: look at it again before publishing.")
        if not entry_policy.may_publish(user):
            raise EntryRefused("You may not publish entries.")
        if entry.status != EntryStatus.SUBMITTED:
            raise EntryRefused("Only an entry waiting for review can be published.")
        entry.status = EntryStatus.PUBLISHED
        entry.was_public = True
        entry.publish_at = (publish_at or max(entry.publish_at, now)).replace(microsecond=0)
        entry.version = _next_version(entry)
        entry.save()
        reversion.set_comment("Published")
        _record(user, "publish", entry, publish_at=entry.publish_at.isoformat())
    return entry


def withdraw_entry(entry_id: int, *, user, version: int, note: str) -> Entry:
    """Take an entry off the page, with a note for the history. Readers' pages that had it show
    "an entry was removed" in its place."""
    note = note.strip()
    if not note:
        raise EntryRefused("Say why the entry is withdrawn: withdrawing needs a note.")
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        entry, stale = _locked(entry_id, version)
        if stale:
            raise EntryRefused("The entry changed since you opened it: look at it again before withdrawing.")
        if not entry_policy.may_publish(user):
            raise EntryRefused("You may not withdraw entries.")
        if entry.status == EntryStatus.WITHDRAWN:
            raise EntryRefused("This entry is already withdrawn.")
        entry.was_public = entry.is_public()
        entry.status = EntryStatus.WITHDRAWN
        entry.withdrawn_note = note
        entry.pinned = False
        entry.version = _next_version(entry)
        entry.save()
        reversion.set_comment(f"Withdrawn: {note}")
        _record(user, "withdraw", entry, note=note)
    return entry
