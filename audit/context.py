"""The request being handled, so that signal handlers (which Django calls without
one) can say who did what, from where."""

from contextlib import contextmanager
from contextvars import ContextVar

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
