from django.apps import AppConfig


class ThemesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "themes"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from articles.models import Article

        from . import cache

        # An article saved, moved between themes, approved or withdrawn can change which
        # themes are dormant and their first and latest dates.
        post_save.connect(cache.navigation_changed, sender=Article, dispatch_uid="themes.navigation.save")
        post_delete.connect(cache.navigation_changed, sender=Article, dispatch_uid="themes.navigation.delete")
        cache.declare()
