"""A per-client limit on searches that reach the database (cached answers never count).

A fixed window per minute where rate limits count (the `counters` cache): shared by every
server with Redis, per process with the local-memory cache or while Redis cannot be reached
(so a machine's limit is then that times its workers)."""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import caches

from audit.context import client_ip

WINDOW_SECONDS = 60


def client(request):
    """The client's address; an IPv6 client by its /64, which one subscriber usually holds whole."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6 and not parsed.ipv4_mapped:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address


def seconds_to_wait(request):
    """None when this client may search now, else how many seconds until it may."""
    limit = settings.SEARCH_RATE_LIMIT
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"search:rate:{client(request)}:{window}"
    cache = caches["counters"]
    if cache.add(key, 1, WINDOW_SECONDS + 5):
        return None
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, WINDOW_SECONDS + 5)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
