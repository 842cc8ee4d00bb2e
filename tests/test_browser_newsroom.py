"""A reader and the newsroom's staff, in a real Chromium."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_goes_from_home_to_an_article_and_its_theme(page, live_server, make_theme, make_author, make_article):
    harbour = make_theme("Harbour bridge", slug="harbour-bridge")
    ana = make_author("Ana Reyes", slug="ana-reyes")
    hour = timedelta(hours=1)
    make_article("Divers inspect the bridge piers", theme=harbour, authors=[ana], publish_at=timezone.now() - 3 * hour)
    make_article(
        "Bridge reopens to cyclists",
        deck="Cars must wait until spring.",
        standfirst="The crossing reopened at dawn for bikes and walkers.",
        body="Crowds gathered **early** at the eastern ramp.",
        theme=harbour,
        authors=[ana],
        publish_at=timezone.now() - hour,
    )
    page.goto(live_server.url + "/")
    lead = page.get_by_role("region", name="Lead story")
    lead.get_by_role("link", name="Bridge reopens to cyclists").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bridge reopens to cyclists")
    expect(page.locator(".deck")).to_have_text("Cars must wait until spring.")
    expect(page.locator(".standfirst")).to_have_text("The crossing reopened at dawn for bikes and walkers.")
    expect(page.locator(".byline").get_by_role("link", name="Ana Reyes")).to_be_visible()
    expect(page.locator(".byline time")).to_have_attribute("datetime", re.compile(r"Z$"))
    expect(page.locator(".article-body strong")).to_have_text("early")
    more = page.get_by_role("complementary", name="More on Harbour bridge")
    expect(more.get_by_role("link")).to_have_count(2)  # the other article, and "All of Harbour bridge"
    more.get_by_role("link", name="Divers inspect the bridge piers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Divers inspect the bridge piers")


def login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#editorial-dashboard")).to_be_visible()


def body_of(page):
    """The article's body, once its editor is ready: the editor takes the label of the textarea it
    hides, and typing before then could find the textarea as it is hidden (seen in CI under load)."""
    page.wait_for_function("() => !document.getElementById('id_body') || window.newsroomBodyEditor")
    return page.get_by_label("Body")


def test_from_draft_to_publication_in_the_admin(page, live_server, writer, editor):
    # The writer writes and submits.
    login(page, live_server, "writer")
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.get_by_label("Headline").fill("Ferry timetable changes for winter")
    page.get_by_label("Standfirst").fill("Sailings drop to four a day from December.")
    body_of(page).fill("The ferry company announced the change on Tuesday.")
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".workflow-state")).to_have_text("In review")

    # The editor finds it awaiting review and returns it.
    login(page, live_server, "editor")
    page.locator("#awaiting-review").get_by_role("link", name="Ferry timetable changes for winter").click()
    page.get_by_label("Note to the writer").fill("Add the new departure times.")
    page.get_by_role("button", name="Return to writer").click()
    expect(page.locator(".workflow-state")).to_have_text("Draft")

    # The writer sees the note, fixes and resubmits.
    login(page, live_server, "writer")
    returned = page.locator("#returned")
    expect(returned).to_contain_text("Add the new departure times.")
    returned.get_by_role("link", name="Ferry timetable changes for winter").click()
    page.get_by_role("button", name="Markdown").click()  # the source, under the rich editor
    body_of(page).fill("The ferry company announced the change on Tuesday. Departures: 07:00, 10:00.")
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".workflow-state")).to_have_text("In review")

    # The editor schedules it for an hour from now.
    login(page, live_server, "editor")
    page.locator("#awaiting-review").get_by_role("link", name="Ferry timetable changes for winter").click()
    moment = timezone.localtime().replace(microsecond=0) + timedelta(hours=1)
    page.get_by_label("Or schedule for").fill(moment.strftime("%Y-%m-%d %H:%M:%S"))
    expect(page.locator("#approve-relative")).to_have_text(re.compile(r"in (59 min|1 h)"))
    page.get_by_role("button", name="Approve & schedule").click()
    page.get_by_role("button", name=re.compile("^Schedule for ")).click()
    expect(page.locator(".workflow-state")).to_have_text("Scheduled")

    # A reader: 404 before the moment, the article from its second, with nothing run in between.
    article = Article.objects.get(headline="Ferry timetable changes for winter")
    assert article.status == Status.APPROVED and article.publish_at == moment
    page.context.clear_cookies()
    url = live_server.url + article.get_absolute_url()
    assert page.goto(url).status == 404
    with time_machine.travel(moment, tick=False):
        assert page.goto(url).status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Ferry timetable changes for winter")
