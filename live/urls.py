from django.urls import path, re_path

from . import views

app_name = "live"

urlpatterns = [
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-\w]+)/entries/(?P<entry_id>[0-9]+)/$",
        views.EntryDetailView.as_view(),
        name="entry",
    ),
    path("live/<int:article_id>/since/<int:since>/", views.PollView.as_view(), name="poll"),
]
