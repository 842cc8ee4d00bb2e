"""“Being edited by …”: who has an article's form open with changes not yet saved.

Advisory and short-lived: the open form reports itself (articles/admin/views.py,
`editing`) only while it holds unsaved changes, and the notice fades by itself."""

from django.core.cache import cache
from django.utils import timezone

from articles.clock import admin_time

PRESENCE_SECONDS = 120  # a notice fades this long after the form's last report


def presence_key(article_id):
    return f"articles:editing:{article_id}"


def present(article_id, now):
    return {
        uid: entry
        for uid, entry in (cache.get(presence_key(article_id)) or {}).items()
        if (now - entry["seen"]).total_seconds() < PRESENCE_SECONDS
    }


def mark_editing(article_id, user):
    now = timezone.now()
    people = present(article_id, now)
    entry = people.get(user.pk) or {"name": user.get_full_name() or user.get_username(), "since": now}
    people[user.pk] = {**entry, "seen": now}
    cache.set(presence_key(article_id), people, PRESENCE_SECONDS)


def stop_editing(article_id, user):
    """The form was saved (or closed): its changes are no longer pending."""
    people = present(article_id, timezone.now())
    if people.pop(user.pk, None) is not None:
        cache.set(presence_key(article_id), people, PRESENCE_SECONDS)


def others_editing(article_id, user):
    return [
        {"name": entry["name"], "since": admin_time(entry["since"])}
        for uid, entry in present(article_id, timezone.now()).items()
        if uid != user.pk
    ]
