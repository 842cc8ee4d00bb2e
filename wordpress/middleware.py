import re

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.http import urlencode

from articles.models import Article

from .models import LegacyAddress

# The query parameters by which WordPress addresses a post, page, attachment, category, tag or
# author on its home page; `feed` names its feeds (/?feed=rss2).
QUERY_KEYS = ("p", "page_id", "attachment_id", "cat", "tag", "author")
FEEDS = {"": "feeds:rss", "rss2": "feeds:rss", "rss": "feeds:rss", "rdf": "feeds:rss", "atom": "feeds:atom"}
_SITE_FEED = re.compile(r"^/feed/(?:(rss2|rss|rdf|atom)/)?$")
_LIST_FEED = re.compile(r"^/(category|tag|author)/(.+?)/feed/(?:(rss2|rss|atom)/)?$")
_ARCHIVE = re.compile(r"^/(\d{4})/(\d{2})/(?:(\d{2})/)?$")
LIST_FEEDS = {"theme": "feeds:theme-rss", "tag": "feeds:tag-rss", "author": "feeds:author-rss"}


class LegacyAddressMiddleware:
    """Old WordPress addresses answer 301 to the page that replaced them, and an old address
    that names nothing here answers 404 at once. It sits outside the page cache: neither a
    redirect nor such a miss is stored, so random `/?p=` or `/category/x/feed/` fill nothing.
    Costs a query only for a WordPress-shaped address or on a 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        answer = self.wordpress_address(request)
        if answer is not None:
            return answer
        response = self.get_response(request)
        if response.status_code == 404:
            path = request.path
            candidates = [path, path + "/" if not path.endswith("/") else path.rstrip("/")]
            return self.redirect(*candidates) or response
        return response

    def wordpress_address(self, request):
        """The answer to an address only WordPress had, or None to let the newsroom answer."""
        path = request.path
        if path == "/":
            if "feed" in request.GET:
                return self.feed(request.GET["feed"])
            key = next((key for key in QUERY_KEYS if key in request.GET), None)
            if key is None:
                return None
            return self.redirect(f"/?{urlencode({key: request.GET[key]})}") or self.missing()
        if match := _SITE_FEED.match(path):
            return self.feed(match.group(1) or "")
        if match := _LIST_FEED.match(path):
            return self.list_feed(*match.groups())
        if match := _ARCHIVE.match(path):
            year, month, day = match.groups()
            if not (1970 <= int(year) <= 2100 and 1 <= int(month) <= 12 and (day is None or 1 <= int(day) <= 31)):
                return self.missing()
            return HttpResponsePermanentRedirect(reverse("articles:archive-month", args=[year, month]))
        return None

    def missing(self):
        raise Http404("No such WordPress address here")

    def feed(self, kind):
        if kind not in FEEDS:
            self.missing()
        return HttpResponsePermanentRedirect(reverse(FEEDS[kind]))

    def list_feed(self, kind, rest, flavour):
        address = LegacyAddress.objects.filter(path=f"/{kind}/{rest}/").select_related("theme", "tag", "author").first()
        target = address and next((name for name in LIST_FEEDS if getattr(address, f"{name}_id")), None)
        if target is None:
            self.missing()
        name = LIST_FEEDS[target].replace("-rss", "-atom") if flavour == "atom" else LIST_FEEDS[target]
        return HttpResponsePermanentRedirect(reverse(name, kwargs={"slug": getattr(address, target).slug}))

    def redirect(self, *paths):
        # No address holds a NUL, and PostgreSQL refuses one in a query (a 500 for `/%00/`).
        paths = [path[:500] for path in paths if "\x00" not in path]
        address = (
            LegacyAddress.objects.filter(path__in=paths).select_related("theme", "tag", "author", "page").first()
            if paths
            else None
        )
        target = new_address(address) if address else None
        return HttpResponsePermanentRedirect(target) if target else None


def new_address(address, *, public_only=True):
    """Where a legacy address leads now: None for an article that is not live or an unpublished
    page (an old address never reveals a draft)."""
    if address.article_id:
        articles = Article.objects.live() if public_only else Article.all_objects
        article = articles.filter(pk=address.article_id).first()
        return article.get_absolute_url() if article else None
    if address.page_id:
        return address.page.path if address.page.is_published or not public_only else None
    if address.theme_id:
        return address.theme.get_absolute_url()
    if address.author_id:
        return address.author.get_absolute_url()
    return reverse("articles:tag", kwargs={"slug": address.tag.slug})
