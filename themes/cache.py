"""What the page cache needs to know about themes: `theme:<id>` for a theme's own fields
(name, summary, pinned article), `navigation` for the list of current themes every page
shows, and the moments a theme turns dormant by the clock alone."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef

from pagecache import keys
from pagecache.signals import record_loads

from .models import Theme, dormant_since, forget_activity, navigation, theme_activity


def theme_keys(pks):
    return {f"theme:{pk}" for pk in pks} | {f"list:theme:{pk}" for pk in pks} | {"navigation"}


SHOWN_KEY = "themes:navigation:shown"  # the navigation as pages last showed it


def navigation_changed(**kwargs):
    """After an article is saved or deleted: the navigation again, and `navigation` invalidated
    only if it differs from the one pages show (a theme revived or gone quiet). Publishing in a
    theme that is already current drops no page for it."""
    forget_activity()
    if shown_navigation_changed():
        keys.invalidate({"navigation"})


def shown_navigation_changed():
    """Whether the navigation differs from the one this process last saw pages show (recorded
    now). Without Redis each process keeps its own: its first save invalidates `navigation`."""
    current = [(theme["id"], theme["name"], theme["slug"]) for theme in navigation()]
    if cache.get(SHOWN_KEY) == current:
        return False
    cache.set(SHOWN_KEY, current, None)
    return True


def revived(after, until):
    """Whether an article going live in (after, until] brought an active theme back from dormancy:
    its theme had no live article in the THEME_DORMANT_DAYS before `after`."""
    from articles.models import Article

    recent = Article.objects.live(after).filter(
        theme=OuterRef("theme"), publish_at__gt=after - timedelta(days=settings.THEME_DORMANT_DAYS)
    )
    going_live = Article.objects.live(until).filter(publish_at__gt=after, theme__is_active=True)
    return going_live.filter(~Exists(recent)).exists()


def schedule(after, until):
    """`navigation` when a theme turned dormant in (after, until] or came back (an article of a
    dormant theme went live by the clock), and the next moment a theme turns dormant."""
    moments = [dormant_since(theme["latest"]) for theme in theme_activity(until)]
    due = any(moment and after < moment <= until for moment in moments)
    due = due or (after < until and revived(after, until))
    upcoming = [moment for moment in moments if moment and moment > until]
    return ({"navigation"} if due else set()), min(upcoming, default=None)


def declare():
    keys.register("themes.Theme", theme_keys)
    record_loads(Theme, "theme")
