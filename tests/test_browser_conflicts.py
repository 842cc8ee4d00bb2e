"""The conflict screen in a real Chromium (issue 27, item 7): someone saved the same paragraph
meanwhile; the words each side changed are marked, and each paragraph is settled on its own."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.door import save_content
from articles.models import Article, Status
from tests.screens import SCREENSHOTS
from tests.test_admin_checkers import axe_summary
from tests.test_browser_newsroom import body_of, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "Пором «Чорноморець» вийшов з Одеси о шостій ранку.\n\n"
    "東京からの便は台風のため遅れた。\n\n"
    "Crews vote on the new rota on Monday 🗳️.\n\n"
    "Tickets bought before the strike are valid until March."
)


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_a_paragraph_both_changed_is_marked_and_settled_by_hand(
    page, live_server, make_user, make_article, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    maria = make_user("maria", "Editors", first_name="Марія", last_name="Лінд")
    make_user("editor", "Editors")
    article = make_article("Пором знову ходить ⛴️", body=BODY, status=Status.DRAFT, publish_at=None)
    login(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.get_by_role("button", name="Markdown").click()

    # Maria saves first: the first paragraph and the vote's day.
    theirs = BODY.replace("о шостій ранку", "о сьомій ранку").replace("on Monday", "on Tuesday")
    save_content(article, {"body": theirs}, user=maria, expected_version=article.version)

    # Meanwhile: the first paragraph too, and the Tokyo one.
    mine = BODY.replace("вийшов з Одеси о шостій", "вийшов з Одеси із запізненням о шостій").replace(
        "遅れた", "欠航した"
    )
    body_of(page).fill(mine)
    page.get_by_role("button", name="Save and continue editing").click()

    conflict = page.locator(".conflict")
    expect(conflict.get_by_role("heading")).to_contain_text("Марія Лінд saved this article at")
    choice = conflict.get_by_role("group", name="Body, paragraph 1")
    expect(conflict.get_by_role("group")).to_have_count(1)  # the other edits merged by themselves
    expect(choice.locator(".theirs del")).to_contain_text("шостій")
    expect(choice.locator(".theirs ins")).to_contain_text("сьомій")
    expect(choice.locator(".yours ins")).to_contain_text("із запізненням")
    expect(page.locator("#id_body")).to_have_value(mine.replace("on Monday", "on Tuesday"))  # nothing lost
    shot = page.locator(".conflict").screenshot if width < 800 else page.screenshot
    shot(path=str(SCREENSHOTS / f"conflict-{width}.png"))
    found = Axe().run(page)
    assert found.violations_count == 0, axe_summary(found)

    hand = choice.get_by_label("Body, paragraph 1, edited by hand")
    hand.fill("Пором «Чорноморець» вийшов з Одеси із запізненням о сьомій ранку.")
    expect(choice.get_by_label("Edit by hand")).to_be_checked()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Article.objects.get(pk=article.pk).body == (
        "Пором «Чорноморець» вийшов з Одеси із запізненням о сьомій ранку.\n\n"
        "東京からの便は台風のため欠航した。\n\n"
        "Crews vote on the new rota on Tuesday 🗳️.\n\n"
        "Tickets bought before the strike are valid until March."
    )


def test_several_clashes_one_side_everywhere_then_one_changed(page, live_server, make_user, make_article):
    page.set_viewport_size({"width": 1366, "height": 900})
    maria = make_user("maria", "Editors", first_name="Марія", last_name="Лінд")
    make_user("editor", "Editors")
    article = make_article("Пором знову ходить", body=BODY, status=Status.DRAFT, publish_at=None)
    login(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.get_by_role("button", name="Markdown").click()
    theirs = BODY.replace("шостій", "сьомій").replace("Monday", "Tuesday")
    save_content(article, {"body": theirs}, user=maria, expected_version=article.version)
    body_of(page).fill(BODY.replace("шостій", "восьмій").replace("Monday", "Friday"))
    page.get_by_role("button", name="Save and continue editing").click()

    conflict = page.locator("section.conflict")
    expect(conflict).to_be_focused()  # the page opens at the choices
    expect(conflict.get_by_role("group")).to_have_count(2)
    conflict.get_by_role("button", name="Keep theirs everywhere").click()
    expect(conflict.get_by_label("Keep theirs")).to_have_count(2)
    for choice in conflict.get_by_label("Keep theirs").all():
        expect(choice).to_be_checked()
    conflict.get_by_role("group", name="Body, paragraph 3").get_by_label("Keep mine").check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Article.objects.get(pk=article.pk).body == BODY.replace("шостій", "сьомій").replace("Monday", "Friday")
