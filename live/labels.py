"""What readers' templates ask of live coverage (registered as Jinja2 globals, newsroom/jinja2.py)."""

from datetime import UTC

from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from markupsafe import Markup

from pagecache.keys import shows

from .cache import coverage_key
from .models import Entry


def entry_time(value, day=True):
    """`<time>` of an entry: "14:32 EET", with the day ("Thu 31 December") unless `day=False`;
    always the newsroom's zone, the UTC second for machines."""
    if not value:
        return ""
    local = timezone.localtime(value)
    text = f"{local.hour:02d}:{local.minute:02d} {local.tzname()}"
    if day:
        text += f" · {WEEKDAYS_ABBR[local.weekday()]} {local.day} {MONTHS[local.month]}"
    return Markup(f'<time datetime="{value.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}">') + text + Markup("</time>")


def latest_update(article):
    """The newest public entry of a live article, for its "Live" label (None without one).
    A card or page showing it shows the article's entries key, so the next entry replaces it."""
    shows(coverage_key(article.pk))
    return Entry.objects.published().filter(article_id=article.pk).only("title", "publish_at").first()
