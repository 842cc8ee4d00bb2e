"""What the page cache needs to know about themes: `theme:<id>` for a theme's own fields
(name, summary, pinned article), `navigation` for the list of current themes every page
shows, and the moments a theme turns dormant by the clock alone."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef

from articles.models import Article
from pagecache import keys
from pagecache.signals import record_loads
from pagecache.surrogates import NAVIGATION, list_key, theme_key

from .models import Theme, dormant_since, forget_activity, navigation, theme_activity


def theme_keys(pks):
    return {theme_key(pk) for pk in pks} | {list_key("theme", pk) for pk in pks} | {NAVIGATION}


def navigation_changed(fields=frozenset(), **kwargs):
    """After an article is saved or deleted: the navigation again, and `navigation` invalidated
    only if it differs from the one pages show (a theme revived or gone quiet), as recorded by the
    page cache for every process. Publishing in a theme that is already current drops no page;
    a live entry (`entries` alone) changes no theme's activity."""
    if fields == {"entries"}:
        return
    forget_activity()
    keys.invalidate_if_changed(NAVIGATION, shown_navigation())


def shown_navigation():
    return [(theme["id"], theme["name"], theme["slug"]) for theme in navigation()]


def revived(after, until):
    """Whether an article going live in (after, until] brought an active theme back from dormancy:
    its theme had no live article in the THEME_DORMANT_DAYS before `after`."""
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
    return ({NAVIGATION} if due else set()), min(upcoming, default=None)


def declare():
    keys.register("themes.Theme", theme_keys)
    record_loads(Theme, theme_key)
