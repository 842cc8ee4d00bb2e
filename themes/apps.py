from django.apps import AppConfig

from articles.events import article_changed


class ThemesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "themes"

    def ready(self):
        from . import cache

        # An article saved, moved between themes, approved or withdrawn can change which
        # themes are dormant and their first and latest dates.
        article_changed.connect(cache.navigation_changed, dispatch_uid="themes.navigation")
        cache.declare()
