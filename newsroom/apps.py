from django.apps import AppConfig, apps
from django.contrib.admin import apps as admin_apps
from django.core.signals import request_finished
from django.db.models.signals import post_migrate


class NewsroomConfig(AppConfig):
    name = "newsroom"

    def ready(self):
        from articles import slugs  # noqa: F401 - registers <uslug:…> before any URLconf loads

        from . import database

        # post_migrate is sent once per app with models; the articles' is the one that matters.
        post_migrate.connect(database.analyze, sender=apps.get_app_config("articles"))
        request_finished.connect(database.optimize)


class NewsroomAdminConfig(admin_apps.AdminConfig):
    default = False  # listed by its path in INSTALLED_APPS, in place of django.contrib.admin
    default_site = "newsroom.admin_site.NewsroomAdminSite"
