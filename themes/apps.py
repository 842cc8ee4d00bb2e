from django.apps import AppConfig


class ThemesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "themes"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from articles.models import Article

        from .models import forget_activity

        # An article saved, moved between themes, approved or withdrawn can change which
        # themes are dormant and their first and latest dates.
        post_save.connect(forget_activity, sender=Article, dispatch_uid="themes.forget_activity.save")
        post_delete.connect(forget_activity, sender=Article, dispatch_uid="themes.forget_activity.delete")
