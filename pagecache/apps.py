from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pagecache"
    verbose_name = "Public page cache"

    def ready(self):
        # Listed after the content apps, which declared their keys in their own ready().
        from . import signals

        signals.connect()
