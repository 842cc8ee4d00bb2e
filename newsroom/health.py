"""Probes for load balancers and orchestrators, and the page people get when the server
cannot write.

/healthz: the process answers (touches nothing else). /readyz: everything a request may
need to write works: the database takes writes, media storage takes a file, the cache
answers, the page cache can record invalidations (a server that cannot would serve every
page uncached), and the disks hold more than READYZ_MIN_FREE_MB. Otherwise it answers 503 naming
what failed, and the server is taken out of rotation. Except the shared cache (Redis): every
server loses it at once, so a 503 would take the whole site out of the load balancer while it
still works without it (uncached, newsroom/cache.py). Then /readyz answers 200 with the status
"degraded" and names what fails, for monitoring to alert on. Both are answered before host
validation and the HTTPS redirect, because probes come straight to the server's address
over plain HTTP; they name what failed, never a path or an error text.
"""

import errno
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import DatabaseError, connections
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Writing a file to object storage costs a request: once per this many seconds per process.
MEDIA_CHECK_INTERVAL = 30
_media_checked = {"at": float("-inf"), "ok": True}


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    checks = {
        "database": _database_writable(),
        "media": _media_writable(),
        "cache": _cache_ready(),
        "disk": _disk_free(),
        "page_cache": _page_cache_ready(),
    }
    failing = [name for name, ok in checks.items() if not ok]
    # What the site runs without: the shared cache, and the page cache when its store is that cache.
    degradable = {"cache", "page_cache"} if not isinstance(caches["default"], LocMemCache) else {"cache"}
    unavailable = set(failing) - degradable
    return JsonResponse(
        {
            "status": "unavailable" if unavailable else "degraded" if failing else "ok",
            **{name: "ok" if ok else "failing" for name, ok in checks.items()},
            **({"failing": failing} if failing else {}),
        },
        status=503 if unavailable else 200,
    )


def _database_writable():
    """The database answers and would take a write: SQLite gives this process its write
    lock (a read-only file or a locked database refuses), PostgreSQL is a writable primary."""
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite" and not connection.in_atomic_block:
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("ROLLBACK")
            elif connection.vendor == "postgresql":
                cursor.execute("SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'")
                return cursor.fetchone() == (True,)
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Readiness: the database does not take writes")
        return False


def _media_writable():
    now = time.monotonic()
    if now - _media_checked["at"] < MEDIA_CHECK_INTERVAL and _media_checked["ok"]:
        return True
    try:
        name = default_storage.save(".readyz/probe", ContentFile(b"ok"))
        default_storage.delete(name)
        ok = True
    except Exception:
        logger.exception("Readiness: media storage does not take a file")
        ok = False
    _media_checked.update(at=now, ok=ok)
    return ok


def _cache_ready():
    try:
        cache.set("readyz", "ok", 10)
        return cache.get("readyz") == "ok"
    except Exception:
        logger.exception("Readiness: the cache does not answer")
        return False


def watched_folders():
    """The local folders requests write to: media on disk, the SQLite database's, temporary files."""
    folders = {"temporary files": Path(tempfile.gettempdir())}
    if isinstance(storages["default"], FileSystemStorage):
        folders["media"] = Path(storages["default"].location)
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and str(database["NAME"]) != ":memory:":
        folders["database"] = Path(database["NAME"]).parent
    return folders


def _disk_free():
    minimum = settings.READYZ_MIN_FREE_MB * 1024 * 1024
    ok = True
    for label, folder in watched_folders().items():
        try:
            free = shutil.disk_usage(folder if folder.exists() else folder.parent).free
        except OSError:
            logger.exception("Readiness: cannot measure the free space of %s (%s)", label, folder)
            ok = False
            continue
        if free < minimum:
            logger.error(
                "Readiness: %s (%s) has %d MB free, below READYZ_MIN_FREE_MB=%d",
                label,
                folder,
                free // 2**20,
                settings.READYZ_MIN_FREE_MB,
            )
            ok = False
    return ok


def _page_cache_ready():
    """The key versions can be written, and no invalidation is waiting for that (pagecache)."""
    from pagecache.models import PendingPurge
    from pagecache.purge import drain
    from pagecache.versions import store

    try:
        store().check_writable()
        if PendingPurge.objects.filter(target="local").exists():
            drain(target="local")
        return not PendingPurge.objects.filter(target="local").exists()
    except Exception:
        logger.exception("Readiness: the page cache cannot record invalidations")
        return False


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info.rstrip("/"))
        if probe and request.method in ("GET", "HEAD"):
            response = probe(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


# --- When the server cannot write ------------------------------------------------------------

# OSError numbers that mean "no room, or not writable": the server's state, not the request.
CANNOT_WRITE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}
# SQLite's and PostgreSQL's words for the same.
CANNOT_WRITE_MESSAGES = (
    "database or disk is full",
    "disk i/o error",
    "attempt to write a readonly database",
    "database is locked",
    "no space left on device",
    "read-only transaction",
    "could not extend file",
)


# PostgreSQL's codes for the same, whatever the language of its messages (lc_messages):
# read_only_sql_transaction (a read-only primary, a standby) and class 53, insufficient resources
# (disk full, out of memory, too many connections).
CANNOT_WRITE_SQLSTATES = ("25006", "53")


def cannot_write(error):
    """Whether `error` (or what caused it) says the server cannot write just now."""
    while error is not None:
        if isinstance(error, OSError) and error.errno in CANNOT_WRITE:
            return True
        if isinstance(error, DatabaseError) and any(words in str(error).lower() for words in CANNOT_WRITE_MESSAGES):
            return True
        if str(getattr(error, "sqlstate", None) or "").startswith(CANNOT_WRITE_SQLSTATES):  # psycopg's own error
            return True
        error = error.__cause__ or error.__context__
    return False


RETRY_AFTER = "120"  # seconds


def server_error(request):
    """handler500: a full disk or a database that cannot write is a 503 with a page saying
    so (try again soon, nothing was saved), not "something went wrong"; in JSON for the API."""
    if cannot_write(sys.exc_info()[1]):
        if request.path_info.startswith("/api/"):
            detail = "The newsroom cannot save anything just now. Nothing was saved: try again in a few minutes."
            response = JsonResponse({"detail": detail, "code": "unavailable"}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", request=None), status=503)
        response["Retry-After"] = RETRY_AFTER
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(render_to_string("500.html", request=None))
