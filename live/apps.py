from django.apps import AppConfig


class LiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "live"
    verbose_name = "Live coverage"

    def ready(self):
        from . import cache

        cache.declare()

        from articles.views import PAGE_ADDITIONS

        from .views import coverage

        PAGE_ADDITIONS.append(coverage)

    def load_demo(self):
        """Called by `manage.py loaddemo` (articles' command asks every app that has this)."""
        from . import demo

        return demo.load()
