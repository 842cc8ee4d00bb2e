from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Static pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pagecache import keys
        from pagecache.surrogates import page_key

        keys.register("pages.Page", lambda pks: {page_key(pk) for pk in pks})
