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
import fcntl
import functools
import os
import pickle
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import QueryDict
from django.utils import timezone

from .release import storage_digest

PAGE_KEY = "pagecache:page:{digest}"


# What Django's request.get_host() answered, by the headers it reads when there is a Host header
# (a host it refuses raises and is not kept): its checks against ALLOWED_HOSTS cost a twentieth of a hit.
_hosts = {}


@receiver(setting_changed)
def _forget_hosts(**kwargs):
    _hosts.clear()


def host(request):
    meta = request.META
    if "HTTP_HOST" not in meta:  # then Django reads the server's name, port and scheme
        return request.get_host()
    asked = (meta["HTTP_HOST"], meta.get("HTTP_X_FORWARDED_HOST"))
    found = _hosts.get(asked)
    if found is None:
        found = request.get_host()
        if len(_hosts) >= 64:  # ALLOWED_HOSTS = ["*"] and made-up hosts: bounded
            _hosts.clear()
        _hosts[asked] = found
    return found


def address(request):
    """The page's address as the cache keys it: parameters no public page reads (utm_*, fbclid,
    gclid, cache-busters) are left out, the ones they read sorted. And the names of those kept."""
    page = f"{request.scheme}://{host(request)}{request.path}"
    if not (query := request.META.get("QUERY_STRING")):
        return page, set()
    allowed = settings.PAGE_CACHE_QUERY_PARAMETERS
    pairs = sorted(
        (pair for pair in parse_qsl(query, keep_blank_values=True) if pair[0] in allowed), key=lambda pair: pair[0]
    )
    return f"{page}?{urlencode(pairs)}" if pairs else page, {name for name, _ in pairs}


class ReadParameters(QueryDict):
    """`request.GET` that remembers which parameters the view read: an answer to an address whose
    parameters the view did not all read (`/?p=123` on the home page) is the page without them,
    and keeping it under every value someone makes up would fill the cache."""

    def __init__(self, *args, **kwargs):
        self.read = set()
        super().__init__(*args, **kwargs)
        self.read = set()  # filling it looked keys up

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def _getlist(self, key, *args, **kwargs):
        self.read.add(key)
        return super()._getlist(key, *args, **kwargs)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


def shared_key(address):
    return PAGE_KEY.format(digest=storage_digest(address))


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


# Set on this process's copy of an entry (a page, a fragment) found current at that epoch of what it
# knows of the key versions (versions.LocalCopy.epoch): not checked again until the epoch moves.
CURRENT_AT = "current at epoch"


class LocalEntries:
    """This process's entries, least recently used dropped first beyond the setting `limit`."""

    def __init__(self, limit):
        self.limit = limit
        self.entries = OrderedDict()

    def get(self, name):
        entry = self.entries.get(name)
        if entry is not None:
            with contextlib.suppress(KeyError):  # dropped by another thread meanwhile
                self.entries.move_to_end(name)
        return entry

    def put(self, name, entry):
        self.entries[name] = entry
        self.entries.move_to_end(name)
        while len(self.entries) > getattr(settings, self.limit):
            self.entries.popitem(last=False)

    def drop(self, name):
        self.entries.pop(name, None)

    def clear(self):
        self.entries.clear()


class LocalPages(LocalEntries):
    """This process's hot pages."""

    def __init__(self):
        super().__init__("PAGE_CACHE_LOCAL_ENTRIES")
        self.not_public = OrderedDict()  # addresses whose view is not a public page (the admin's login, the live poll)
        self.read_once = OrderedDict()  # addresses of the last pages read from beyond this process once

    def put(self, address, entry):
        super().put(address, entry)
        self.not_public.pop(address, None)

    def admit(self, address, entry):
        """A page read from the disk or Redis: kept in this memory at its second read among the last
        PAGE_CACHE_LOCAL_ENTRIES such reads, so that the archive's long tail, each page asked for once in
        a while, does not push out the pages read all the time (the realistic mix at 100,000 articles:
        a worker's memory answers 69 % of requests instead of 62 %, by a simulation of its Zipf draws)."""
        if self.read_once.pop(address, None) is not None:
            self.put(address, entry)
            return
        self.read_once[address] = True
        with contextlib.suppress(KeyError):  # emptied by another thread meanwhile
            while len(self.read_once) > settings.PAGE_CACHE_LOCAL_ENTRIES:
                self.read_once.popitem(last=False)

    def mark_not_public(self, address):
        self.not_public[address] = True
        while len(self.not_public) > settings.PAGE_CACHE_LOCAL_ENTRIES:
            self.not_public.popitem(last=False)

    def clear(self):
        super().clear()
        self.not_public.clear()
        self.read_once.clear()


local_pages = LocalPages()
local_fragments = LocalEntries("PAGE_CACHE_FRAGMENT_ENTRIES")  # this process's fragments (fragments.py)


class DiskPages:
    """Pages shared by the workers of one machine: each a file in `pages/` of the key-versions
    directory, so a page one worker rendered is a hit in the others and the archive's long tail
    stays kept without growing any worker (a 17 KB article page takes about 28 KB with its
    brotli and gzip codings). Files are written whole (a temporary file renamed).

    The folder is bounded (PAGE_CACHE_DISK_MAX_MB): each worker, after writing a sixteenth of the
    bound, sweeps it — pages past their lifetime go, then the least recently read until a tenth
    under the bound — so that it never holds more than the bound and a sixteenth per worker.
    A file's modification time is when it was written, its access time when it was last read."""

    SWEEPS_PER_BOUND = 16
    READ_STAMP_SECONDS = 60  # a page read is stamped at most once a minute: no system call per hit

    def __init__(self, path):
        self.path = Path(path)
        self.directory = str(path)
        self.written = 0  # bytes this process wrote since its last sweep

    def _file(self, address):
        return f"{self.directory}/{storage_digest(address)}"

    def get(self, address):
        # Raw os calls, the size from the one fstat the read stamp needs: half the cost of open().read().
        try:
            descriptor = os.open(self._file(address), os.O_RDONLY)
        except OSError:
            return None
        try:
            stat = os.fstat(descriptor)
            entry = pickle.loads(os.read(descriptor, stat.st_size))  # a short read fails to unpickle: a miss
            self._stamp_read(descriptor, stat)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            return None
        finally:
            os.close(descriptor)
        return entry if type(entry) is dict and entry.get("address") == address else None

    def set(self, address, entry, timeout):
        target = self._file(address)
        temporary = Path(self.directory, f".{Path(target).name}.{os.getpid()}.{threading.get_ident()}")
        # Not compressed as a whole: the page is kept in the codings readers ask for (the entry's
        # `encodings`), so that a hit from disk decompresses nothing.
        data = pickle.dumps({**entry, "address": address}, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
            temporary.write_bytes(data)
            # Stamped by the clock the sweep reads, not the file system's (a network disk's
            # server, a moved clock): a page just written is never taken for an expired one.
            written_at = time.time()
            os.utime(temporary, (written_at, written_at))
            os.replace(temporary, target)
        except OSError:  # a full disk costs hits, never an answer
            temporary.unlink(missing_ok=True)
            return
        self.written += len(data)
        if self.written * self.SWEEPS_PER_BOUND >= self.bound():
            self.sweep()

    @classmethod
    def _stamp_read(cls, descriptor, stat):
        """Its access time set to now by the clock the sweep reads, its written time kept."""
        with contextlib.suppress(OSError):  # a read-only disk still answers
            now = time.time_ns()
            if now - stat.st_atime_ns > cls.READ_STAMP_SECONDS * 1_000_000_000:
                os.utime(descriptor, ns=(now, stat.st_mtime_ns))

    @staticmethod
    def bound():
        return settings.PAGE_CACHE_DISK_MAX_MB * 1024 * 1024

    def sweep(self, now=None):
        """Remove the pages past the longest lifetime a page has (PAGE_CACHE_TIMEOUT), then the
        least recently read while the folder holds more than nine tenths of its bound. One worker
        at a time; the others skip it."""
        self.written = 0
        oldest = (now or time.time()) - settings.PAGE_CACHE_TIMEOUT
        kept, total = [], 0
        with contextlib.suppress(OSError), _sweeping(self.path) as mine:
            if not mine:
                return
            with os.scandir(self.path) as found:
                for item in found:
                    with contextlib.suppress(OSError):
                        stat = item.stat()
                        if stat.st_mtime < oldest:
                            os.unlink(item.path)
                        else:
                            kept.append((stat.st_atime, stat.st_size, item.path))
                            total += stat.st_size
            if total <= self.bound():
                return
            kept.sort()
            for _, size, path in kept:
                if total <= self.bound() * 0.9:
                    break
                with contextlib.suppress(OSError):
                    os.unlink(path)
                total -= size

    def size(self):
        """Bytes the folder holds."""
        with contextlib.suppress(FileNotFoundError), os.scandir(self.path) as found:
            return sum(item.stat().st_size for item in found)
        return 0

    def clear(self):
        self.sweep(now=float("inf"))


@contextlib.contextmanager
def _sweeping(path):
    """Whether this process holds the sweep lock (a file beside the folder), without waiting."""
    descriptor = os.open(f"{path}.sweep", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)


class SharedCachePages:
    """Pages shared by every server through Redis."""

    def get(self, address):
        from .versions import shared_cache

        return shared_cache().get(shared_key(address))

    def set(self, address, entry, timeout):
        from .versions import shared_cache

        shared_cache().set(shared_key(address), entry, timeout)


class DiskThenSharedPages:
    """With Redis and PAGE_CACHE_DISK_PAGES: the machine's disk first (a page another worker of
    this machine kept costs a file read, not a round trip for 30 KB), then Redis, whose pages are
    copied to the disk. Either is served only while its keys are unchanged (middleware.py): a
    page on this disk older than the one another server kept in Redis is rendered again."""

    def __init__(self, disk):
        self.disk, self.shared = disk, SharedCachePages()

    def get(self, address):
        entry = self.disk.get(address)
        if entry is None and (entry := self.shared.get(address)) is not None:
            self.disk.set(address, entry, None)
        return entry

    def set(self, address, entry, timeout):
        self.disk.set(address, entry, timeout)
        self.shared.set(address, entry, timeout)


def shared_pages():
    """Where pages are kept beyond this process: Redis, else (one machine) the local disk when
    PAGE_CACHE_DISK_PAGES is on, else nowhere; with both, the disk in front of Redis."""
    from .versions import one_machine, versions_directory

    disk = _disk_pages(versions_directory()) if settings.PAGE_CACHE_DISK_PAGES else None
    if not one_machine():
        return SharedCachePages() if disk is None else DiskThenSharedPages(disk)
    return disk


@functools.lru_cache(maxsize=16)
def _disk_pages(directory):
    return DiskPages(directory / "pages")
