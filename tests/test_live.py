"""Live coverage (issue 28): the step that makes an article live, the door entries go through,
the reader's page, the poll and its caching, feeds and structured data."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone
from reversion.models import Version

from articles.models import ArticleEvent, TransitionNotAllowed
from articles.workflow import take_step
from audit.models import AuditEntry
from live.door import EntryConflict, EntryRefused, edit_entry, post_entry, publish_entry, withdraw_entry
from live.models import Entry, EntryStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_article(make_article, editor):
    article = make_article("Election night in the harbour city")
    take_step(article, "start_live", user=editor)
    article.refresh_from_db()
    return article


def entry_ids(html):
    return [int(pk) for pk in re.findall(r'id="entry-(\d+)"', html)]


# The step ---------------------------------------------------------------------------------


def test_only_an_editor_starts_and_ends_live_coverage(
    make_article, editor, writer, mailoutbox, django_capture_on_commit_callbacks
):
    article = make_article(created_by=writer)
    with pytest.raises(TransitionNotAllowed):
        take_step(article, "start_live", user=writer)
    with django_capture_on_commit_callbacks(execute=True):
        take_step(article, "start_live", user=editor)
    article.refresh_from_db()
    assert article.is_live_coverage()
    with pytest.raises(TransitionNotAllowed, match="already live coverage"):
        take_step(article, "start_live", user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        take_step(article, "end_live", user=editor)
    article.refresh_from_db()
    assert article.has_coverage() and not article.is_live_coverage()
    events = [event.get_action_display() for event in ArticleEvent.objects.filter(article=article)]
    assert events[:2] == ["Live coverage ended", "Live coverage started"]
    assert [mail.subject.split("] ")[1].split(":")[0] for mail in mailoutbox] == [
        "Live coverage started",
        "Live coverage ended",
    ]
    assert AuditEntry.objects.filter(action="article.start_live").count() == 1


def test_the_change_form_offers_the_steps(client, editor, make_article):
    article = make_article()
    client.force_login(editor)
    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Start live coverage" in page
    assert client.post(f"/admin/articles/article/{article.pk}/transition/start_live/", {"when": ""}).status_code == 302
    article.refresh_from_db()
    assert article.is_live_coverage()


# The door ---------------------------------------------------------------------------------


def test_an_editor_publishes_at_once_and_a_writer_submits(live_article, editor, writer, make_user):
    published = post_entry(live_article, user=editor, body="Polls have closed.")
    submitted = post_entry(live_article, user=writer, body="Turnout looks high.")
    assert published.status == EntryStatus.PUBLISHED and submitted.status == EntryStatus.SUBMITTED
    trusted = make_user("night-desk", "Writers")
    trusted.user_permissions.add(Permission.objects.get(codename="publish_entry"))
    assert post_entry(live_article, user=trusted, body="Counting starts.").status == EntryStatus.PUBLISHED
    with pytest.raises(EntryRefused):
        post_entry(live_article, user=writer, body="Pin me", pinned=True)
    publish_entry(submitted.pk, user=editor, version=submitted.version)
    assert Entry.objects.published().count() == 3
    assert AuditEntry.objects.filter(action__startswith="live.").count() == 4
    assert Version.objects.get_for_object(submitted).count() == 2


def test_no_entries_on_an_article_that_is_not_live_coverage(make_article, editor):
    with pytest.raises(EntryRefused):
        post_entry(make_article(), user=editor, body="Nothing to see.")


def test_one_pinned_entry_at_a_time(live_article, editor):
    first = post_entry(live_article, user=editor, body="First", pinned=True)
    second = post_entry(live_article, user=editor, body="Second", pinned=True)
    first.refresh_from_db()
    assert not first.pinned and second.pinned


def test_a_key_event_needs_a_title(live_article, editor):
    with pytest.raises(EntryRefused, match="title"):
        post_entry(live_article, user=editor, body="Big news", key_event=True)


def test_a_stale_edit_is_merged_or_refused(live_article, editor, make_user):
    other = make_user("other-editor", "Editors")
    entry = post_entry(live_article, user=editor, body="One.\n\nTwo.", title="Polls close")
    opened = {"title": entry.title, "body": entry.body}
    edit_entry(entry.pk, user=other, version=entry.version, base=opened, changes={"title": "Polls closed"})
    merged = edit_entry(entry.pk, user=editor, version=entry.version, base=opened, changes={"body": "One.\n\nTwo!"})
    assert (merged.title, merged.body) == ("Polls closed", "One.\n\nTwo!")
    assert merged.updated_at is not None
    with pytest.raises(EntryConflict) as conflict:
        edit_entry(entry.pk, user=other, version=entry.version, base=opened, changes={"title": "Polls shut"})
    assert conflict.value.conflicts == {"title": {"theirs": "Polls closed", "mine": "Polls shut"}}


def test_withdrawing_needs_a_note_and_the_current_version(live_article, editor):
    entry = post_entry(live_article, user=editor, body="A wrong figure.")
    with pytest.raises(EntryRefused, match="note"):
        withdraw_entry(entry.pk, user=editor, version=entry.version, note=" ")
    with pytest.raises(EntryRefused, match="changed"):
        withdraw_entry(entry.pk, user=editor, version=entry.version - 1, note="Wrong")
    withdraw_entry(entry.pk, user=editor, version=entry.version, note="The figure was wrong.")
    assert not Entry.objects.published().exists()
