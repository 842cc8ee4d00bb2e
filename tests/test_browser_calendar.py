"""The week's schedule in a real Chromium (issue 27, item 8): the whole time in "Move to", typed
in the newsroom's 24-hour format, and a story dragged to another day moves there."""

from datetime import datetime, time, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Action, Article, Status
from articles.workflow import take_step
from tests.screens import SCREENSHOTS
from tests.test_admin_checkers import axe_summary
from tests.test_browser_newsroom import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_weeks_day(weekday, at):
    """A moment of next week (Monday is 0), in the newsroom's zone: always ahead, whatever today is."""
    today = timezone.localdate()
    day = today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)
    return timezone.make_aware(datetime.combine(day, at))


@pytest.fixture
def week(make_article, editor):
    """Next week with two stories scheduled on Wednesday and one on Friday."""
    stories = {}
    for headline, weekday, at in [
        ("Поромна переправа відкривається знову ⛴️", 2, time(9, 30)),
        ("東京の港で新しい航路", 2, time(17, 5)),
        ("Harbour festival 🎆 programme", 4, time(12, 0)),
    ]:
        article = make_article(headline, status=Status.DRAFT, publish_at=None)
        take_step(article, "approve", user=editor, when=next_weeks_day(weekday, at))
        stories[headline] = article
    return stories


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_move_to_shows_the_whole_time_and_dragging_moves_a_story(page, live_server, week, width, height):
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, "editor")
    monday = next_weeks_day(0, time(0, 0)).date()
    page.goto(f"{live_server.url}/admin/articles/article/calendar/?week={monday}")
    ferry = page.locator(".calendar-entry", has_text="Поромна переправа")
    when = ferry.get_by_label("Move to")
    wednesday = next_weeks_day(2, time(9, 30))
    expect(when).to_have_value(f"{wednesday:%Y-%m-%d} 09:30")
    expect(ferry.locator(".time-readback")).to_have_text(f"Wed {wednesday.day} {wednesday:%b %Y}, 09:30")
    if width < 800:
        page.locator(".calendar-day").nth(2).screenshot(path=str(SCREENSHOTS / f"calendar-{width}.png"))
    else:
        page.screenshot(path=str(SCREENSHOTS / f"calendar-{width}.png"))
    found = Axe().run(page)
    assert found.violations_count == 0, axe_summary(found)
    # Not clipped: the input is as wide as the text it holds, at every width.
    for field in page.locator(".calendar-move .newsroom-time").all():
        assert field.evaluate("input => input.scrollWidth <= input.clientWidth"), field.input_value()
    if width < 800:
        return  # phones move by typing (a column a day would not fit)

    friday = page.locator(".calendar-day").nth(4)
    ferry.drag_to(friday)
    expect(page.locator(".messagelist")).to_contain_text("Поромна переправа")
    moved = Article.objects.get(pk=week["Поромна переправа відкривається знову ⛴️"].pk)
    assert moved.publish_at == next_weeks_day(4, time(9, 30))  # the same time of day, two days on
    assert moved.events.filter(action=Action.RESCHEDULE).count() == 1
    expect(friday.locator(".calendar-entry", has_text="Поромна переправа")).to_be_visible()

    # Onto an hour: while dragging, each day shows its hours; Thursday 06:00 is where it lands.
    tokyo = page.locator(".calendar-entry", has_text="東京の港")
    box = tokyo.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 20)
    six = page.locator(".calendar-day").nth(3).locator(".calendar-slots li", has_text="06:00")
    expect(six).to_be_visible()
    target = six.bounding_box()
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2, steps=5)
    expect(six).to_have_class("drop-target")
    page.screenshot(path=str(SCREENSHOTS / "calendar-dragging-1366.png"))
    page.mouse.up()
    expect(page.locator(".messagelist")).to_contain_text("東京の港")
    assert Article.objects.get(pk=week["東京の港で新しい航路"].pk).publish_at == next_weeks_day(3, time(6, 0))
    expect(page.locator(".calendar-slots")).to_have_count(0)


def test_a_time_not_in_the_newsrooms_format_is_refused_before_it_is_sent(page, live_server, week):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "editor")
    monday = next_weeks_day(0, time(0, 0)).date()
    page.goto(f"{live_server.url}/admin/articles/article/calendar/?week={monday}")
    tokyo = page.locator(".calendar-entry", has_text="東京の港")
    tokyo.get_by_label("Move to").fill("12/09/2026, 05:05 PM")
    expect(tokyo.locator(".time-readback")).to_have_text("Not a time: YYYY-MM-DD HH:MM")
    tokyo.get_by_role("button", name="Move").click()
    assert tokyo.get_by_label("Move to").evaluate("input => !input.validity.valid")
    thursday = next_weeks_day(3, time(7, 45))
    tokyo.get_by_label("Move to").fill(f"{thursday:%Y-%m-%d} 7:45")  # an hour of one digit is fine
    expect(tokyo.locator(".time-readback")).to_have_text(f"Thu {thursday.day} {thursday:%b %Y}, 07:45")
    tokyo.get_by_role("button", name="Move").click()
    expect(page.locator(".messagelist")).to_contain_text("東京の港")
    assert Article.objects.get(pk=week["東京の港で新しい航路"].pk).publish_at == thursday
