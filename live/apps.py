from django.apps import AppConfig


class LiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "live"
    verbose_name = "Live coverage"

    def ready(self):
        from . import cache

        cache.declare()
        connect_events()

        from articles.views import PAGE_ADDITIONS

        from .views import coverage

        PAGE_ADDITIONS.append(coverage)

    def load_demo(self):
        """Called by `manage.py loaddemo` (articles' command asks every app that has this)."""
        from . import demo

        return demo.load()


def connect_events():
    """A live article is found by its public entries' words (titles and text) as well as its own:
    an entry saved or deleted is a change to its article (`entries`), announced once with the rest
    of its transaction, and the article is indexed again with the entries public then (a scheduled
    entry at its second: live/cache.py's schedule announces it)."""
    from django.db.models.signals import post_delete, post_save

    from articles import events
    from articles.models import FOUND_BY

    from .models import Entry

    def entry_changed(sender, instance, using="default", **kwargs):
        events.changed([instance.article_id], {"entries"}, using)

    for signal in (post_save, post_delete):
        signal.connect(entry_changed, sender=Entry, weak=False, dispatch_uid=f"live.events.entry.{signal}")

    from .found import EntriesFound

    FOUND_BY.append(EntriesFound())
