from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Static pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pagecache import keys

        keys.register("pages.Page", lambda pks: {f"page:{pk}" for pk in pks})
