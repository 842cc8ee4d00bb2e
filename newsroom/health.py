"""Probes for load balancers and orchestrators.

/healthz: the process answers (touches nothing else). /readyz: the database and the
cache answer too, and the page cache can record invalidations (a server that cannot would
serve every page uncached), so a server that lost any of them is taken out of rotation (503).
They are answered before host validation and the HTTPS redirect, because probes
come straight to the server's address over plain HTTP."""

import logging

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    checks = {"database": _database_ready(), "cache": _cache_ready(), "page_cache": _page_cache_ready()}
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            **{name: "ok" if ok else "failing" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )


def _database_ready():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Readiness: the database does not answer")
        return False


def _cache_ready():
    try:
        cache.set("readyz", "ok", 10)
        return cache.get("readyz") == "ok"
    except Exception:
        logger.exception("Readiness: the cache does not answer")
        return False


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
