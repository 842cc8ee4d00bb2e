"""The admin's date and time inputs (issue 27, item 8): typed in the newsroom's 24-hour format
everywhere, read in its zone; the week's "Move" (and a drag, which posts the same form) goes
through the reschedule step, so a crafted request moves nothing it may not."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.clock import parse_local_datetime
from articles.models import Article, Status
from articles.workflow import take_step
from tests.test_crafted_requests import snapshot

NOON = datetime(2028, 2, 28, 10, 0, tzinfo=UTC)  # Monday 28 February 2028, 12:00 in Helsinki; 29 Feb follows


@pytest.fixture
def scheduled(make_article, editor):
    with time_machine.travel(NOON, tick=False):
        article = make_article("Київ: нічний потяг 🚆", status=Status.DRAFT, publish_at=None, created_by=editor)
        take_step(article, "approve", user=editor, when=NOON + timedelta(days=1, hours=6))
    return article


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2028-02-29 18:05", "2028-02-29 18:05:00 EET"),
        ("2028-2-29 8:05", "2028-02-29 08:05:00 EET"),
        (" 2028-02-29T18:05:30 ", "2028-02-29 18:05:30 EET"),
        ("2028-07-01 23:59", "2028-07-01 23:59:00 EEST"),  # summer time: the zone's own offset
    ],
)
def test_typed_times_are_read_in_the_newsrooms_zone(typed, expected):
    assert f"{timezone.localtime(parse_local_datetime(typed)):%Y-%m-%d %H:%M:%S %Z}" == expected


def test_a_time_the_clocks_skip_is_refused_and_one_they_pass_twice_is_the_first():
    """Helsinki goes from 03:00 EET to 04:00 EEST on 26 March 2028, and back from 04:00 EEST to
    03:00 EET on 29 October: 03:30 does not exist in spring and exists twice in autumn."""
    with pytest.raises(ValueError, match="03:30 does not exist on 2028-03-26"):
        parse_local_datetime("2028-03-26 03:30")
    assert parse_local_datetime("2028-03-26 04:00").astimezone(UTC) == datetime(2028, 3, 26, 1, 0, tzinfo=UTC)
    autumn = parse_local_datetime("2028-10-29 03:30").astimezone(UTC)
    assert autumn == datetime(2028, 10, 29, 0, 30, tzinfo=UTC)  # 03:30 EEST, the first


def test_the_week_refuses_a_move_to_a_time_the_clocks_skip_and_changes_nothing(client, editor, scheduled):
    with time_machine.travel(NOON, tick=False):
        client.force_login(editor)
        response = client.post(
            reverse("admin:articles_article_transition", args=[scheduled.pk, "reschedule"]),
            {"when": "2028-03-26 03:30", "back": "calendar", "week": "2028-03-20"},
            follow=True,
        )
    assert "does not exist on 2028-03-26" in response.content.decode()
    assert Article.objects.get(pk=scheduled.pk).publish_at == NOON + timedelta(days=1, hours=6)


@pytest.mark.parametrize("typed", ["02/29/2028 06:05 PM", "2027-02-29 10:00", "2028-02-28 24:00", "29.02.2028 18:05"])
def test_other_spellings_are_refused_with_the_format(typed):
    with pytest.raises(ValueError, match="YYYY-MM-DD HH:MM, 24-hour"):
        parse_local_datetime(typed)


def test_every_time_input_of_the_article_page_is_24_hour_text(client, editor, scheduled):
    with time_machine.travel(NOON, tick=False):
        client.force_login(editor)  # in the time it is used: a session from 2026 has expired by then
        page = client.get(reverse("admin:articles_article_change", args=[scheduled.pk])).content.decode()
    assert 'type="datetime-local"' not in page
    field = re.search(r'<input type="text" name="reschedule-when" value="([^"]*)"[^>]*>', page)
    assert field and field.group(1) == "2028-02-29 18:00"
    assert 'placeholder="YYYY-MM-DD HH:MM"' in field.group(
        0
    ) and 'aria-describedby="reschedule-relative"' in field.group(0)
    assert "24-hour" in page  # the zone note says how to type


def test_the_week_moves_a_story_to_the_time_typed(client, editor, scheduled):
    calendar = reverse("admin:articles_article_calendar")
    with time_machine.travel(NOON, tick=False):
        client.force_login(editor)
        page = client.get(calendar, {"week": "2028-02-28"}).content.decode()
        assert 'data-date="2028-02-29"' in page and 'draggable="true"' in page
        assert 'value="2028-02-29 18:00"' in page
        response = client.post(
            reverse("admin:articles_article_transition", args=[scheduled.pk, "reschedule"]),
            {"when": "2028-03-02 07:30", "back": "calendar", "week": "2028-02-28"},
        )
    assert response["Location"] == f"{calendar}?week=2028-02-28"
    scheduled.refresh_from_db()
    assert f"{timezone.localtime(scheduled.publish_at):%a %d %b %H:%M}" == "Thu 02 Mar 07:30"


def test_a_writer_cannot_move_an_editors_story_by_crafting_the_move(client, writer, scheduled, make_article):
    own = make_article("Мій чернетковий матеріал", status=Status.DRAFT, publish_at=None, created_by=writer)
    with time_machine.travel(NOON, tick=False):
        client.force_login(writer)
        page = client.get(reverse("admin:articles_article_calendar"), {"week": "2028-02-28"}).content.decode()
        assert "нічний потяг" not in page and "draggable" not in page
        before = snapshot()
        for article, step in [(scheduled, "reschedule"), (scheduled, "approve"), (own, "reschedule"), (own, "approve")]:
            response = client.post(
                reverse("admin:articles_article_transition", args=[article.pk, step]),
                {"when": "2028-03-01 09:00", "back": "calendar", "week": "2028-02-28"},
            )
            assert response.status_code in (403, 404), (article, step)
        assert snapshot() == before
    assert Article.objects.get(pk=scheduled.pk).publish_at == NOON + timedelta(days=1, hours=6)


def test_a_move_into_the_past_is_refused_and_says_why(client, editor, scheduled):
    with time_machine.travel(NOON, tick=False):
        client.force_login(editor)  # in the time it is used: a session from 2026 has expired by then
        response = client.post(
            reverse("admin:articles_article_transition", args=[scheduled.pk, "reschedule"]),
            {"when": "2028-02-27 09:00", "back": "calendar", "week": "2028-02-28"},
            follow=True,
        )
    assert "Choose a new publication time from now on." in response.content.decode()
    assert Article.objects.get(pk=scheduled.pk).publish_at == NOON + timedelta(days=1, hours=6)
