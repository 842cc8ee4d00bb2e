"""Which surrogate keys changed, and when, shared by every process and server.

One counter counts invalidations. Invalidating keys takes the next number and writes
it as each key's version. A page remembers the counter as it was *before* it was
rendered: it is current while every key it shows has a version no later than that.
A change committed while the page rendered gets a later number, so the page cannot
outlive it (the commit race in tests/test_page_cache.py).

Each process keeps a local copy of the counter and the versions it has looked up,
trusted for PAGE_CACHE_SYNC_INTERVAL seconds: a cached page then costs no round trip to
Redis or the disk, and another server's change reaches this one within that interval.

Every invalidation is also written to a bounded log, by number. A process that sees the
counter move from c to c' reads which keys changed in (c, c'] and learns their versions from
it, so the versions of the pages nobody edited stay known. A process that has read every entry
since a number F (`LocalCopy.following`) knows every version later than F: a page rendered at
F or later is checked against what it knows alone, and a key it never heard of is unchanged
since F, so a page another worker or server kept costs no read of its keys' versions (about 30 an
article page: a round trip to Redis). When the log cannot say (entries past its bound, a gap, an
unreadable line), the process forgets every version, at once and at its next look, and follows
the log again from the counter it read.

The store is the shared cache (Redis) when there is one, else a small directory (one
machine: the workers share it). Redis may lose a key's version (evicted, flushed, restarted):
a version it does not hold means "changed now", so every page showing the key is rendered
again, never served stale. When a page is stored, the versions its keys do not yet have are
written first, set-if-absent (`settle`), with the counter as it is then: no invalidation Redis
lost can have a later number, and an invalidation racing the write wins, because it writes
unconditionally with a later number. So a page stays a hit across invalidations of other keys.
A lost counter starts again from the clock, above every number used before unless the clock was
set back meanwhile: a page rendered at a number above the counter (by a process that looked
later, or kept on a disk before a counter restarted lower) makes this process look again, and
is rendered again while it is still above. A Redis that comes back older than it was (restarted
from a snapshot, a replica promoted) is told by its run id: the counter is lifted above every
number used before, and no page rendered before the lift is served (`SharedCacheStore.position`).

A store that cannot be written is *broken*: no page is
served from the cache until a write works again, because a lost invalidation would
otherwise leave stale pages reachable. The other servers learn it from the store: an
invalidation that cannot be written deletes the counter and its keys' versions (a Redis full
under `noeviction` refuses writes but still deletes; the directory's counter is renamed), and a
process that finds no counter and cannot write one serves nothing it kept.
"""

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS
from django.dispatch import receiver
from redis.exceptions import OutOfMemoryError, ReadOnlyError

from . import outbox

logger = logging.getLogger(__name__)

COUNTER_KEY = "pagecache:counter"
VERSION_KEY = "pagecache:v:{key}"
LOG_KEY = "pagecache:log:{counter}"
SHOWN_KEY = "pagecache:shown:{key}"
RUN_KEY = "pagecache:run"
# Redis keeps the last LOG_SPAN entries for LOG_TIMEOUT seconds; the directory store's log
# starts again past LOG_BYTES. A process further behind forgets every version it knows.
LOG_SPAN = 1000
LOG_TIMEOUT = 3600
LOG_BYTES = 256 * 1024
# A broken store is tried again at most this often (seconds): a Redis that stopped answering costs
# one timeout a second per process, not one per request or per invalidation of a save.
RETRY_BROKEN = 1.0


class StoreBroken(Exception):
    """The key versions cannot be read or written."""


def shared_cache():
    """The cache the page cache keeps its versions, pages and fragments in (PAGE_CACHE_ALIAS)."""
    return caches[settings.PAGE_CACHE_ALIAS]


def add_many(cache, values):
    """Set each of `values` that `cache` does not hold, never overwriting; the names written.
    On Redis one round trip (SET NX, pipelined); elsewhere one `add` each."""
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        with client.pipeline(transaction=False) as pipeline:
            for name, value in values.items():
                pipeline.set(cache.make_and_validate_key(name), cache._cache._serializer.dumps(value), nx=True)
            try:
                written = pipeline.execute()
            except (OutOfMemoryError, ReadOnlyError):  # Redis answers, refusing writes: none written
                return []
        return [name for name, done in zip(values, written, strict=True) if done]
    return [name for name, value in values.items() if cache.add(name, value, None)]


class SharedCacheStore:
    """Versions in the shared cache (Redis): one key per surrogate key."""

    def __init__(self):
        self.cache = shared_cache()

    def counter(self):
        value = self.cache.get(COUNTER_KEY)
        if value is None:
            # From the clock: a lost counter can never come back lower than a version already written.
            self.cache.add(COUNTER_KEY, time.time_ns(), None)
            value = self.cache.get(COUNTER_KEY)
            if value is None:  # a cache that answers misses when Redis is gone (newsroom/cache.py)
                raise StoreBroken("the shared cache keeps no counter")
        return int(value)

    def position(self):
        """The counter, and the floor below which no version or page counts: the number the counter
        was lifted to when this Redis process first served it (RUN_KEY). A Redis restarted from a
        snapshot, or a replica promoted, may hold pages and key versions of before edits that it took
        and lost: no page rendered before the lift is served, and no number it used is used again."""
        if not isinstance(self.cache, RedisCache):
            return self.counter(), 0  # no run id to tell a restart by
        run = self._run_id()
        found = self.cache.get_many([COUNTER_KEY, RUN_KEY])
        recorded = found.get(RUN_KEY)
        if recorded is None or recorded[0] != run:
            return self._lift(run)
        # A counter lost alone (evicted; deleted by an invalidation that failed) starts again from the clock.
        return (int(found[COUNTER_KEY]) if COUNTER_KEY in found else self.counter()), recorded[1]

    def _run_id(self):
        """The id of the Redis process that takes writes, new at each restart."""
        if (run_id := getattr(self.cache, "run_id", None)) is None:  # Django's own backend
            return self.cache._cache.get_client(write=True).info("server").get("run_id", "")
        if (run := run_id()) is None:  # newsroom/cache.py: Redis cannot be reached
            raise StoreBroken("the shared cache cannot be reached")
        return run

    def _lift(self, run):
        """Set the counter above every number used before (from the clock), as the floor of `run`."""
        client = self.cache._cache.get_client(write=True)
        serializer = self.cache._cache._serializer
        counter_name, run_name = (self.cache.make_and_validate_key(name) for name in (COUNTER_KEY, RUN_KEY))

        def lift(pipeline):  # watched: another process lifting meanwhile makes this try again
            counter, recorded = pipeline.get(counter_name), pipeline.get(run_name)
            if counter is not None and recorded is not None and (recorded := serializer.loads(recorded))[0] == run:
                return int(counter), recorded[1]  # lifted by another process
            floor = max(time.time_ns(), int(counter or 0) + 1)
            pipeline.multi()
            pipeline.set(counter_name, floor)
            pipeline.set(run_name, serializer.dumps((run, floor)))
            return floor, floor

        return client.transaction(lift, counter_name, run_name, value_from_callable=True)

    def versions(self, keys):
        """The versions Redis holds. A key it does not hold (never given one, or lost) is left out:
        changed as of now, so older pages go. Reading writes nothing."""
        names = {VERSION_KEY.format(key=key): key for key in keys}
        return {names[name]: int(value) for name, value in self.cache.get_many(names).items()}

    def settle(self, keys):
        """Every key's version, writing the missing ones first, set-if-absent, as the counter is now."""
        names = {VERSION_KEY.format(key=key): key for key in keys}
        found = self.cache.get_many([*names, COUNTER_KEY])
        counter = found.pop(COUNTER_KEY, None) or self.counter()
        missing = [name for name in names if name not in found]
        if missing:
            written = add_many(self.cache, dict.fromkeys(missing, counter))
            found.update(dict.fromkeys(written, counter))
            if lost_race := [name for name in missing if name not in found]:
                # Written meanwhile by an invalidation (always later): its number stands.
                found.update(self.cache.get_many(lost_race))
        return {names[name]: int(value) for name, value in found.items()}

    def invalidate(self, keys):
        names = [VERSION_KEY.format(key=key) for key in keys]
        try:
            counter = self._next_number()
            if failed := self.cache.set_many(dict.fromkeys(names, counter), None):
                raise StoreBroken(f"could not write {len(failed)} key versions")
        except Exception:
            # A Redis that refuses writes (full under `noeviction`) still deletes: without the counter no
            # server serves a kept page until one can be written again (from the clock: above them all),
            # and without these versions the pages showing them are rendered again even after that.
            with contextlib.suppress(Exception):
                self.cache.delete_many([COUNTER_KEY, *names])
            raise
        # Last: a process that finds the entry finds the versions written.
        self.cache.set(LOG_KEY.format(counter=counter), sorted(keys), LOG_TIMEOUT)
        return counter

    def _next_number(self):
        try:
            return self.cache.incr(COUNTER_KEY)
        except ValueError:  # lost: from the clock
            self.cache.add(COUNTER_KEY, time.time_ns(), None)
            return self.cache.incr(COUNTER_KEY)

    def changes(self, since, until, position):
        """The keys invalidated in (since, until], each with the last number that invalidated it,
        or None when the log cannot say."""
        if since is None or not 0 < until - since <= LOG_SPAN:
            return None, position
        numbers = {LOG_KEY.format(counter=number): number for number in range(since + 1, until + 1)}
        found = self.cache.get_many(numbers)
        if len(found) < len(numbers):  # expired, evicted, or still being written
            return None, position
        return {key: numbers[name] for name in numbers for key in found[name]}, position

    def swap(self, key, text):
        """Record `text` as what pages show for `key`; what was recorded before (None: nothing)."""
        name = SHOWN_KEY.format(key=key)
        before = self.cache.get(name)
        if before != text:
            self.cache.set(name, text, None)
        return before

    def check_writable(self):
        probe = time.time_ns()
        self.cache.set("pagecache:probe", probe, 10)
        if self.cache.get("pagecache:probe") != probe:
            raise StoreBroken("the shared cache does not keep what is written")


class DirectoryStore:
    """Versions in a directory, for the workers of one machine without Redis.

    `counter` holds "<created> <counter>"; a key's version is a file named by its hash.
    A key without a file has the version `created`. `log` has a line "<counter> <keys as
    JSON>" per invalidation, appended before `counter` is written. When a write fails (a full disk),
    `counter` is renamed `counter-lost`, which needs no space: every process stops serving until it
    can be written again, and then `created` restarts from the clock, and above the lost counter
    should the clock have gone back (an NTP step): later than every page and version before."""

    def __init__(self, path):
        self.path = Path(path)
        self.counter_file = str(self.path / "counter")  # a string: looked at on every request
        self.last_read = None  # (device, inode, (created, counter), its file held open)
        self.reading = threading.Lock()

    def __del__(self):
        if (last := getattr(self, "last_read", None)) is not None:
            with contextlib.suppress(OSError):
                os.close(last[3])

    def counter(self):
        try:
            return self._read_counter()[1]
        except FileNotFoundError:
            pass
        with self._locked():
            try:
                return self._read_counter()[1]
            except FileNotFoundError:
                start = self._restart()
                self._write(self.path / "counter", f"{start} {start}")
                return start

    def position(self):
        return self.counter(), 0  # the directory is never rolled back

    def settle(self, keys):
        return self.versions(keys)  # a key without a file has a version already: `created`

    def versions(self, keys):
        created = self._read_counter()[0]
        result = {}
        directory = str(self.path)  # string paths: a page read from disk asks for about 30 keys
        for key in keys:
            try:
                result[key] = int(_read(f"{directory}/{self._name(key)}"))
            except FileNotFoundError:
                result[key] = created
        return result

    def invalidate(self, keys):
        try:
            with self._locked():
                try:
                    created, counter = self._read_counter()
                    restart = False
                except FileNotFoundError:  # new, or lost after a failure: every older page goes
                    created = counter = self._restart()
                    restart = True
                counter += 1
                for key in keys:
                    self._write(self.path / self._name(key), str(counter))
                self._log(counter, keys, restart)
                self._write(self.path / "counter", f"{created} {counter}")
                return counter
        except OSError as error:
            with contextlib.suppress(FileNotFoundError):
                os.replace(self.path / "counter", self.path / "counter-lost")
            raise StoreBroken(f"could not record an invalidation in {self.path}: {error}") from error

    def _restart(self):
        """The number a new or lost counter starts from: the clock, or past the lost one."""
        try:
            lost = int(_read(str(self.path / "counter-lost")).split()[1])
        except (OSError, ValueError, IndexError):
            lost = 0
        return max(time.time_ns(), lost + 1)

    def _log(self, counter, keys, restart):
        line = f"{counter} {json.dumps(sorted(keys))}\n"
        path = self.path / "log"
        try:
            size = os.stat(path).st_size
        except FileNotFoundError:
            size = 0
        if restart or size + len(line) > LOG_BYTES:
            self._write(path, line)  # a new file: processes still reading the old one see a gap
        else:
            with open(path, "a") as log:
                log.write(line)

    def changes(self, since, until, position):
        """The keys invalidated in (since, until], each with the last number that invalidated it, or
        None when the log cannot say; and where this process reads the log next time (its file and offset)."""
        try:
            with open(self.path / "log", "rb") as log:
                stat = os.fstat(log.fileno())
                file = (stat.st_dev, stat.st_ino)
                offset = position[1] if position is not None and position[0] == file else 0
                log.seek(offset)
                text = log.read()
        except OSError:
            return None, None
        changed, expected, can_say = {}, None if since is None else since + 1, since is not None
        for line in text.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break  # being appended: an invalidation after `until`
            number, _, names = line.partition(b" ")
            try:
                number = int(number)
                if number > until:
                    break
                if can_say and number > since:
                    # Consecutive numbers, or the log has a gap (a restart, a new file).
                    if number != expected:
                        can_say = False
                    else:
                        changed.update(dict.fromkeys(json.loads(names), number))
                        expected += 1
            except ValueError:
                can_say = False
            offset += len(line)
        if not can_say or expected != until + 1:
            return None, (file, offset)
        return changed, (file, offset)

    def swap(self, key, text):
        path = self.path / ("s" + self._name(key)[1:])
        try:
            before = path.read_text()
        except FileNotFoundError:
            before = None
        if before != text:
            self.path.mkdir(parents=True, exist_ok=True)
            self._write(path, text)
        return before

    def forget_shown(self):
        for path in self.path.glob("s-*"):
            path.unlink(missing_ok=True)

    def check_writable(self):
        self.counter()
        try:
            self._write(self.path / "probe", str(time.time_ns()))
        except OSError as error:
            raise StoreBroken(f"{self.path} is not writable: {error}") from error

    def _read_counter(self):
        """(created, counter). The file is only ever replaced whole (`_write`), never written in place:
        while its path names the file read last, it says the same. That file is held open, so that no
        new file can take its inode number: one stat per request, not an open, a read and a close."""
        stat = os.stat(self.counter_file)
        last = self.last_read
        if last is not None and last[0] == stat.st_dev and last[1] == stat.st_ino:
            return last[2]
        with self.reading:
            descriptor = os.open(self.counter_file, os.O_RDONLY)
            try:
                held = os.fstat(descriptor)  # the file read, whatever replaced it since the stat above
                created, counter = os.read(descriptor, 64).decode().split()
                value = int(created), int(counter)
            except BaseException:
                os.close(descriptor)
                raise
            if self.last_read is not None:
                os.close(self.last_read[3])
            self.last_read = (held.st_dev, held.st_ino, value, descriptor)
        return value

    @staticmethod
    def _name(key):
        return "k-" + hashlib.sha256(key.encode()).hexdigest()[:32]

    def _write(self, path, text):
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            temporary.write_text(text)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def _locked(self):
        self.path.mkdir(parents=True, exist_ok=True)
        return _FileLock(self.path / "lock")


class _FileLock:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.descriptor, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        os.close(self.descriptor)


def _read(path):
    # Raw os calls: a tenth of the cost of Path.read_text().
    descriptor = os.open(path, os.O_RDONLY)
    try:
        return os.read(descriptor, 64).decode()
    finally:
        os.close(descriptor)


@functools.cache
def _default_directory(database_name):
    # One per project and database, so tests, the bench and `make run` never share one.
    scope = f"{settings.BASE_DIR}|{database_name}|{settings.SECRET_KEY}"
    return Path(tempfile.gettempdir()) / f"newsroom-pagecache-{hashlib.sha256(scope.encode()).hexdigest()[:16]}"


def versions_directory():
    """The directory one machine's processes share without Redis."""
    # The default connection's settings (the same dictionary; a test database's name once made).
    return _directory(settings.PAGE_CACHE_VERSIONS_DIR, settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])


# Asked for on every request: made once (building paths cost a tenth of a hit from disk).
@functools.lru_cache(maxsize=16)
def _directory(configured, database_name):
    return Path(configured or _default_directory(database_name))


@functools.lru_cache(maxsize=16)
def _directory_store(path):
    return DirectoryStore(path)


@functools.cache  # asked on every request; forgotten when a setting changes
def one_machine():
    """Whether the page cache's alias is this process's memory (one machine: a directory is shared)."""
    return isinstance(shared_cache(), LocMemCache)


@receiver(setting_changed)
def _settings_changed(**kwargs):
    one_machine.cache_clear()


def store():
    if one_machine():
        return _directory_store(versions_directory())
    return SharedCacheStore()


class LocalCopy:
    """This process's copy of the counter and of the versions it has needed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.counter = None
        self.floor = 0  # no version is lower, no page rendered before it is current (SharedCacheStore.position)
        self.synced_at = float("-inf")
        self.following = None  # every invalidation numbered after it is in `known` (read from the log)
        self.known = {}
        self.broken = None
        self.broken_at = float("-inf")
        self.log_position = None
        self.unsure = False
        self.values = {}  # what is kept in this process under a key's version (the site settings)
        # Moves whenever a version this process knows may have risen (forgotten, or its own
        # invalidation): a page found current at the same epoch is current still (`is_current`).
        self.epoch = getattr(self, "epoch", 0) + 1

    def current(self, now):
        """The counter as this process knows it (at most PAGE_CACHE_SYNC_INTERVAL old), or None
        while the store is broken. Returns (counter, changed since the last sync)."""
        if now - self.synced_at < settings.PAGE_CACHE_SYNC_INTERVAL and self.counter is not None:
            return self.counter, False
        if self.retry_later(now):
            return None, True
        try:
            versions = store()
            counter, floor = versions.position()
            if self.broken is not None:
                # Back: first replay the invalidations that could not be recorded meanwhile.
                outbox.drain({"local": versions.invalidate}, target="local")
                counter = versions.counter()
            changed_keys, position = {}, self.log_position
            if counter != self.counter:
                changed_keys, position = versions.changes(self.counter, counter, self.log_position)
        except Exception as error:  # noqa: BLE001 - Redis down, disk full: stop serving, say why
            self._broke(error)
            return None, True
        with self.lock:
            changed = counter != self.counter
            if changed_keys is None:
                # Followed again from here: what changed up to `counter` is before any page rendered
                # at it or later (set before `known` is emptied: `is_current` reads them the other way).
                self.following = counter
            # Filled before it replaces the old: another thread may be reading it.
            known = {} if changed_keys is None or self.unsure or floor != self.floor else self.known
            for key, number in (changed_keys or {}).items():
                # Never lower: a version read from the store may already be that of a later invalidation.
                if known.get(key, 0) < number:
                    known[key] = number
            if changed_keys or known is not self.known:
                self.known = known
                self.epoch += 1
            # The log could not say: forget all again at the next look, by when an invalidation
            # still being written (its number taken, its versions not yet) is complete.
            self.unsure = changed_keys is None
            self.counter, self.synced_at, self.broken, self.log_position = counter, now, None, position
            self.floor = floor
        return counter, changed

    def is_current(self, keys, rendered_at):
        """Whether nothing a page rendered at counter `rendered_at` shows has changed since."""
        if rendered_at < self.floor:
            return False
        counter = self.counter
        if counter is None or rendered_at > counter:
            # Rendered at a number this process has not read yet: by a process that looked later, or
            # before the store lost its counter and started it again lower (a clock set back): look again.
            self.synced_at = float("-inf")
            counter, _ = self.current(time.time())
            if counter is None or rendered_at > counter:
                return False
        known, following = self.known, self.following
        if following is not None and rendered_at >= following:
            # Every later invalidation was read from the log: a key not known is unchanged since `following`.
            return all(known.get(key, following) <= rendered_at for key in keys)
        missing = [key for key in keys if key not in self.known]
        if missing:
            try:
                found = store().versions(missing)
            except Exception as error:  # noqa: BLE001
                self._broke(error)
                return False
            self._learn(found)
        known = self.known
        # A key the store holds no version for is not remembered: it changed as of now.
        return all(known.get(key, float("inf")) <= rendered_at for key in keys)

    def settle(self, keys):
        """Before a page showing `keys` is stored: the versions its keys lack are written (see the
        module's docstring). False when they cannot be, and the page must not be stored."""
        missing = [key for key in keys if key not in self.known]
        if not missing:
            return True
        try:
            versions = store()
            if isinstance(versions, DirectoryStore):
                return True  # every key has a version there already (`created`): nothing to write or read
            found = versions.settle(missing)
        except Exception as error:  # noqa: BLE001
            self._broke(error)
            return False
        self._learn(found)
        return True

    def version(self, key, synced=False):
        """`key`'s version as this process knows it (written first if the store has none): what a
        value shown by pages may be kept under in this process. StoreBroken while the store is.
        `synced`: the caller's request looked at the counter already (a page the cache renders)."""
        if not synced and self.current(time.time())[0] is None:
            raise StoreBroken(self.broken)
        version = self.known.get(key)
        if version is None:
            version = self._learn(store().settle([key]))[key]
        return version

    def invalidated(self, keys, counter):
        """This process's own invalidation: known here at once, whatever the interval."""
        with self.lock:
            # The counter itself waits for the next sync, which then forgets what others changed
            # meanwhile: at the next request, not PAGE_CACHE_SYNC_INTERVAL later, or every page
            # showing these keys rendered meanwhile would be kept under the older counter, stale at once.
            for key in keys:
                self.known[key] = counter
            self.epoch += 1
            self.synced_at = float("-inf")

    def _learn(self, found):
        """Versions read from the store, none below the floor; returned as learnt. One this process knew
        already and read again different (another thread read it first, before an invalidation) moves the epoch."""
        with self.lock:
            known, found = self.known, {key: max(version, self.floor) for key, version in found.items()}
            if any(known.get(key, version) != version for key, version in found.items()):
                self.epoch += 1
            known.update(found)
        return found

    def retry_later(self, now=None):
        """Whether the store broke too recently to be tried again (RETRY_BROKEN)."""
        return self.broken is not None and (now or time.time()) - self.broken_at < RETRY_BROKEN

    def _broke(self, error):
        if self.broken is None:
            logger.error("Page cache: the key versions cannot be used, pages are rendered fresh: %s", error)
        self.following = None
        self.counter, self.known, self.broken, self.log_position = None, {}, str(error), None
        self.epoch += 1
        self.broken_at = time.time()


local = LocalCopy()
