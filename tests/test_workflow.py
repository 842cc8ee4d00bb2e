"""The editorial workflow through the admin: who may move an article where."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Action, Article, ArticleEvent, Status
from articles.workflow import take_step


def transition_url(article, name):
    return reverse("admin:articles_article_transition", args=[article.pk, name])


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def writers_draft(make_article, writer):
    return make_article("The writer's draft", status=Status.DRAFT, publish_at=None, created_by=writer)


def snapshot(article):
    article.refresh_from_db()
    return (article.status, article.publish_at, article.withdrawn_reason, article.events.count())


# Each legal step, by the role allowed to take it -------------------------------------------


def test_writer_submits_own_draft_and_editors_are_told(
    client, writer, editor, writers_draft, django_capture_on_commit_callbacks
):
    client.force_login(writer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(transition_url(writers_draft, "submit"))
    assert response.status_code == 302
    writers_draft.refresh_from_db()
    assert writers_draft.status == Status.IN_REVIEW
    event = writers_draft.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        Action.SUBMIT,
        Status.DRAFT,
        Status.IN_REVIEW,
        writer,
    )
    assert [m.to for m in mail.outbox] == [["editor@newsroom.test"]]
    assert "Submitted for review" in mail.outbox[0].subject


def test_editor_returns_with_a_note_and_the_writer_is_told(
    client, writer, editor, writers_draft, django_capture_on_commit_callbacks
):
    take_step(writers_draft, "submit", user=writer)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(transition_url(writers_draft, "return"), {"note": "Needs a second source."})
    writers_draft.refresh_from_db()
    assert writers_draft.status == Status.DRAFT
    assert writers_draft.events.first().note == "Needs a second source."
    assert mail.outbox[-1].to == ["writer@newsroom.test"]
    assert "Needs a second source." in mail.outbox[-1].body


def test_returning_without_a_note_is_refused_with_a_message(client, writer, editor, writers_draft):
    take_step(writers_draft, "submit", user=writer)
    client.force_login(editor)
    response = client.post(transition_url(writers_draft, "return"), {"note": "  "}, follow=True)
    assert "needs a note" in response.content.decode()
    writers_draft.refresh_from_db()
    assert writers_draft.status == Status.IN_REVIEW


def test_editor_approves_for_a_local_time(client, editor, writers_draft, settings):
    settings.TIME_ZONE = "Europe/Helsinki"
    client.force_login(editor)
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.post(transition_url(writers_draft, "approve"), {"when": f"{tomorrow}T09:00"})
    writers_draft.refresh_from_db()
    assert writers_draft.status == Status.APPROVED
    local = writers_draft.publish_at.astimezone(ZoneInfo("Europe/Helsinki"))
    assert (local.date(), local.hour, local.minute) == (tomorrow, 9, 0)
    assert not writers_draft.is_live()


def test_approve_defaults_to_now_and_records_went_live(client, editor, writers_draft):
    client.force_login(editor)
    client.post(transition_url(writers_draft, "approve"), {"when": ""})
    writers_draft.refresh_from_db()
    assert writers_draft.is_live()
    assert list(writers_draft.events.values_list("action", flat=True)) == [Action.WENT_LIVE, Action.APPROVE]
    assert client.get(writers_draft.get_absolute_url()).status_code == 200


def test_approving_for_a_past_time_is_refused(client, editor, writers_draft):
    client.force_login(editor)
    response = client.post(transition_url(writers_draft, "approve"), {"when": "2001-01-01T09:00"}, follow=True)
    assert "from now on" in response.content.decode()
    assert snapshot(writers_draft)[0] == Status.DRAFT


def test_editor_reschedules_before_going_live_but_not_after(client, editor, make_article):
    scheduled = make_article(publish_at=timezone.now() + timedelta(hours=2))
    client.force_login(editor)
    new_time = timezone.localtime() + timedelta(hours=5)
    client.post(transition_url(scheduled, "reschedule"), {"when": new_time.strftime("%Y-%m-%dT%H:%M")})
    scheduled.refresh_from_db()
    assert timezone.localtime(scheduled.publish_at).strftime("%H:%M") == new_time.strftime("%H:%M")
    live = make_article()
    response = client.post(transition_url(live, "reschedule"), {"when": new_time.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 403


def test_editor_withdraws_with_a_public_reason_and_restores(client, editor, make_article):
    live = make_article()
    client.force_login(editor)
    client.post(transition_url(live, "withdraw"), {"note": "The interview was misattributed."})
    live.refresh_from_db()
    assert live.status == Status.WITHDRAWN
    client.logout()
    gone = client.get(live.get_absolute_url())
    assert gone.status_code == 410 and b"The interview was misattributed." in gone.content
    client.force_login(editor)
    client.post(transition_url(live, "restore"))
    live.refresh_from_db()
    assert live.status == Status.DRAFT and live.withdrawn_reason == ""


def test_withdrawing_without_a_reason_is_refused(client, editor, make_article):
    live = make_article()
    client.force_login(editor)
    response = client.post(transition_url(live, "withdraw"), {"note": ""}, follow=True)
    assert "public reason" in response.content.decode()
    assert snapshot(live)[0] == Status.APPROVED


# What each role may not do, by crafted requests --------------------------------------------------


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (Status.DRAFT, "approve"),
        (Status.IN_REVIEW, "approve"),
        (Status.IN_REVIEW, "return"),
        (Status.APPROVED, "withdraw"),
        (Status.APPROVED, "reschedule"),
        (Status.WITHDRAWN, "restore"),
        (Status.IN_REVIEW, "submit"),
        (Status.DRAFT, "publish"),
    ],
)
def test_writer_cannot_take_editors_steps(client, writer, make_article, status, name):
    publish_at = timezone.now() + timedelta(hours=1) if status == Status.APPROVED else None
    article = make_article(status=status, publish_at=publish_at, created_by=writer)
    before = snapshot(article)
    client.force_login(writer)
    response = client.post(transition_url(article, name), {"when": "", "note": "x"})
    assert response.status_code in (403, 404)
    assert snapshot(article) == before


def test_writer_cannot_submit_someone_elses_draft(client, writer, make_user, make_article):
    other = make_user("other", "Writers")
    article = make_article(status=Status.DRAFT, publish_at=None, created_by=other)
    client.force_login(writer)
    response = client.post(transition_url(article, "submit"))
    assert response.status_code in (403, 404)
    assert snapshot(article)[0] == Status.DRAFT


@pytest.mark.parametrize(
    ("status", "name"),
    [(Status.APPROVED, "approve"), (Status.DRAFT, "withdraw"), (Status.DRAFT, "return"), (Status.DRAFT, "restore")],
)
def test_editor_cannot_take_a_step_from_the_wrong_state(client, editor, make_article, status, name):
    article = make_article(status=status, publish_at=timezone.now() if status == Status.APPROVED else None)
    before = snapshot(article)
    client.force_login(editor)
    assert client.post(transition_url(article, name), {"note": "x"}).status_code == 403
    assert snapshot(article) == before


def test_transitions_only_accept_post(client, editor, writers_draft):
    client.force_login(editor)
    assert client.get(transition_url(writers_draft, "approve")).status_code == 405
    assert snapshot(writers_draft)[0] == Status.DRAFT


def test_writer_cannot_publish_through_the_change_form(client, writer, writers_draft):
    client.force_login(writer)
    form = {
        "headline": "The writer's draft",
        "deck": "",
        "standfirst": "",
        "body": "",
        "slug": writers_draft.slug,
        "status": Status.APPROVED,
        "publish_at_0": "2020-01-01",
        "publish_at_1": "00:00",
        "publish_at": "2020-01-01 00:00",
        "tags": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "loaded_version": writers_draft.version,
    }
    response = client.post(change_url(writers_draft), form)
    assert response.status_code == 302
    writers_draft.refresh_from_db()
    assert writers_draft.status == Status.DRAFT and writers_draft.publish_at is None
    assert not Article.objects.live().exists()


def test_writer_sees_only_own_articles_and_cannot_edit_after_submitting(client, writer, make_user, make_article):
    other = make_article("Someone else's story", status=Status.DRAFT, publish_at=None)
    mine = make_article("My own story", status=Status.DRAFT, publish_at=None, created_by=writer)
    client.force_login(writer)
    listing = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "My own story" in listing and "Someone else" not in listing
    assert client.get(change_url(other)).status_code == 404  # not theirs: as if it did not exist
    page = client.get(change_url(mine)).content.decode()
    assert 'name="headline"' in page and 'name="status"' not in page and 'name="publish_at"' not in page
    take_step(mine, "submit", user=writer)
    page = client.get(change_url(mine)).content.decode()
    assert 'name="headline"' not in page  # read-only once submitted
    response = client.post(change_url(mine), {"headline": "Changed after submission"})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.headline == "My own story"


def step_button(name):
    return f'name="_step" value="{name}"'


def test_buttons_shown_are_the_steps_the_user_may_take(client, writer, editor, writers_draft):
    client.force_login(writer)
    page = client.get(change_url(writers_draft)).content.decode()
    assert step_button("submit") in page and step_button("approve") not in page
    client.force_login(editor)
    page = client.get(change_url(writers_draft)).content.decode()
    assert step_button("submit") in page and step_button("approve") in page and step_button("withdraw") not in page
    assert "Times are entered and shown in the newsroom’s zone" in page


def test_history_timeline_lists_every_event(client, writer, editor, writers_draft):
    take_step(writers_draft, "submit", user=writer)
    take_step(writers_draft, "return", user=editor, note="Check the figures.")
    client.force_login(editor)
    page = client.get(change_url(writers_draft)).content.decode()
    history = page.split('id="history-heading"')[1]
    assert "Returned to draft" in history and "Submitted for review" in history and "Check the figures." in history


def test_changelist_shows_state_and_zone_and_filters_by_state(admin_client, make_article, settings):
    settings.TIME_ZONE = "Europe/Helsinki"
    make_article("Scheduled one", publish_at=datetime(2030, 11, 26, 7, 0, tzinfo=UTC))
    make_article("Live one")
    page = admin_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Tue 26 Nov 2030, 09:00 EET" in page and "Scheduled" in page
    filtered = admin_client.get(reverse("admin:articles_article_changelist") + "?state=scheduled").content.decode()
    assert "Scheduled one" in filtered and "Live one" not in filtered


def test_dashboard_shows_the_editorial_queues(client, writer, editor, make_article):
    review_old = make_article("Old in review", status=Status.IN_REVIEW, publish_at=None)
    make_article("New in review", status=Status.IN_REVIEW, publish_at=None)
    Article.objects.filter(pk=review_old.pk).update(modified_at=timezone.now() - timedelta(days=1))
    make_article("Later this week", publish_at=timezone.now() + timedelta(days=3))
    make_article("Soon", publish_at=timezone.now() + timedelta(hours=1))
    make_article("Next month", publish_at=timezone.now() + timedelta(days=30))
    returned = make_article("Sent back", status=Status.IN_REVIEW, publish_at=None, created_by=writer)
    take_step(returned, "return", user=editor, note="Shorten the intro.")
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    review = page.split('id="awaiting-review"')[1].split("</ul>")[0]
    assert review.index("Old in review") < review.index("New in review")
    scheduled = page.split('id="scheduled"')[1].split("</ul>")[0]
    assert scheduled.index("Soon") < scheduled.index("Later this week") and "Next month" not in scheduled
    client.force_login(writer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Shorten the intro." in page.split('id="returned"')[1].split("</ul>")[0]


# Scheduling ---------------------------------------------------------------------------------------


def test_schedule_across_a_daylight_saving_change(client, editor, writers_draft, settings):
    """Helsinki leaves summer time at 04:00 on 26 October 2025; 09:00 the next day is UTC+2, not +3."""
    settings.TIME_ZONE = "Europe/Helsinki"
    with time_machine.travel(datetime(2025, 10, 25, 12, 0, tzinfo=UTC), tick=False):
        client.force_login(editor)
        client.post(transition_url(writers_draft, "approve"), {"when": "2025-10-27T09:00"})
        writers_draft.refresh_from_db()
        assert writers_draft.publish_at == datetime(2025, 10, 27, 7, 0, tzinfo=UTC)
        assert not writers_draft.is_live()
    with time_machine.travel(datetime(2025, 10, 27, 6, 59, 59, tzinfo=UTC), tick=False):
        client.force_login(editor)  # sessions expire; sign in again two days later
        assert client.get(writers_draft.get_absolute_url()).status_code == 200  # editor preview
        client.logout()
        assert client.get(writers_draft.get_absolute_url()).status_code == 404
    with time_machine.travel(datetime(2025, 10, 27, 7, 0, tzinfo=UTC), tick=False):
        assert client.get(writers_draft.get_absolute_url()).status_code == 200


def test_publish_scheduled_records_each_moment_once(make_article, writer, now, django_capture_on_commit_callbacks):
    with time_machine.travel(now, tick=False):
        soon = make_article("Soon", publish_at=now + timedelta(seconds=30), created_by=writer)
        ending = make_article("Ending", publish_at=now - timedelta(days=1), expire_at=now + timedelta(seconds=30))
        ArticleEvent.objects.create(article=ending, action=Action.WENT_LIVE, moment=ending.publish_at)
        call_command("publish_scheduled")
        assert not soon.events.exists()
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        call_command("publish_scheduled", "--dry-run")
        assert not soon.events.exists()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("publish_scheduled")
            call_command("publish_scheduled")
    assert list(soon.events.values_list("action", flat=True)) == [Action.WENT_LIVE]
    assert list(ending.events.values_list("action", flat=True)) == [Action.EXPIRED, Action.WENT_LIVE]
    assert [m.to for m in mail.outbox] == [["writer@newsroom.test"]]
    assert "Now live" in mail.outbox[0].subject
