"""The shared cache (Redis) as something the site can lose: an unreachable Redis makes a slower
site, never a dead one (DESIGN.md, "Failure").

Everything kept in the cache is a copy or a hint (pages, fragments, the themes' navigation,
the site settings, "being edited by"), so an error reaching Redis is a miss: `get` answers its
default, `add` and `delete` False, `incr` ValueError (as for a missing key), `set_many` names
every key as not set, and other writes are dropped. The page cache notices (its key versions
cannot be read) and serves nothing it kept until Redis answers again, so no page is stale
because of an outage; rate limits count in each process meanwhile (`CountersCache`); sessions
are in the database, never in the cache.

A Redis that answers but refuses writes (full at its `maxmemory` under the default policy,
`noeviction`; or a read-only replica) is not an outage: reads and deletes go on, and writes are
dropped as above, tried again once per RETRY_SECONDS, with one warning when it starts refusing and one
when it takes writes again. Rate limits count in each process meanwhile, and the page cache, whose
invalidations cannot be written, serves nothing it kept (pagecache/versions.py).

Two things keep an outage cheap and readable:
- after an error a process leaves that Redis alone for RETRY_SECONDS, then one caller tries
  again: a Redis that does not answer costs one timeout (REDIS_TIMEOUT) per interval, not one
  per cache call (a page makes about ten);
- one warning when Redis is lost and one when it is back, not a line per call.

A delete that could not reach Redis is sent when Redis answers again (up to REMEMBERED_DELETES
keys per process): a Redis that comes back with its data (restarted from its snapshot, or only
cut off from this server) would otherwise still hold what an edit during the outage dropped
(the themes' navigation, for one). A write that could not reach it needs nothing: what Redis
holds instead was right when written, and a change that makes it wrong deletes it.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache import caches
from django.core.cache.backends import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import OutOfMemoryError, ReadOnlyError, RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
REMEMBERED_DELETES = 10_000

_MISSED = object()


class Outage:
    """Whether one Redis can be reached, shared by a process's threads (Django makes a cache
    object per thread)."""

    def __init__(self, name):
        self.name = name
        self.lock = threading.Lock()
        self.retry_at = None  # monotonic time; None while Redis answers
        self.since = None
        self.unsent_deletes = set()
        self.deletes_lost = 0
        self.write_at = None  # monotonic time of the next write to try; None while Redis takes writes

    @property
    def down(self):
        return self.retry_at is not None

    def may_try(self):
        return self.retry_at is None or self._due("retry_at")

    def may_write(self):
        return self.write_at is None or self._due("write_at")

    def _due(self, pause):
        """Whether the pause (`retry_at`, `write_at`) is over: then this caller tries, and the others
        wait for its answer, another RETRY_SECONDS."""
        now = time.monotonic()
        with self.lock:
            until = getattr(self, pause)
            if until is not None and now < until:
                return False
            if until is not None:
                setattr(self, pause, now + RETRY_SECONDS)
            return True

    def remember(self, deletes):
        if deletes:
            with self.lock:
                room = max(REMEMBERED_DELETES - len(self.unsent_deletes), 0)
                self.unsent_deletes.update(deletes[:room])
                self.deletes_lost += max(len(deletes) - room, 0)

    def failed(self, error, deletes):
        self.remember(deletes)
        with self.lock:
            lost = self.since is None
            if lost:
                self.since = time.monotonic()
            self.retry_at = time.monotonic() + RETRY_SECONDS
        if lost:
            logger.warning(
                "Redis at %s cannot be reached (%s): pages are rendered uncached and rate limits count per process "
                "until it answers again",
                self.name,
                error,
            )

    def refused(self, error):
        with self.lock:
            first = self.write_at is None
            self.write_at = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "Redis at %s refuses writes (%s): pages are rendered uncached and rate limits count per process "
                "until it takes writes again; give it room, or set maxmemory-policy allkeys-lru (docs/production.md)",
                self.name,
                error,
            )

    def wrote(self):
        with self.lock:
            was_refusing, self.write_at = self.write_at is not None, None
        if was_refusing:
            logger.warning("Redis at %s takes writes again", self.name)

    def answered(self):
        """After a call Redis answered: the end of an outage, with the deletes to send now."""
        with self.lock:
            if self.retry_at is None:
                return None
            deletes, lost, since = self.unsent_deletes, self.deletes_lost, self.since
            self.retry_at, self.since, self.unsent_deletes, self.deletes_lost = None, None, set(), 0
        logger.warning("Redis at %s answers again after %.0f s", self.name, time.monotonic() - since)
        if lost:
            logger.error(
                "%d deletes could not reach Redis at %s during the outage: what they dropped may be served "
                "until it expires",
                lost,
                self.name,
            )
        return deletes


_outages = {}


def _server_name(location):
    """host:port/db, never the password a REDIS_URL may carry."""
    parts = urlsplit(location)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}" if parts.hostname else "a socket"


class RedisCacheClient(redis.RedisCacheClient):
    """Django's client, making its `redis.Redis` once per connection pool rather than on every call
    (building one costs about 0.1 ms; it is thread-safe, as the pool it takes connections from)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    """Django's Redis cache, where Redis cannot be reached, answering as an empty cache."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        name = ", ".join(_server_name(location) for location in self._servers)
        self.outage = _outages.setdefault(tuple(self._servers), Outage(name))

    def validate_key(self, key):
        """Redis takes any key: memcached's warnings (250 characters, no spaces) cost 4 µs a key, about
        30 times on a page whose key versions are read."""

    def reachable(self):
        """False from an error until Redis answers again, and from a refused write until one is taken."""
        return not self.outage.down and self.outage.write_at is None

    def _call(self, operation, missed, *args, deletes=(), write=False):
        if not self.outage.may_try() or (write and not self.outage.may_write()):
            self.outage.remember(deletes)
            return missed
        try:
            result = operation(*args)
        except (OutOfMemoryError, ReadOnlyError) as error:  # Redis answers: an outage of writes only
            self._answered()
            self.outage.refused(error)
            return missed
        except RedisError as error:
            self.outage.failed(error, deletes)
            return missed
        self._answered()
        if write and self.outage.write_at is not None:
            self.outage.wrote()
        return result

    def _answered(self):
        if self.outage.down:
            self._send_deletes(self.outage.answered())

    def run_id(self):
        """The id of the Redis process that takes writes, new at each restart; None while it cannot be
        reached."""
        return self._call(lambda: self._cache.get_client(write=True).info("server").get("run_id", ""), None)

    def _send_deletes(self, deletes):
        if deletes:
            try:
                self._cache.delete_many(list(deletes))
            except RedisError as error:
                self.outage.failed(error, list(deletes))

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version, write=True)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(super().set, None, key, value, timeout, version, write=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version, write=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        result = self._call(super().incr, _MISSED, key, delta, version, write=True)
        if result is _MISSED:
            raise ValueError(f"Key '{key}' not found (Redis cannot be reached).")
        return result

    def delete(self, key, version=None):
        deletes = [self.make_and_validate_key(key, version=version)]
        return self._call(super().delete, False, key, version, deletes=deletes)

    def delete_many(self, keys, version=None):
        deletes = [self.make_and_validate_key(key, version=version) for key in keys]
        self._call(super().delete_many, None, keys, version, deletes=deletes)

    def clear(self):
        return self._call(super().clear, False)


class CountersCache(BaseCache):
    """Where rate limits count (the API's and the search page's): in the shared cache (LOCATION
    names its alias), and in this process's memory while that cannot be reached, so that a limit
    still holds, per process, as it does on one machine without Redis. A count that fails on
    the shared cache is counted here in the same call: none slips through when an outage begins."""

    def __init__(self, location, params):
        super().__init__(params)
        self.shared_alias = location or "default"
        self.local = LocMemCache("newsroom-counters", {"OPTIONS": {"MAX_ENTRIES": 10_000}})

    def _count(self, name, *args):
        shared = caches[self.shared_alias]
        reachable = getattr(shared, "reachable", None)
        if reachable is None:
            return getattr(shared, name)(*args)
        if reachable():
            try:
                result = getattr(shared, name)(*args)
            except ValueError:  # incr of a missing key, or of an unreachable Redis
                if reachable():
                    raise
            else:
                if reachable():
                    return result
        return getattr(self.local, name)(*args)

    def get(self, key, default=None, version=None):
        return self._count("get", key, default, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._count("add", key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._count("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._count("touch", key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._count("incr", key, delta, version)

    def delete(self, key, version=None):
        return self._count("delete", key, version)

    def clear(self):
        """This process's counts (the shared ones go with the shared cache)."""
        self.local.clear()
