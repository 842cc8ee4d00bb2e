import os

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from . import views

ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip("/") + "/"

admin.site.site_header = f"{settings.SITE_NAME} newsroom"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("themes/", include("themes.urls")),
    path(ADMIN_PATH, admin.site.urls),
    path("search/", include("search.urls")),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    # One-machine installs keep media on local disk; beyond that, object storage serves it.
    urlpatterns.append(
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
