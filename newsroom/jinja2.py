"""The Jinja2 environment of the public site's templates (templates/jinja2/).

Readers' pages are Jinja2 rather than the Django template language because a page
that misses the cache is mostly template rendering, and Jinja2 compiles templates to
Python: uncached listings render about twice as fast (bench/README.md).
The admin keeps the Django template language (templates/admin/).
"""

import functools
import json
import re
from datetime import UTC, datetime

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.template.defaultfilters import linebreaks_filter, pluralize, truncatechars
from django.templatetags import static as django_static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from jinja2 import ChainableUndefined, Environment
from markupsafe import Markup

from articles.body import typeset
from articles.text import plain_text
from images.pictures import image_figure, picture, social_image, with_inline_images
from live.labels import entry_time, latest_updates
from pagecache import fragments

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
_TABLE_OPEN = re.compile(r"<table\b")
_PRE_OPEN = re.compile(r"<pre>")


@functools.lru_cache(maxsize=256)
def static(path):
    """`{{ static("css/site.css") }}`: Django's static(), looked up once per process (the manifest
    is read once anyway; each lookup walks the storage, about 20 µs, twice a page)."""
    return django_static.static(path)


@receiver(setting_changed)
def _forget_static(setting, **kwargs):
    if setting in {"STATIC_URL", "STORAGES", "DEBUG"}:
        static.cache_clear()


def url(name, *args, **kwargs):
    """`{{ url("articles:tag", tag.slug) }}`: Django's reverse()."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def newsroom_time(value, zone=None):
    """Like "Mon 3 March 2025, 23:18 EET": the newsroom's zone, its abbreviation always shown.
    Spelled out here because Django's general date formatter costs more than the rest of an
    article card."""
    if not value:
        return ""
    local = timezone.localtime(value, zone)
    return (
        f"{WEEKDAYS_ABBR[local.weekday()]} {local.day} {MONTHS[local.month]} {local.year}, "
        f"{local.hour:02d}:{local.minute:02d} {local.tzname()}"
    )


def pubtime(value, prefix="", zone=None):
    """A `<time>` element: UTC ISO for machines, the newsroom's zone (or an imported article's
    `dateline_zone()`) for people."""
    if not value:
        return ""
    return (
        Markup(f'<time datetime="{value.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}">')
        + prefix
        + newsroom_time(value, zone)
        + Markup("</time>")
    )


def jsonld(value):
    """`value` as JSON safe to place inside a `<script type="application/ld+json">`."""
    return mark_safe(json.dumps(value, ensure_ascii=False).translate(_JSON_ESCAPES))


def scroll_boxes(html):
    """Body HTML with each table in a box of its own and each code block made one: a wide table
    or a long line of code scrolls sideways inside it instead of widening the page on a phone.
    Focusable (tabindex), so the box can be scrolled from the keyboard too."""
    html = _TABLE_OPEN.sub('<div class="table-scroll" tabindex="0"><table', str(html))
    html = html.replace("</table>", "</table></div>")
    return Markup(_PRE_OPEN.sub('<pre tabindex="0">', html))


def date(value, format_string=None):
    """Django's `date` filter, in the newsroom's zone as in Django templates. A day (a theme page's
    twenty headings) is formatted once per process and language: the filter costs 20 µs."""
    if isinstance(value, datetime):
        return defaultfilters.date(timezone.template_localtime(value), format_string)
    return _day(value, format_string, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _day(value, format_string, language):
    return defaultfilters.date(value, format_string)


def fragment(name, shows=(), caller=None):
    """`{% call fragment("site-header", shows=site_shows) %}…{% endcall %}`: the block kept as a
    fragment (pagecache/fragments.py). It must depend on nothing but what it shows: no request."""
    return fragments.cached(f"template:{name}", caller, shows=shows)


def environment(**options):
    # Like the Django template language, a missing attribute or variable prints nothing
    # (`article.theme.name` of an article without a theme).
    options["undefined"] = ChainableUndefined
    env = Environment(**options)
    env.globals.update(
        url=url,
        static=static,
        pubtime=pubtime,
        picture=picture,
        image_figure=image_figure,
        social_image=social_image,
        fragment=fragment,
        entry_time=entry_time,
        live_latest=latest_updates,
    )
    env.filters.update(
        plain=lambda value: typeset(plain_text(value)),
        jsonld=jsonld,
        with_inline_images=with_inline_images,
        scroll_boxes=scroll_boxes,
        date=date,
        linebreaks=linebreaks_filter,
        pluralize=pluralize,
        truncatechars=truncatechars,
    )
    return env
