"""The newsroom's admin site: Django's, with every site-wide address answering to the same
permissions as the model admins behind it."""

import re
from functools import wraps

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import path

from articles.clock import EARLIEST, LATEST

# Date lookups the admin's filters and date hierarchy read from the address. Beyond the years
# the newsroom works in, Python's datetime overflows while the query is built (a 500).
DATE_LOOKUP = re.compile(r"__(?:gte|gt|lte|lt|year)$")
YEAR = re.compile(r"\s*(-?\d+)")


def date_out_of_range(params):
    """The first date parameter whose year is outside the newsroom's calendar, or None."""
    for name, value in params.items():
        year = YEAR.match(value) if DATE_LOOKUP.search(name) else None
        if year and not EARLIEST.year <= int(year.group(1)) <= LATEST.year:
            return name
    return None


class NewsroomAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def bounded(request, *args, **kwargs):
            name = date_out_of_range(request.GET)
            if name:
                return HttpResponseBadRequest(f"The date in “{name}” is outside {EARLIEST.year}–{LATEST.year}.")
            return inner(request, *args, **kwargs)

        return bounded

    def get_urls(self):
        # Django's "view on site" redirects to any object's get_absolute_url() for anyone signed
        # in: it showed writers the address of every draft and minted share tokens. Ours asks
        # the object's own admin whether this user may see it.
        urls = [url for url in super().get_urls() if getattr(url, "name", None) != "view_on_site"]
        guarded = path(
            "r/<path:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        return [guarded, *urls]

    def view_on_site(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, OverflowError, ContentType.DoesNotExist):
            raise Http404("No such object.") from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.view_on_site or not hasattr(model, "get_absolute_url"):
            raise Http404("No such object.")
        try:
            obj = model_admin.get_object(request, unquote(object_id))
        except ValidationError:
            obj = None
        if obj is None or not model_admin.has_view_permission(request, obj):
            raise Http404("No such object.")
        return HttpResponseRedirect(obj.get_absolute_url())
