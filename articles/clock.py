"""One clock for the admin: every time in the newsroom's zone, in one format, the zone named."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateformat import format as format_date

# "Tue 26 Nov 2026, 09:00 EET": the format of every admin time (see newsroom/formats).
ADMIN_TIME_FORMAT = "D j M Y, H:i T"


def admin_time(value):
    return format_date(timezone.localtime(value), ADMIN_TIME_FORMAT) if value else "—"


def zone_note():
    now = timezone.localtime()
    return f"Times are entered and shown in the newsroom’s zone, {timezone.get_current_timezone_name()} ({now:%Z})."


# Dates a newsroom schedules or shows: an archive goes back to print, a schedule not past this
# century. Beyond them Python's datetime (year 1 and 9999 with a zone offset), the databases and
# 32-bit times (2106) fail, so they are refused at the door with a message.
EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)


def parse_local_datetime(value):
    """A `datetime-local` input's value, read in the newsroom's zone (None when empty)."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"“{value}” is not a date and time; use the picker or YYYY-MM-DD HH:MM.") from None
    if not EARLIEST.year <= moment.year <= LATEST.year:
        raise ValueError(f"“{value}” is out of range: choose a date between {EARLIEST.year} and {LATEST.year}.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
