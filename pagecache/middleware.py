import hashlib
import logging
import time

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string

from . import keys, pages, purge, versions

logger = logging.getLogger(__name__)

# Answers kept: a page and a withdrawn article's notice. Not a 404 or 400, nor a 301 (an article's
# slug under any date): anyone can make up such addresses without end (`?page=99`, unknown ids),
# and keeping their answers would fill the cache; each costs a query or none to answer again.
CACHEABLE_STATUSES = {200, 410}
# Set on every answer by the cache, not stored with the page.
UNSTORED_HEADERS = {"cache-control", "expires", "set-cookie", "age", "x-page-cache"}


class PageCacheMiddleware:
    """Serves public pages from this process's memory (then the shared cache) before sessions,
    CSRF, auth and URL resolution run, and stores what views marked with `public_page` render,
    with the surrogate keys they recorded.

    It sits right after WhiteNoise. A cached page costs no SQL and, within
    PAGE_CACHE_SYNC_INTERVAL of the last look at the key versions, no round trip at all.
    Anyone with a session (staff, previews, logged-in readers) always gets a fresh page,
    and their pages are never stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request):
            return self.get_response(request)
        address, parameters = pages.address(request)
        if address in pages.local_pages.not_public:  # the admin's login, the live poll: no key versions to read
            return self.get_response(request)
        now = time.time()
        counter, changed = versions.local.current(now)
        if counter is None:
            # The key versions cannot be read or written: never risk a stale page.
            return self.get_response(request)
        try:
            next_moment = keys.schedule.due(now, counter, changed)
        except Exception:
            logger.exception("Page cache: could not look at the schedule, pages are rendered fresh")
            return self.get_response(request)
        entry = self.lookup(address, now) if settings.PAGE_CACHE_KEEP_PAGES else None
        if entry is not None:
            return self.from_entry(request, entry, now, next_moment)
        if parameters:
            # The raw bytes, as Django's own request.GET reads them (WSGI gives them as Latin-1 text).
            raw = request.META["QUERY_STRING"].encode("iso-8859-1", "replace")
            request.GET = pages.ReadParameters(raw, encoding=request.encoding)
        token = keys.start_recording(counter)
        try:
            response = self.get_response(request)
        finally:
            recorded = keys.stop_recording(token)
        if not getattr(response, "public_page", False):
            if response.status_code == 200:  # the admin's login, the live poll: skip the lookup next time
                pages.local_pages.mark_not_public(address)
            return response
        if not self.storable(request, response) or not parameters <= getattr(request.GET, "read", parameters):
            return response
        valid_until = min(now + settings.PAGE_CACHE_TIMEOUT, pages.next_new_year(now))
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
        header, separator = purge.key_header()
        if header and recorded:
            response[header] = separator.join(sorted(recorded))
        entry = self.to_entry(request, response, recorded, counter, valid_until, getattr(response, "revalidate", False))
        response["Cache-Control"] = self.cache_control(entry, now, next_moment)
        response.encodings = entry["encodings"]
        # The versions its keys lack are written before the page (versions.py), or it is not kept.
        if valid_until > now + 1 and settings.PAGE_CACHE_KEEP_PAGES and versions.local.settle(entry["keys"]):
            pages.local_pages.put(address, entry)
            if (shared := pages.shared_pages()) is not None:
                shared.set(address, entry, int(valid_until - now))
            if settings.PAGE_CACHE_PURGE == "cloudfront":
                purge.remember_paths(recorded, request.get_full_path())
        response["X-Page-Cache"] = "miss"
        return conditional(request, response)

    def applies(self, request):
        return (
            settings.PAGE_CACHE_ENABLED
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
        )

    def lookup(self, address, now):
        entry = pages.local_pages.get(address)
        if entry is None and (shared := pages.shared_pages()) is not None:
            entry = shared.get(address)
            if entry is not None:
                pages.local_pages.admit(address, entry)
        if entry is None:
            return None
        epoch = versions.local.epoch
        if now < entry["valid_until"] and (
            entry.get(pages.CURRENT_AT) == epoch or versions.local.is_current(entry["keys"], entry["counter"])
        ):
            entry[pages.CURRENT_AT] = epoch  # this process's copy: checked again once a version it knows moves
            return entry
        pages.local_pages.drop(address)
        return None

    def storable(self, request, response):
        if response.streaming or response.status_code not in CACHEABLE_STATUSES or response.cookies:
            return False
        control = response.get("Cache-Control", "").lower()
        if any(word in control for word in ("private", "no-store", "no-cache")):
            return False
        if "*" in response.get("Vary", ""):
            return False
        # A page that used the CSRF token carries one reader's secret.
        return not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")

    def to_entry(self, request, response, recorded, counter, valid_until, revalidate):
        return {
            "status": response.status_code,
            "content": response.content,
            # The body in the codings readers ask for (brotli, gzip), made once: a hit compresses nothing.
            "encodings": import_string(settings.PAGE_CACHE_ENCODINGS)(request, response)
            if settings.PAGE_CACHE_ENCODINGS
            else {},
            "headers": [(k, v) for k, v in response.items() if k.lower() not in UNSTORED_HEADERS],
            "keys": frozenset(recorded),
            "counter": counter,
            "valid_until": valid_until,
            "revalidate": revalidate or response.status_code == 410,
        }

    def cache_control(self, entry, now, next_moment):
        return pages.cache_control(
            now=now,
            valid_until=entry["valid_until"],
            next_moment=next_moment,
            revalidate=entry["revalidate"],
            purged=bool(settings.PAGE_CACHE_PURGE),
        )

    def from_entry(self, request, entry, now, next_moment):
        response = HttpResponse(entry["content"], status=entry["status"])
        # Headers checked (Latin-1, no line breaks) when the page was answered first: added as
        # ResponseHeaders keeps them, not checked again on every hit.
        response.headers._store.update((header.lower(), (header, value)) for header, value in entry["headers"])
        response.encodings = entry.get("encodings", {})
        response["Cache-Control"] = self.cache_control(entry, now, next_moment)
        response["X-Page-Cache"] = "hit"
        return conditional(request, response)


def conditional(request, response):
    """304 Not Modified when the reader's copy (ETag, else Last-Modified) is current."""
    if "HTTP_IF_NONE_MATCH" not in request.META and "HTTP_IF_MODIFIED_SINCE" not in request.META:
        return response
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(request, etag=response.get("ETag"), last_modified=last_modified, response=response)
