from django.http import Http404
from django.shortcuts import render

from pagecache.decorators import public_page
from pagecache.keys import shows
from pagecache.surrogates import page_key

from .models import Page


@public_page
def page(request, path):
    found = Page.objects.published().filter(path=f"/{path}").first()
    if found is None:
        raise Http404("No such page")  # not stored: only a view's own answers are (public_page)
    shows(page_key(found.pk))
    return render(request, "pages/page.html", {"page": found})
