"""A per-client limit on searches that reach the database (cached answers never count), as
Django REST framework's throttles count: SEARCH_RATE_LIMIT in any 60 seconds per client (an
IPv4 address, an IPv6 /64), 0 for none. Counted where rate limits count (the `counters` cache):
shared by every server with Redis, per process with the local-memory cache or while Redis
cannot be reached (so a machine's limit is then that times its workers)."""

import ipaddress
import math

from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import SimpleRateThrottle

from audit.context import client_ip


def client(request):
    """The client's address; an IPv6 client by its /64, which one subscriber usually holds whole."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6 and not parsed.ipv4_mapped:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address


class SearchRateThrottle(SimpleRateThrottle):
    """The search page's limit; the API's search (api/throttling.py) counts apart, by key holder
    where there is one. Made anew per request: the rate is read from the settings when made."""

    scope = "search"
    cache = ConnectionProxy(caches, "counters")

    def get_rate(self):
        limit = settings.SEARCH_RATE_LIMIT
        return f"{limit}/min" if limit > 0 else None

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident(request)}

    def ident(self, request):
        return client(request)


def seconds_to_wait(request):
    """None when this client may search now, else how many whole seconds until it may."""
    throttle = SearchRateThrottle()
    if throttle.allow_request(request, None):
        return None
    return max(1, math.ceil(throttle.wait() or throttle.duration))
