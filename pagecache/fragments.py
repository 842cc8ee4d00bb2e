"""Fragments: pieces of pages kept on their own (an article's header and body, a theme's latest
headlines, cards), so that a page missing the cache is assembled from a query or two and
pieces that are still right.

A fragment obeys the rule pages obey (pages.py): it is kept with the surrogate keys it
showed while it rendered and the invalidation counter before the page that rendered it
began, and it is used while none of those keys changed since. Schedule moments invalidate
keys before any rendering (keys.Schedule), so a fragment never outlives one either. A page
that uses a fragment shows the fragment's keys, as if it had rendered it itself.

Fragments are kept and reused only while the page cache renders a page for anonymous readers
(a request with a session, a preview, never reaches it); a view that renders something not
public in such a request (a shared preview link) must not ask for fragments. Content apps
name their fragments: the name says everything the value depends on besides its keys.
"""

import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache

from . import keys, pages, versions
from .release import storage_digest

FRAGMENT_KEY = "pagecache:fragment:{digest}"


def _shared():
    cache = versions.shared_cache()
    return None if isinstance(cache, LocMemCache) else cache


def _shared_key(name):
    return FRAGMENT_KEY.format(digest=storage_digest(name))


def cached(name, render, shows=()):
    """`render()`'s value (anything picklable), kept under `name` while what it showed is unchanged:
    the keys of the rows it loads, and `shows`, the keys of what it uses that was loaded before
    it (the article a view already has). Outside a page the cache renders for anonymous
    readers, simply `render()`."""
    keys.shows(*shows)
    counter = keys.rendered_at()
    if counter is None or settings.PAGE_CACHE_FRAGMENT_ENTRIES <= 0:
        return render()
    now = time.time()
    entry = lookup(name, now)
    if entry is not None:
        keys.shows(*entry["keys"])
        return entry["value"]
    token = keys.start_recording()
    keys.shows(*shows)
    try:
        value = render()
    finally:
        shown = keys.stop_recording(token)
    keys.shows(*shown)
    # Like pages, none outlives the newsroom's New Year (the footer shows the year).
    valid_until = min(now + settings.PAGE_CACHE_TIMEOUT, pages.next_new_year(now))
    entry = {"value": value, "keys": frozenset(shown), "counter": counter, "valid_until": valid_until}
    if not versions.local.settle(entry["keys"]):
        return value
    pages.local_fragments.put(name, entry)
    shared = _shared()
    if shared is not None:
        shared.set(_shared_key(name), entry, max(1, int(valid_until - now)))
    return value


def kept():
    """Whether fragments are kept while this page renders: a caller that would render more than
    the page shows, to share it with other pages, need not when nothing is kept."""
    return keys.rendered_at() is not None and settings.PAGE_CACHE_FRAGMENT_ENTRIES > 0


def found(names):
    """The values of those of `names` kept and still right, by name (the page shows their keys);
    the caller renders the others, each through `cached()`, after loading what they need at once."""
    if keys.rendered_at() is None or settings.PAGE_CACHE_FRAGMENT_ENTRIES <= 0:
        return {}
    now, values = time.time(), {}
    for name in names:
        entry = lookup(name, now)
        if entry is not None:
            keys.shows(*entry["keys"])
            values[name] = entry["value"]
    return values


def lookup(name, now):
    entry = pages.local_fragments.get(name)
    if entry is None and (shared := _shared()) is not None:
        entry = shared.get(_shared_key(name))
        if entry is not None:
            pages.local_fragments.put(name, entry)
    if entry is None:
        return None
    epoch = versions.local.epoch
    if now < entry["valid_until"] and (
        entry.get(pages.CURRENT_AT) == epoch or versions.local.is_current(entry["keys"], entry["counter"])
    ):
        entry[pages.CURRENT_AT] = epoch
        return entry
    pages.local_fragments.drop(name)
    return None
