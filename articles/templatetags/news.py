import json
from datetime import UTC

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.text import plain_text

register = template.Library()

# "Mon 3 March 2025, 23:18 EET": the zone's abbreviation is always shown.
PUBLIC_TIME_FORMAT = "D j F Y, H:i T"

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def plain(value):
    """Headlines and decks as plain text, whatever reached the database."""
    return plain_text(value)


@register.filter
def newsroom_time(value):
    return format_date(timezone.localtime(value), PUBLIC_TIME_FORMAT) if value else ""


@register.simple_tag
def pubtime(value, prefix=""):
    """A `<time>` element: UTC ISO for machines, the newsroom's zone for people."""
    if not value:
        return ""
    return format_html(
        '<time datetime="{}">{}{}</time>',
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        prefix,
        newsroom_time(value),
    )


@register.filter
def jsonld(value):
    """`value` as JSON safe to place inside a `<script type="application/ld+json">`."""
    return mark_safe(json.dumps(value, ensure_ascii=False).translate(_JSON_ESCAPES))
