from rest_framework.throttling import AnonRateThrottle

from audit.context import client_ip


class AnonymousRateThrottle(AnonRateThrottle):
    """Per reader address, as the login throttle counts it (TRUSTED_PROXY_COUNT), so a client
    cannot pick a fresh address by sending its own X-Forwarded-For. Answers the page cache
    serves never reach it: they cost no more than a static file."""

    def get_ident(self, request):
        return client_ip(request) or "unknown"
