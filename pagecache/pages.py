"""Anonymous full-page cache for public pages.

Correctness rests on two numbers kept outside any one process:

- the *generation*: bumped on every content change (see signals.py), and part of
  every page key, so one change makes every cached page unreachable on every
  server at once. Any change invalidating every page is the trade-off: a
  newsroom publishes a few times an hour and a page re-renders in milliseconds,
  while per-theme keys would have to know every page an article can appear on
  (home, its theme, its siblings' "More on theme", author and tag pages, feeds,
  sitemaps, search), which is exactly the knowledge that goes stale.
- the *next schedule moment*: the first `publish_at`/`expire_at` after now at
  which `Article.objects.live()` changes. No entry is served after it, and the
  HTTP max-age given to browsers and CDNs ends before it, so a scheduled article
  appears at its second with a warm cache and no job running.

A CDN in front cannot be told about the generation: it may keep an edited page
for up to PAGE_CACHE_CDN_MAX_AGE (+ stale-while-revalidate) seconds, but never
past the next schedule moment, which both are capped by.

The generation lives in the shared cache (Redis) when there is one. With the
per-process local-memory cache it lives in a small file, so that the workers
of one machine still see each other's invalidations.
"""

import functools
import hashlib
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.db.models import Subquery
from django.utils import timezone

GENERATION_KEY = "pagecache:generation"
PAGE_KEY = "pagecache:page:{generation}:{digest}"
NEXT_MOMENT_KEY = "pagecache:next-moment:{generation}"


# Generation ------------------------------------------------------------------------------


def _generation_file():
    configured = getattr(settings, "PAGE_CACHE_GENERATION_FILE", "")
    return Path(configured) if configured else _default_generation_file(connection.settings_dict["NAME"])


@functools.cache
def _default_generation_file(database_name):
    # One file per project and database, so tests, the bench and `make run` never share one.
    scope = f"{settings.BASE_DIR}|{database_name}|{settings.SECRET_KEY}"
    return Path(tempfile.gettempdir()) / f"newsroom-pagecache-{hashlib.sha256(scope.encode()).hexdigest()[:16]}"


def _cache_is_per_process():
    return isinstance(caches["default"], LocMemCache)


def current_generation():
    if _cache_is_per_process():
        path = _generation_file()
        try:
            return _read_generation_file(path)
        except FileNotFoundError:
            bump_generation()
            return _read_generation_file(path)
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A start value from the clock: if the key is ever evicted, it cannot come back as an old generation.
        cache.add(GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(GENERATION_KEY)
    return str(generation)


def _read_generation_file(path):
    # Raw os calls: a tenth of the cost of Path.read_text(), and this runs on every cached page.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        return os.read(descriptor, 64).decode()
    finally:
        os.close(descriptor)


def bump_generation():
    """Make every cached page unreachable, on every server."""
    if _cache_is_per_process():
        path = _generation_file()
        temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}")
        temporary.write_text(uuid.uuid4().hex)
        os.replace(temporary, path)
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, time.time_ns(), None)


# Schedule --------------------------------------------------------------------------------


def next_schedule_moment(now):
    """The first moment after `now` at which `Article.objects.live()` changes by the clock alone:
    the earliest future publish_at or expire_at of an approved article (None if there is none)."""
    from articles.models import Article, Status

    approved = Article.objects.filter(status=Status.APPROVED).order_by()
    publishing = approved.filter(publish_at__gt=now).order_by("publish_at").values("publish_at")[:1]
    expiring = approved.filter(expire_at__gt=now).order_by("expire_at").values("expire_at")[:1]
    # One query: both subqueries ride on one row (and an empty newsroom has no moment anyway).
    row = (
        Article.objects.order_by()
        .annotate(next_publish=Subquery(publishing), next_expire=Subquery(expiring))
        .values_list("next_publish", "next_expire")[:1]
    )
    moments = [moment for moment in next(iter(row), ()) if moment is not None]
    return min(moments) if moments else None


def _next_new_year(now):
    """The footer shows the current year: no page outlives the newsroom's New Year."""
    local = timezone.localtime(now)
    return local.replace(year=local.year + 1, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def valid_until(generation, now):
    """Until when (a UNIX time) a page rendered at `now` under `generation` stays right."""
    key = NEXT_MOMENT_KEY.format(generation=generation)
    known = cache.get(key)
    if known is None or not (known["after"] <= now < (known["until"] or float("inf"))):
        moment = next_schedule_moment(datetime.fromtimestamp(now, UTC))
        known = {"after": now, "until": moment.timestamp() if moment else None}
        cache.set(key, known, settings.PAGE_CACHE_TIMEOUT)
    limits = [now + settings.PAGE_CACHE_TIMEOUT, _next_new_year(datetime.fromtimestamp(now, UTC)).timestamp()]
    if known["until"] is not None:
        limits.append(known["until"])
    # Pages show the navigation, which a theme leaves when it turns dormant by the clock alone.
    from themes.models import next_dormancy

    dormancy = next_dormancy(datetime.fromtimestamp(now, UTC))
    if dormancy is not None:
        limits.append(dormancy.timestamp())
    return min(limits)


# Pages -----------------------------------------------------------------------------------


def page_key(generation, request):
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return PAGE_KEY.format(generation=generation, digest=hashlib.sha256(address.encode()).hexdigest())


def cache_control(valid_until, now):
    """Browser and CDN lifetimes, both ending before the page could change by the clock."""
    remaining = max(0, int(valid_until - now))
    browser = min(settings.PAGE_CACHE_BROWSER_MAX_AGE, remaining)
    shared = min(settings.PAGE_CACHE_CDN_MAX_AGE, remaining)
    directives = [f"public, max-age={browser}, s-maxage={shared}"]
    stale = min(settings.PAGE_CACHE_STALE_WHILE_REVALIDATE, remaining - shared)
    if stale > 0:
        directives.append(f"stale-while-revalidate={stale}")
    return ", ".join(directives)
