"""Brotli or gzip for public pages, when no proxy in front compresses them.

Static files are compressed once, by `collectstatic` (WhiteNoise writes .br and .gz beside
each file and serves them); this middleware compresses what views render.

BREACH: an attacker who can put text into a page and watch its compressed size can
recover a secret in the same page. So only pages without secrets are compressed: none
that sets a cookie, uses a CSRF token, is private, or answers a request carrying a
session. The admin and every signed-in page leave uncompressed; readers' pages, feeds
and sitemaps, the bulk of the traffic, are compressed.
"""

import gzip
import re
from functools import lru_cache

import brotli
from django.conf import settings
from django.utils.cache import patch_vary_headers

COMPRESSIBLE_TYPES = re.compile(
    r"^(text/|application/(json|xml|javascript|rss\+xml|atom\+xml|ld\+json)|image/svg\+xml)", re.IGNORECASE
)
MIN_SIZE = 512  # smaller answers do not gain from it


@lru_cache(maxsize=64)  # browsers send a handful of different headers
def accepted_encodings(header):
    """The codings of an Accept-Encoding header that are not refused with q=0."""
    accepted = set()
    for part in header.lower().split(","):
        coding, _, params = part.strip().partition(";")
        refused = re.search(r"\bq\s*=\s*0(\.0*)?\s*$", params)
        if coding.strip() and not refused:
            accepted.add(coding.strip())
    return frozenset(accepted)


@lru_cache(maxsize=256)
def compressed(coding, content):
    """`content` compressed. Kept for the same bytes: a page served from the page cache
    is compressed once, not on every hit."""
    if coding == "br":
        return brotli.compress(content, quality=5)  # 1.4 ms for the 32 KB demo home page (to 5 KB)
    return gzip.compress(content, compresslevel=6, mtime=0)


CODINGS = ("br", "gzip")


def encodings(request, response):
    """The page cache's hook (PAGE_CACHE_ENCODINGS): `response`'s body in every coding a reader may
    ask for, made once when the page is kept, so that a hit writes stored bytes (from memory, disk
    or Redis alike) and compresses and decompresses nothing. {} when it is not to be compressed."""
    if not PublicCompressionMiddleware.compressible(request, response):
        return {}
    found = {coding: compressed(coding, response.content) for coding in CODINGS}
    return {coding: body for coding, body in found.items() if len(body) < len(response.content)}


class PublicCompressionMiddleware:
    """Placed outside the page cache (before it in MIDDLEWARE), so that cached pages are
    stored whole and each copy is compressed for what its reader accepts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A page the page cache keeps: whether it may be compressed was decided when it was kept,
        # its codings made then, and its Vary names Accept-Encoding.
        kept = getattr(response, "encodings", None)
        if kept is None or not settings.COMPRESS_PAGES:
            if not self.compressible(request, response):
                return response
            patch_vary_headers(response, ("Accept-Encoding",))
        codings = accepted_encodings(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        coding = "br" if "br" in codings else "gzip" if "gzip" in codings else None
        if coding is None:
            return response
        body = kept.get(coding) if kept is not None else compressed(coding, response.content)
        if body is None or len(body) >= len(response.content):
            return response
        response.content = body
        response["Content-Encoding"] = coding
        response["Content-Length"] = str(len(body))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag  # the bytes differ from the uncompressed answer's
        return response

    @staticmethod
    def compressible(request, response):
        if not settings.COMPRESS_PAGES or response.streaming or response.has_header("Content-Encoding"):
            return False
        if len(response.content) < MIN_SIZE or not COMPRESSIBLE_TYPES.match(response.get("Content-Type", "")):
            return False
        cache_control = response.get("Cache-Control", "").lower()
        return not (
            response.cookies
            or "private" in cache_control
            or request.META.get("CSRF_COOKIE_USED")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        )
