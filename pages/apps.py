from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Static pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pagecache import keys
        from pagecache.surrogates import SETTINGS, page_key

        from .models import Page

        keys.register("pages.Page", lambda pks: {page_key(pk) for pk in pks})
        # The footer's page links are read with the site settings (sitesettings.current): a change
        # to a page the footer links, before or after it, is a change to them. Other pages' edits
        # leave every other page cached.
        keys.register(
            "pages.Page", lambda pks: {SETTINGS} if Page.objects.filter(pk__in=pks, in_footer=True).exists() else set()
        )
