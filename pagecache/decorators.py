from functools import wraps

from .keys import shows as record


def public_page(view=None, *, revalidate=False, shows=()):
    """Mark a view's answers as the same for every anonymous reader, so that
    PageCacheMiddleware may keep them. The view itself can still refuse per
    answer with `Cache-Control: private` (previews) or by setting a cookie.

    `revalidate=True` (pages readers keep open, such as articles) tells browsers to
    check back every time (max-age=0 with an ETag), so a withdrawn page is never
    shown from a browser's cache. `shows` names keys every answer shows (a sitemap
    lists every article: `article:*`)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            record(*shows)
            response = view(request, *args, **kwargs)
            response.public_page = True
            response.revalidate = revalidate
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
