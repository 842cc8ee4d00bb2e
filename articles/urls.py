from django.urls import path, re_path

from . import views

app_name = "articles"

urlpatterns = [
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-\w]+)/$",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
    path("preview/<int:pk>/", views.PreviewView.as_view(), name="preview"),
    path("share/<str:token>/", views.SharedPreviewView.as_view(), name="share"),
    path("authors/<uslug:slug>/", views.AuthorDetailView.as_view(), name="author"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.MonthArchiveView.as_view(), name="archive-month"
    ),
]
