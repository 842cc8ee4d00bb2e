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

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from . import surrogates, versions

logger = logging.getLogger(__name__)

_recording = contextvars.ContextVar("pagecache_keys", default=None)
_rendered_at = contextvars.ContextVar("pagecache_counter", default=None)
_declared = {}
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


def declared(model):
    return _declared.get(model._meta.concrete_model._meta.label, [])


def keys_of(model, pks):
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return set()
    return {key for keys_for_rows in declared(model) for key in keys_for_rows(pks)}


# Invalidating -------------------------------------------------------------------------------

_pending = {}  # database alias → keys waiting for the commit


def invalidate(keys, using="default"):
    """Drop cached pages showing any of `keys`, here, on every server and in the shared cache.

    In a transaction: the key versions now, so this process stops serving the old pages at
    once, and again after the commit, when the shared cache is purged too, so that a page
    another process rendered from the not yet committed data cannot survive. However many
    saves the transaction makes, the first callback after the commit sends all their keys
    at once and the others find nothing left. (Keys of a rolled back transaction go out
    with the next commit: a needless purge, never a missed one.)"""
    keys = set(keys)
    if not keys:
        return
    if not transaction.get_connection(using).in_atomic_block:
        invalidate_now(keys)
        return
    _pending.setdefault(using, set()).update(keys)
    invalidate_now(keys, purge_shared=False)
    transaction.on_commit(lambda: invalidate_now(_pending.pop(using, set())), using=using)


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
    from . import purge

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
        purge.keep(keys, target="local", error=error)
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
    from .fragments import local_fragments
    from .pages import local_pages

    versions.local.reset()
    local_pages.clear()
    local_fragments.clear()
    schedule.__init__()
    _pending.clear()
