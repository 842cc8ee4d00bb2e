from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.http import urlencode

from articles.models import Article

from .models import LegacyAddress

# The query parameters by which WordPress addresses a post, page, category or tag on its home page.
QUERY_KEYS = ("p", "page_id", "cat", "tag")


class LegacyAddressMiddleware:
    """Old WordPress addresses answer 301 to the page that replaced them. Sits outside the page
    cache, so a cached 404 still becomes the redirect; costs a query only on a 404 or on a
    home-page address with WordPress's `?p=`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path == "/":
            key = next((key for key in QUERY_KEYS if key in request.GET), None)
            if key:
                redirect = self.redirect(f"/?{urlencode({key: request.GET[key]})}")
                if redirect:
                    return redirect
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            path = request.path
            candidates = [path, path + "/" if not path.endswith("/") else path.rstrip("/")]
            return self.redirect(*candidates) or response
        return response

    def redirect(self, *paths):
        # No address holds a NUL, and PostgreSQL refuses one in a query (a 500 for `/%00/`).
        paths = [path[:500] for path in paths if "\x00" not in path]
        address = LegacyAddress.objects.filter(path__in=paths).select_related("theme", "tag").first() if paths else None
        if address is None:
            return None
        if address.article_id:
            article = Article.objects.live().filter(pk=address.article_id).first()
            target = article.get_absolute_url() if article else None
        elif address.theme_id:
            target = address.theme.get_absolute_url()
        else:
            target = reverse("articles:tag", kwargs={"slug": address.tag.slug})
        return HttpResponsePermanentRedirect(target) if target else None
