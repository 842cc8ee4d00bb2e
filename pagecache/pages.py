"""Anonymous full-page cache: which address a page is kept under, how long, and what the
HTTP caches in front are told.

A page is kept with the surrogate keys it showed (keys.py) and the invalidation counter
before it rendered (versions.py). It is served while none of its keys changed since,
for at most PAGE_CACHE_TIMEOUT seconds and never past the newsroom's New Year (the
footer's year). Moments at which content changes by the clock alone (publication,
expiry, dormancy) invalidate their keys at their second (keys.Schedule).

Shared caches in front (a CDN, Varnish) are told the keys in a header. When one is
configured to be purged (PAGE_CACHE_PURGE), it may keep pages long (PAGE_CACHE_CDN_MAX_AGE,
default a day), because every change and every schedule moment purges it; otherwise its
lifetime ends before the next schedule moment and is short, since it cannot be told.
Browsers cannot be told either: their max-age stays short, and pages readers keep open
(articles) are revalidated every time (max-age=0 with an ETag: a 304 costs no rendering).
"""

import contextlib
import hashlib
from collections import OrderedDict
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.utils import timezone

PAGE_KEY = "pagecache:page:{digest}"


def address(request):
    """The page's address as the cache keys it: parameters no public page reads (utm_*, fbclid,
    gclid, cache-busters) are left out, the ones they read sorted."""
    allowed = settings.PAGE_CACHE_QUERY_PARAMETERS
    pairs = [
        (name, value)
        for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        if name in allowed
    ]
    pairs.sort(key=lambda pair: pair[0])
    query = urlencode(pairs)
    return f"{request.scheme}://{request.get_host()}{request.path}{'?' if query else ''}{query}"


def shared_key(address):
    return PAGE_KEY.format(digest=hashlib.sha256(address.encode()).hexdigest())


def next_new_year(now):
    """The footer shows the current year: no page outlives the newsroom's New Year."""
    local = timezone.localtime(datetime.fromtimestamp(now, UTC))
    return local.replace(year=local.year + 1, month=1, day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()


def cache_control(*, now, valid_until, next_moment, revalidate, purged):
    """Browser and shared-cache lifetimes for a page that stays right until `valid_until`."""
    remaining = max(0, int(valid_until - now))
    until_moment = remaining if next_moment is None else max(0, min(remaining, int(next_moment - now)))
    browser = 0 if revalidate else min(settings.PAGE_CACHE_BROWSER_MAX_AGE, until_moment)
    if purged:
        shared = min(settings.PAGE_CACHE_CDN_MAX_AGE, remaining)
        return f"public, max-age={browser}, s-maxage={shared}, must-revalidate"
    shared = min(settings.PAGE_CACHE_CDN_MAX_AGE, until_moment)
    directives = [f"public, max-age={browser}, s-maxage={shared}"]
    stale = min(settings.PAGE_CACHE_STALE_WHILE_REVALIDATE, until_moment - shared)
    if stale > 0 and not revalidate:
        directives.append(f"stale-while-revalidate={stale}")
    return ", ".join(directives)


class LocalPages:
    """This process's hot pages, least recently used dropped first."""

    def __init__(self):
        self.entries = OrderedDict()
        self.not_public = OrderedDict()  # addresses whose view is not a public page (robots.txt, search)

    def get(self, address):
        entry = self.entries.get(address)
        if entry is not None:
            with contextlib.suppress(KeyError):  # dropped by another thread meanwhile
                self.entries.move_to_end(address)
        return entry

    def put(self, address, entry):
        self.entries[address] = entry
        self.entries.move_to_end(address)
        self.not_public.pop(address, None)
        while len(self.entries) > settings.PAGE_CACHE_LOCAL_ENTRIES:
            self.entries.popitem(last=False)

    def drop(self, address):
        self.entries.pop(address, None)

    def mark_not_public(self, address):
        self.not_public[address] = True
        while len(self.not_public) > settings.PAGE_CACHE_LOCAL_ENTRIES:
            self.not_public.popitem(last=False)

    def clear(self):
        self.entries.clear()
        self.not_public.clear()


local_pages = LocalPages()
