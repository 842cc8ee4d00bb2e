"""What readers' templates ask of live coverage (registered as Jinja2 globals, newsroom/jinja2.py)."""

from datetime import UTC

from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from markupsafe import Markup

from pagecache.keys import shows

from .cache import coverage_key
from .models import Entry


def entry_time(value, day=True, weekday=False):
    """`<time>` of an entry: "14:32 EET", with the day ("Thu 31 December") unless `day=False`;
    `weekday=True` puts only the weekday first ("Thu 14:32 EET"), for a label on a cached page
    that cannot know whether the entry was today. Always the newsroom's zone, the UTC second
    for machines."""
    if not value:
        return ""
    local = timezone.localtime(value)
    text = f"{local.hour:02d}:{local.minute:02d} {local.tzname()}"
    if weekday:
        text = f"{WEEKDAYS_ABBR[local.weekday()]} {text}"
    if day:
        text += f" · {WEEKDAYS_ABBR[local.weekday()]} {local.day} {MONTHS[local.month]}"
    return Markup(f'<time datetime="{value.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}">') + text + Markup("</time>")


def latest_updates(article, count=1):
    """The newest public entries of a live article, newest first: the first for its "Live" label,
    a few more under the front page's lead. A card or page showing them shows the article's
    entries key, so the next entry replaces them."""
    shows(coverage_key(article.pk))
    entries = Entry.objects.published().filter(article_id=article.pk).only("title", "body_html", "publish_at")
    entries = list(entries[:count])
    for entry in entries:
        entry.article = article  # its address, without a query
    return entries
