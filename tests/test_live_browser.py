"""Live coverage in a real browser (Debian's Chromium): an editor posts from the desk with the
keyboard in one page; a reader's page shows the "new updates" button and, on a click, the entry.
And axe finds nothing on the live page."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Article, Author, system_gate
from live.door import post_entry
from live.models import Entry
from tests.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coverage(now, editor):
    Author.objects.create(name="Олена Коваль", slug="olena", user=editor)
    with system_gate():
        article = Article.objects.create(
            headline="Election night: the count, live",
            standfirst="Results from every district as they come in.",
            body="Follow the count here.",
            status="APPROVED",
            publish_at=now - timedelta(hours=2),
            coverage_start=now - timedelta(hours=2),
        )
    for n in range(22):
        post_entry(
            article,
            user=editor,
            body=f"District {n} reports: turnout {50 + n} %. 東京 and Київ follow.",
            title=f"District {n} counted" if n % 5 == 0 else "",
            key_event=n % 5 == 0,
            pinned=n == 21,
            publish_at=now - timedelta(minutes=60 - n),
        )
    return article


def sign_in(page, base, username="editor"):
    page.goto(base + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")


@pytest.fixture
def contexts(browser):
    """Two people's browsers, closed after the test: a reader's page keeps polling otherwise."""
    opened = [browser.new_context(), browser.new_context()]
    yield opened
    for context in opened:
        context.close()


def test_an_editor_posts_and_a_reader_is_offered_the_update(coverage, live_server, contexts, settings):
    settings.LIVE_POLL_SECONDS = 1
    reader = contexts[0].new_page()
    reader.goto(live_server.url + coverage.get_absolute_url())
    reader.evaluate("window.scrollTo(0, 900)")
    before = reader.evaluate("window.scrollY")
    desk = contexts[1].new_page()
    sign_in(desk, live_server.url)
    desk.goto(f"{live_server.url}/admin/articles/article/{coverage.pk}/change/")
    desk.focus("#live-body")
    desk.keyboard.type("Final result: the harbour party wins 23 seats.")
    desk.keyboard.press("Control+Enter")
    expect(desk.locator("#live-desk-status")).to_contain_text("Entry published at")
    expect(desk.locator("#live-desk-entries li").first).to_contain_text("the harbour party wins 23 seats")
    expect(desk.locator("#live-body")).to_be_focused()
    new = Entry.objects.latest("id")

    button = reader.get_by_role("button", name="1 new update")
    expect(button).to_be_visible(timeout=10_000)
    assert reader.evaluate("window.scrollY") == before  # nothing under the reader moved
    assert reader.locator(".live-news").get_attribute("aria-live") == "polite"
    button.click()
    expect(reader.locator(f"#entry-{new.pk}")).to_be_focused()
    expect(reader.locator(".live-entries > .live-entry").first).to_contain_text("23 seats")


def test_the_live_page_has_no_axe_violations(coverage, live_server, page):
    axe = Axe()
    shared = Entry.objects.filter(article=coverage).order_by("publish_at").first()
    violations = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for path in (coverage.get_absolute_url(), coverage.get_absolute_url() + "?page=2", shared.get_absolute_url()):
            page.goto(live_server.url + path)
            page.evaluate("document.querySelector('.live-new-button').hidden = false")
            page.evaluate("document.querySelector('.live-new-button').textContent = '3 new updates'")
            results = axe.run(page)
            if results.violations_count:
                violations[(scheme, path)] = [v["id"] for v in results.response["violations"]]
    assert violations == {}


def test_two_people_correcting_one_entry_see_both_versions_and_keep_theirs_or_mine(coverage, live_server, page, editor):
    """Two corrections of one entry: the second person sees both, marked word by word, with what
    they typed still in the form; saving again keeps theirs, or they take the other one's."""
    from live.door import edit_entry

    entry = Entry.objects.filter(article=coverage).latest("publish_at")
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/articles/article/{coverage.pk}/change/#live-desk")
    row = page.locator(f"#desk-entry-{entry.pk}")
    row.get_by_text("Correct", exact=True).click()
    # Meanwhile a colleague corrects the same words.
    edit_entry(
        entry.pk,
        user=editor,
        version=entry.version,
        base={"body": entry.body},
        changes={"body": entry.body.replace("turnout 71 %", "turnout 72 %")},
    )
    body = row.locator("textarea[name=body]")
    body.fill(entry.body.replace("turnout 71 %", "явка 73 %"))
    body.press("Control+Enter")
    conflict = row.locator(".live-desk-conflict")
    expect(conflict).to_be_focused()
    expect(conflict.locator("ins").first).to_be_visible()
    assert "72" in conflict.inner_text() and "73" in conflict.inner_text()
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        conflict.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"live-desk-conflict-{width}.png"))
    assert "явка 73 %" in body.input_value()  # nothing typed is lost
    body.press("Control+Enter")  # again: mine, over theirs
    expect(page.locator("#live-desk-status")).to_contain_text("Correction saved.")
    assert "явка 73 %" in Entry.objects.get(pk=entry.pk).body
