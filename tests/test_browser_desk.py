"""The writing desk as a writer and an editor use it: the writing screen, scheduling, recall and the week."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Action, Article, Status
from articles.workflow import take_step
from tests.screens import SCREENSHOTS
from tests.test_browser_newsroom import body_of, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_writing_screen_counts_previews_and_orders_bylines(page, live_server, writer, make_author):
    make_author("Wren Hale", user=writer)
    make_author("Ines Moreau")
    login(page, live_server, "writer")
    page.goto(live_server.url + "/admin/articles/article/add/")

    # A new article is the writer's own.
    bylines = page.locator(".byline-inline tbody tr.form-row:not(.empty-form)")
    expect(bylines.first.locator("select")).to_have_value(re.compile(r"\d+"))
    expect(bylines.first).to_contain_text("Wren Hale")

    page.get_by_label("Headline").fill("Night buses return to the coast road")
    expect(page.locator("#id_headline_count")).to_have_text("36 characters (search results show about 110)")
    page.get_by_label("Standfirst").fill("Three routes run again from Friday.")
    expect(page.locator(".share-preview-title")).to_have_text("Night buses return to the coast road")
    expect(page.locator(".share-preview-description")).to_have_text("Three routes run again from Friday.")

    # In the Markdown source (issue 27's toggle), the toolbar wraps the selection; the preview is
    # the public page's sanitised rendering.
    page.get_by_role("button", name="Markdown").click()
    body = page.get_by_label("Body")
    body.fill("Drivers are back")
    body.evaluate("area => area.setSelectionRange(0, 7)")
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Bold").click()
    expect(body).to_have_value("**Drivers** are back")
    body.press("End")
    body.type("\n\n## Timetable\n\nFirst bus *at six*.<script>document.title='owned'</script>")
    preview = page.frame_locator("iframe[title=Preview]").locator(".article-body")
    expect(preview.locator("strong")).to_have_text("Drivers")
    expect(preview.locator("h2")).to_have_text("Timetable")
    expect(preview.locator("em")).to_have_text("at six")
    expect(preview.locator("script")).to_have_count(0)
    expect(page.locator(".body-stats")).to_have_text(re.compile(r"^\d+ words · about 1 min to read$"))
    typed = body.input_value()
    body.fill("")
    expect(page.locator(".body-stats")).to_have_text("No words yet")
    body.fill("Київ")
    expect(page.locator(".body-stats")).to_have_text("1 word · about 1 min to read")
    body.fill(typed)
    assert page.title() != "owned"

    # A second author, dragged above the first: the order is saved as shown.
    page.locator(".byline-inline .add-row a").click()
    second = bylines.nth(1)
    second.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Ines")
    page.locator(".select2-results__option", has_text="Ines Moreau").click()
    second.drag_to(bylines.first)
    expect(bylines.first).to_contain_text("Ines Moreau")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(headline="Night buses return to the coast road")
    assert [byline.author.name for byline in article.bylines.order_by("position")] == ["Ines Moreau", "Wren Hale"]
    assert "**Drivers** are back" in article.body

    # What is typed and not saved, in the public design; nothing is saved by looking.
    page.get_by_label("Headline").fill("Night buses return, unsaved")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview what you typed, unsaved").click()
    expect(opened.value.get_by_role("heading", level=1)).to_have_text("Night buses return, unsaved")
    article.refresh_from_db()
    assert article.headline == "Night buses return to the coast road"


def test_recall_publish_now_after_a_long_read_and_moving_on_the_week(page, live_server, writer, editor, make_article):
    # The writer submits, finds it on the desk, and recalls it.
    login(page, live_server, "writer")
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.get_by_label("Headline").fill("Harbour cranes to be repainted")
    body_of(page).fill("The work starts in spring.")
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".workflow-state")).to_have_text("In review")
    page.goto(live_server.url + "/admin/")
    page.locator("#my-in-review").get_by_role("link", name="Harbour cranes to be repainted").click()
    page.get_by_role("button", name="Recall to draft").click()
    expect(page.locator(".workflow-state")).to_have_text("Draft")
    page.get_by_role("button", name="Submit for review").click()
    # Answered before the cookies are cleared: a response still on its way would set them again.
    expect(page.locator(".workflow-state")).to_have_text("In review")

    # The editor opens it, reads for five minutes, then publishes now: now is the click, not the opening.
    login(page, live_server, "editor")
    page.locator("#awaiting-review").get_by_role("link", name="Harbour cranes to be repainted").click()
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        page.get_by_role("button", name="Approve & publish now").click()
        # What goes live is shown before it does.
        expect(page.get_by_role("region", name=re.compile("what goes live now"))).to_contain_text(
            "Harbour cranes to be repainted"
        )
        page.get_by_role("button", name="Publish now", exact=True).click()
        expect(page.locator(".workflow-state")).to_have_text("Published")
    article = Article.objects.get(headline="Harbour cranes to be repainted")
    assert article.status == Status.APPROVED and abs(article.publish_at - later) < timedelta(seconds=1)

    # The week: a scheduled story moved a day later, through the workflow.
    tomorrow = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    scheduled = make_article("Lighthouse open day", status=Status.DRAFT, publish_at=None)
    take_step(scheduled, "approve", user=editor, when=tomorrow)
    page.goto(live_server.url + "/admin/articles/article/calendar/")
    entry = page.locator(".calendar-entry", has_text="Lighthouse open day")
    moved = tomorrow + timedelta(days=1)
    if entry.count() == 0:  # tomorrow is next week
        page.get_by_role("link", name="Next week →").click()
    entry.get_by_label("Move to").fill(moved.strftime("%Y-%m-%d %H:%M"))
    entry.get_by_role("button", name="Move").click()
    expect(page.locator(".messagelist")).to_be_visible()
    scheduled.refresh_from_db()
    assert scheduled.publish_at == moved
    assert scheduled.events.filter(action=Action.RESCHEDULE).exists()


def test_steps_save_what_was_typed_and_enter_only_saves(page, live_server, writer, make_article):
    draft = make_article("Тиждень у Львові", status=Status.DRAFT, publish_at=None, created_by=writer, body="Day one.")
    login(page, live_server, "writer")
    page.goto(live_server.url + f"/admin/articles/article/{draft.pk}/change/")
    page.get_by_label("Headline").fill("Тиждень у Львові: день другий")
    page.get_by_label("Headline").press("Enter")  # the form's default button is Save, never a step
    expect(page).to_have_url(re.compile(r"/admin/articles/article/$"))
    draft.refresh_from_db()
    assert draft.headline == "Тиждень у Львові: день другий" and draft.status == Status.DRAFT
    page.goto(live_server.url + f"/admin/articles/article/{draft.pk}/change/")
    body_of(page).fill("Day one.\n\nDay two, typed and never saved: 東京から.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".workflow-state")).to_have_text("In review")
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW and draft.body.endswith("東京から.")


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_a_writers_new_article_reaches_review_in_two_presses(page, live_server, writer, make_author, width, height):
    """From the desk: "Write an article", type, "Submit for review" (was: Add, Save, Submit, with
    a page between)."""
    make_author("Олена Коваль", user=writer)
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, "writer")
    page.get_by_role("link", name="Write an article").click()
    page.get_by_label("Headline").fill("Нічний пором до Одеси ⛴️")
    body_of(page).fill("Перший рейс у неділю. 東京からの観光客も.")
    page.get_by_label("Standfirst").fill("Перший рейс у неділю.")
    shot = page.locator(".workflow").screenshot if width < 800 else page.screenshot
    shot(path=str(SCREENSHOTS / f"new-article-submit-{width}.png"))
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".workflow-state")).to_have_text("In review")
    expect(page.locator(".messagelist")).to_contain_text("Нічний пором до Одеси")
    article = Article.objects.get(headline="Нічний пором до Одеси ⛴️")
    assert article.status == Status.IN_REVIEW
    assert article.body == "Перший рейс у неділю. 東京からの観光客も."
    assert [author.name for author in article.byline] == ["Олена Коваль"]
