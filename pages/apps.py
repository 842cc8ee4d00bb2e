from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Static pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pagecache import keys
        from sitesettings.models import SETTINGS_KEY

        # A page may be linked in every page's footer, which is kept under the site settings' key.
        keys.register("pages.Page", lambda pks: {f"page:{pk}" for pk in pks} | {SETTINGS_KEY})
