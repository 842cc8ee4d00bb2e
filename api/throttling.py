from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

from audit.context import client_ip
from search.ratelimit import client


class AnonymousRateThrottle(AnonRateThrottle):
    """Per reader address, as the login throttle counts it (TRUSTED_PROXY_COUNT), so a client
    cannot pick a fresh address by sending its own X-Forwarded-For. Answers the page cache
    serves never reach it: they cost no more than a static file. Counted where rate limits
    count (`counters`: the shared cache, or this process while Redis cannot be reached)."""

    cache = ConnectionProxy(caches, "counters")

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class SearchRateThrottle(ScopedRateThrottle):
    """Searches that reach the database, limited as the search page limits them: SEARCH_RATE_LIMIT
    a minute per client (an IPv4 address, an IPv6 /64; a key holder by their account), counted
    in the shared cache (Redis: every server together; this process while it cannot be reached).
    Cached answers never reach it. 0: no limit."""

    cache = ConnectionProxy(caches, "counters")

    def get_rate(self):
        limit = settings.SEARCH_RATE_LIMIT
        return f"{limit}/min" if limit > 0 else None

    def get_ident(self, request):
        return client(request)
