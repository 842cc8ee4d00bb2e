import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from . import pages

# Answers for which a stored copy is the same for every anonymous reader.
CACHEABLE_STATUSES = {200, 301, 404, 410}
# Set on every answer by the cache, not stored with the page.
UNSTORED_HEADERS = {"cache-control", "expires", "set-cookie", "age"}


class PageCacheMiddleware:
    """Serves public pages from the cache before sessions, CSRF, auth and URL
    resolution run, and stores what views marked with `public_page` render.

    It sits right after WhiteNoise: a cached page costs a generation read (the shared cache,
    or a small file with the local-memory cache), one cache read and no SQL.
    Anyone with a session (staff, previews, logged-in readers) always gets a fresh page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request):
            return self.get_response(request)
        now = time.time()
        generation = pages.current_generation()
        key = pages.page_key(generation, request)
        entry = cache.get(key)
        if entry is not None and now < entry["valid_until"]:
            return self.from_entry(request, entry, now)
        response = self.get_response(request)
        if self.storable(request, response):
            until = pages.valid_until(generation, now)
            patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
            response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
            response["Last-Modified"] = http_date(now)
            response["Cache-Control"] = pages.cache_control(until, now)
            if until > now + 1:
                cache.set(key, self.to_entry(response, until), int(until - now))
            response["X-Page-Cache"] = "miss"
            return conditional(request, response)
        return response

    def applies(self, request):
        return (
            settings.PAGE_CACHE_ENABLED
            and request.method == "GET"
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
        )

    def storable(self, request, response):
        if not getattr(response, "public_page", False) or response.streaming:
            return False
        if response.status_code not in CACHEABLE_STATUSES or response.cookies:
            return False
        control = response.get("Cache-Control", "").lower()
        if any(word in control for word in ("private", "no-store", "no-cache")):
            return False
        if "*" in response.get("Vary", ""):
            return False
        # A page that used the CSRF token carries one reader's secret.
        return not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")

    def to_entry(self, response, until):
        return {
            "status": response.status_code,
            "content": response.content,
            "headers": [(k, v) for k, v in response.items() if k.lower() not in UNSTORED_HEADERS],
            "valid_until": until,
        }

    def from_entry(self, request, entry, now):
        response = HttpResponse(entry["content"], status=entry["status"])
        for header, value in entry["headers"]:
            response[header] = value
        response["Cache-Control"] = pages.cache_control(entry["valid_until"], now)
        response["X-Page-Cache"] = "hit"
        return conditional(request, response)


def conditional(request, response):
    """304 Not Modified when the reader's copy (ETag, else Last-Modified) is current."""
    if "HTTP_IF_NONE_MATCH" not in request.META and "HTTP_IF_MODIFIED_SINCE" not in request.META:
        return response
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(request, etag=response.get("ETag"), last_modified=last_modified, response=response)
