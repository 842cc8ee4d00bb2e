"""Surrogate keys: what a page shows, and what an edit touches.

A page records keys while it renders (`shows(article_key(12), LATEST)`); content apps
record them where they load or list content, and say which keys a change of one of
their rows touches through `register()`. Keys are made by `surrogates.py` only: they look
like `kind:id` (`article:12`) or name a list (`list:theme:3`, `navigation`). Invalidating
`kind:id` also invalidates `kind:*`, which a page shows when it shows too many of one kind to
name them all (a sitemap).

The page cache knows no content model: everything it learns comes through here.
"""

import contextvars
import json
import logging
import threading

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from . import outbox, pages, purge, surrogates, versions

logger = logging.getLogger(__name__)

_recording = contextvars.ContextVar("pagecache_keys", default=None)
_rendered_at = contextvars.ContextVar("pagecache_counter", default=None)
_declared = {}
_follows = {}  # model label → (owner model label, owners_of_rows)
HANDLED_KEY = "pagecache:schedule-handled-until"


# Recording what a page shows ---------------------------------------------------------------


def shows(*keys):
    """Record that the page being rendered shows `keys` (no-op outside a cached request)."""
    recorded = _recording.get()
    if recorded is not None:
        recorded.update(keys)


def start_recording(counter=None):
    """Record what is rendered from here on. `counter` is the invalidation counter before the
    rendering began: fragments (fragments.py) are kept and reused only when it is given."""
    # PAGE_CACHE_KEYED off (the bench's comparison): every page shows `site`, every change touches it.
    return (
        _recording.set(set() if settings.PAGE_CACHE_KEYED else {surrogates.SITE}),
        _rendered_at.set(counter if counter is not None else _rendered_at.get()),
    )


def stop_recording(token):
    recorded = _recording.get()
    _recording.reset(token[0])
    _rendered_at.reset(token[1])
    return collapse(recorded or set())


def rendered_at():
    """The counter before the page being rendered began, or None outside a cached request."""
    return _rendered_at.get() if _recording.get() is not None else None


def collapse(keys):
    """Keys named in a response, with a kind shown more than PAGE_CACHE_MAX_KEYS_PER_KIND
    times replaced by `kind:*` (a header of thousands of keys is refused by proxies)."""
    if len(keys) <= settings.PAGE_CACHE_MAX_KEYS_PER_KIND:  # no kind can be crowded (an article page: 47)
        return set(keys)
    by_kind = {}
    for key in keys:
        kind, _, rest = key.rpartition(":")
        if kind and rest.isdigit():
            by_kind.setdefault(kind, set()).add(key)
    result = set(keys)
    for kind, members in by_kind.items():
        if len(members) > settings.PAGE_CACHE_MAX_KEYS_PER_KIND:
            result -= members
            result.add(f"{kind}:*")
    return result


def widen(keys):
    """What invalidating `keys` invalidates: each `kind:id` also invalidates `kind:*`."""
    result = set(keys)
    for key in keys:
        kind, _, rest = key.rpartition(":")
        if kind and rest.isdigit():
            result.add(f"{kind}:*")
    return result


# What a change touches --------------------------------------------------------------------


def register(model_label, keys_for_rows):
    """Declare the keys a change to rows of `model_label` touches: `keys_for_rows(pks)` returns
    them for the rows as they are in the database when called (before and after a change).
    Several apps may declare keys for one model (themes add the navigation to articles')."""
    _declared.setdefault(model_label, []).append(keys_for_rows)


def follow(model_label, owner_label, owners_of_rows):
    """Declare that a change to rows of `model_label` (an article's bylines) is a change to the
    rows of `owner_label` that `owners_of_rows(pks)` names: within a transaction the owner's
    keys are then read once, however many of its parts change."""
    _follows[model_label] = (owner_label, owners_of_rows)
    register(model_label, lambda pks: keys_of(apps.get_model(owner_label), owners_of_rows(pks)))


def declared(model):
    return _declared.get(model._meta.concrete_model._meta.label, [])


def keys_of(model, pks):
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return set()
    return {key for keys_for_rows in declared(model) for key in keys_for_rows(pks)}


# Invalidating -------------------------------------------------------------------------------


class _Batch:
    """What this thread's transaction invalidates at its commit: keys, and rows whose keys are
    read again then (as the commit leaves them)."""

    def __init__(self):
        self.keys, self.rows = set(), {}

    def all_keys(self):
        return self.keys.union(*(keys_of(model, pks) for model, pks in self.rows.items()))


_pending = threading.local()  # database alias → this thread's _Batch waiting for the commit


def _in_transaction(using):
    """Whether a transaction of its own is open (a test case's transaction stands for autocommit)."""
    return not all(block._from_testcase for block in transaction.get_connection(using).atomic_blocks)


def _batch(using):
    batch = _pending.__dict__.get(using)
    if batch is None:
        batch = _pending.__dict__[using] = _Batch()
    # However many saves the transaction makes, the first callback after the commit sends all
    # their keys at once (one write of the key versions, one purge); the others find nothing.
    transaction.on_commit(lambda: invalidate_now(_take_batch(using)), using=using)
    return batch


def _take_batch(using):
    batch = _pending.__dict__.pop(using, None)
    return batch.all_keys() if batch else set()


def invalidate(keys, using="default"):
    """Drop cached pages showing any of `keys`, here, on every server and in the shared cache.

    In a transaction, once after the commit. A page another process rendered from the data
    before the commit was stored under the versions it read, which the commit's invalidation
    moves on. (Keys of a rolled back transaction go out with this thread's next commit: a
    needless purge, never a missed one.)"""
    keys = set(keys)
    if not keys:
        return
    if not _in_transaction(using):
        invalidate_now(keys)
        return
    _batch(using).keys.update(keys)


def invalidate_rows(model, pks, using="default"):
    """Invalidate the keys of rows `pks` of `model` as they are now (the lists a row leaves)
    and, in a transaction, as the commit leaves them: each row's keys are read once before
    and once after, however many times the transaction saves it."""
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return
    if not _in_transaction(using):
        invalidate_now(keys_of(model, pks))
        return
    if followed := _follows.get(model._meta.concrete_model._meta.label):
        owner_label, owners_of_rows = followed
        invalidate_rows(apps.get_model(owner_label), set(owners_of_rows(pks)), using)
        return
    batch = _batch(using)
    seen = batch.rows.setdefault(model._meta.concrete_model, set())
    if new := pks - seen:
        batch.keys.update(keys_of(model, new))
        seen.update(new)


def invalidate_if_changed(key, shown, using="default"):
    """Invalidate `key` unless `shown` (JSON: what pages showing it show, such as the navigation's
    themes) is what the last call for `key` recorded, in any process or server sharing the key
    versions. So a save that leaves a list as it was drops no page, and a worker that just started
    (nothing of its own recorded) invalidates no more than its save changed."""
    text = json.dumps(shown, sort_keys=True)
    try:
        if not versions.local.retry_later() and versions.store().swap(key, text) == text:
            return
    except Exception as error:  # noqa: BLE001 - cannot tell: invalidate, which fails safe
        logger.warning("Page cache: could not compare %s with what pages show: %s", key, error)
    invalidate({key}, using=using)


def invalidate_now(keys, purge_shared=True):
    """Record an invalidation in the key versions, then purge the shared cache. Neither may
    fail the save that caused it: a failure is logged, kept in the outbox and retried."""
    keys = widen(keys)
    if not keys:
        return
    if not settings.PAGE_CACHE_KEYED:
        keys.add(surrogates.SITE)
    try:
        if versions.local.retry_later():
            raise versions.StoreBroken(f"still failing: {versions.local.broken}")
        counter = versions.store().invalidate(keys)
    except Exception as error:  # noqa: BLE001 - a cache fault must not lose an editorial save
        logger.error("Page cache: could not invalidate %d keys, the cache stops serving: %s", len(keys), error)
        versions.local._broke(error)
        outbox.keep(keys, target="local", error=error)
    else:
        versions.local.invalidated(keys, counter)
        schedule.known_counter = None  # the change may have moved the next moment: look again
    if purge_shared:
        purge.send(keys)


# Schedule -----------------------------------------------------------------------------------


class Schedule:
    """Moments at which pages change by the clock alone (an article going live or expiring, a
    theme turning dormant), declared by the content apps' PAGE_CACHE_SCHEDULES hooks.

    Each hook is `hook(after, until)` → (keys of what changes in (after, until], the first
    moment after `until` or None). Passing a moment invalidates its keys, so a page cached
    before the moment was set still changes at its second."""

    def __init__(self):
        self.handled_until = None
        self.next_moment = None
        self.known_counter = None

    def due(self, now, counter, changed):
        """Invalidate what changed by the clock since this process last looked; return the
        next moment (a UNIX time, or None)."""
        if self.handled_until is None:
            # Where the servers got to, so pages kept in the shared cache across a restart do not miss a moment.
            try:
                self.handled_until = min(versions.shared_cache().get(HANDLED_KEY, now), now)
            except Exception:  # noqa: BLE001
                self.handled_until = now
        if changed or counter != self.known_counter:
            self.known_counter = counter
            self.next_moment = self._look(self.handled_until, self.handled_until, invalidate_due=False)
        if self.next_moment is not None and now >= self.next_moment:
            self.next_moment = self._look(self.handled_until, now, invalidate_due=True)
            self.handled_until = now
            try:
                versions.shared_cache().set(HANDLED_KEY, now, None)
            except Exception:  # noqa: BLE001 - only a restarted server would look
                logger.warning("Page cache: could not record the schedule moment handled", exc_info=True)
        return self.next_moment

    def _look(self, after, until, invalidate_due):
        from datetime import UTC, datetime

        after_dt, until_dt = datetime.fromtimestamp(after, UTC), datetime.fromtimestamp(until, UTC)
        due, moments = set(), []
        for hook in settings.PAGE_CACHE_SCHEDULES:
            keys, moment = import_string(hook)(after_dt, until_dt)
            due.update(keys)
            if moment is not None:
                moments.append(moment.timestamp())
        if invalidate_due and due:
            invalidate_now(due)
        return min(moments, default=None)


schedule = Schedule()


def tick(now):
    """Look at the key versions and the schedule as a request would: invalidate (and purge) what
    the clock changed. Returns the next moment, or None."""
    counter, changed = versions.local.current(now)
    return schedule.due(now, counter, changed) if counter is not None else None


def reset_process_state():
    """Forget this process's copies (tests; a forked worker starts from scratch anyway)."""
    versions.local.reset()
    pages.local_pages.clear()
    pages.local_fragments.clear()
    schedule.__init__()
    _pending.__dict__.clear()
