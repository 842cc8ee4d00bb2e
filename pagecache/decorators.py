from functools import wraps


def public_page(view):
    """Mark a view's answers as the same for every anonymous reader, so that
    PageCacheMiddleware may keep them. The view itself can still refuse per
    answer with `Cache-Control: private` (previews) or by setting a cookie."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = True
        return response

    return wrapper
