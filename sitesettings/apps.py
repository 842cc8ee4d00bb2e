from django.apps import AppConfig


class SiteSettingsConfig(AppConfig):
    name = "sitesettings"
    verbose_name = "Publication"

    def ready(self):
        from pagecache import keys

        from .models import SETTINGS_KEY

        for model in ("sitesettings.SiteSettings", "sitesettings.FollowLink"):
            keys.register(model, lambda pks: {SETTINGS_KEY})
