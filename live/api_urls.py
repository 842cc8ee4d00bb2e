"""The live coverage's endpoints in the content API: api/urls.py mounts them under its own
namespace by name, as the site's URLconf mounts each app's pages, so the API's door imports
no content feature that is built on it."""

from django.urls import path

from pagecache.decorators import public_page

from . import api

urlpatterns = [
    path("articles/<int:pk>/entries/", public_page(api.EntryListView.as_view()), name="entry-list"),
    path("staff/articles/<int:pk>/entries/", api.StaffEntryListView.as_view(), name="staff-entry-list"),
]
