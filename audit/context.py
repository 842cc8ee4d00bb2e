"""The request being handled, so that signal handlers (which Django calls without
one) can say who did what, from where."""

import ipaddress
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_request = ContextVar("audit_request", default=None)
_paused = ContextVar("audit_paused", default=False)


def current_request():
    return _request.get()


def is_paused():
    return _paused.get()


@contextmanager
def paused():
    """Record nothing inside: restoring a backup re-creates group memberships, it does
    not change anyone's permissions."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


@contextmanager
def handling(request):
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def client_ip(request):
    """The reader's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front,
    the address the outermost trusted proxy saw (counting from the right of
    X-Forwarded-For, because everything left of it is whatever the client sent)."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
