from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import AnonRateThrottle

from audit.context import client_ip
from search import throttling as search_throttling


class AnonymousRateThrottle(AnonRateThrottle):
    """Per reader address, as the login throttle counts it (TRUSTED_PROXY_COUNT), so a client
    cannot pick a fresh address by sending its own X-Forwarded-For. Answers the page cache
    serves never reach it: they cost no more than a static file. Counted where rate limits
    count (`counters`: the shared cache, or this process while Redis cannot be reached)."""

    cache = ConnectionProxy(caches, "counters")

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class SearchRateThrottle(search_throttling.SearchRateThrottle):
    """Searches that reach the database, limited as the search page limits them (SEARCH_RATE_LIMIT
    a minute per client), counted apart from the page; a key holder by their account. Cached
    answers never reach it."""

    scope = "api-search"

    def ident(self, request):
        return request.user.pk if request.user and request.user.is_authenticated else super().ident(request)
