"""One clock for the admin: every time in the newsroom's zone, in one format, the zone named."""

import re
from datetime import UTC, date, datetime

from django import forms
from django.utils import timezone
from django.utils.dateformat import format as format_date

# "Tue 26 Nov 2026, 09:00 EET": the format of every admin time (see newsroom/formats).
ADMIN_TIME_FORMAT = "D j M Y, H:i T"


def admin_time(value):
    return format_date(timezone.localtime(value), ADMIN_TIME_FORMAT) if value else "—"


def zone_note():
    now = timezone.localtime()
    return (
        f"Times are entered and shown in the newsroom’s zone, {timezone.get_current_timezone_name()} ({now:%Z}), "
        f"24-hour: {now:%Y-%m-%d} 14:30."
    )


# The admin's date and time inputs are typed in the newsroom's 24-hour format, "2026-12-05 14:30":
# the browser's own datetime-local follows the browser's locale (mm/dd/yyyy and AM/PM in the
# US), and screen readers read its segments unevenly. A text input reads the same everywhere.
INPUT_FORMAT = "%Y-%m-%d %H:%M"
TYPED = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*")


def input_value(moment):
    """A time as the admin's inputs show it, in the newsroom's zone (seconds only when set)."""
    if not moment:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return local.strftime(INPUT_FORMAT + (":%S" if local.second else ""))


class NewsroomTimeInput(forms.DateTimeInput):
    """The admin's date-and-time input (js/newsroom-time.js says which day a typed value is
    and refuses one that is not a time before the form is sent)."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {
            "class": "newsroom-time",
            "pattern": TYPED.pattern,
            "placeholder": "YYYY-MM-DD HH:MM",
            "title": "Date and time, 24-hour: YYYY-MM-DD HH:MM",
            "autocomplete": "off",
            "spellcheck": "false",
            "size": 17,
            **(attrs or {}),
        }
        super().__init__(attrs, format=INPUT_FORMAT)

    def format_value(self, value):
        return input_value(value) if isinstance(value, datetime) else super().format_value(value)


# Dates a newsroom schedules or shows: an archive goes back to print, a schedule not past this
# century. Beyond them Python's datetime (year 1 and 9999 with a zone offset), the databases and
# 32-bit times (2106) fail, so they are refused at the door with a message.
EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)


def parse_local_datetime(value):
    """A time input's value, read in the newsroom's zone (None when empty): as typed
    ("2026-12-05 9:05"), or in ISO 8601 as scripts and older forms send it."""
    value = value.strip()
    if not value:
        return None
    try:
        typed = TYPED.fullmatch(value)
        moment = datetime(*(int(part or 0) for part in typed.groups())) if typed else datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"“{value}” is not a date and time: type it as YYYY-MM-DD HH:MM, 24-hour.") from None
    if not EARLIEST.year <= moment.year <= LATEST.year:
        raise ValueError(f"“{value}” is out of range: choose a date between {EARLIEST.year} and {LATEST.year}.")
    if timezone.is_aware(moment):
        return moment
    aware = timezone.make_aware(moment)
    # A time the clocks skip (spring forward) comes back another hour through UTC: refused, never
    # moved silently. One they pass twice (autumn) is the first of the two, its zone shown beside it.
    if aware.astimezone(UTC).astimezone(aware.tzinfo).replace(tzinfo=None) != moment:
        raise ValueError(
            f"{moment:%H:%M} does not exist on {moment:%Y-%m-%d} in the newsroom’s zone "
            f"({timezone.get_current_timezone_name()}): the clocks go forward an hour then. Choose another time."
        )
    return aware
