"""Draft copies in the browser (issue 27, item 4): typed in one browser, kept on the server
within seconds ("Saved to drafts 2 s ago"), offered in another browser, gone after a save."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article, DraftCopy, Status
from tests.screens import SCREENSHOTS
from tests.test_browser_newsroom import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_draft_typed_in_one_browser_is_offered_in_another(browser, live_server, make_user, make_article):
    make_user("maria", "Editors")
    article = make_article("Night ferry returns", status=Status.DRAFT, publish_at=None, body="Old body.")
    path = f"{live_server.url}/admin/articles/article/{article.pk}/change/"

    first = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(first, live_server, "maria")
    first.goto(path)
    body = first.get_by_role("textbox", name="Body")
    body.click()
    first.keyboard.press("End")
    first.keyboard.type(" The Київ crossing starts on 31 December.")
    expect(first.locator(".draft-copy-status")).to_have_text(re.compile(r"^Saved to drafts \d+ s ago$"), timeout=10_000)
    assert DraftCopy.objects.get().fields["body"] == "Old body. The Київ crossing starts on 31 December."
    assert Article.objects.get(pk=article.pk).body == "Old body."
    first.context.close()

    # Another browser (a phone on the way home): the copy is offered and restored into the editor.
    second = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    login(second, live_server, "maria")
    second.goto(path)
    notice = second.locator(".draft-copy-notice")
    expect(notice).to_contain_text("did not save")
    notice.scroll_into_view_if_needed()
    second.screenshot(path=str(SCREENSHOTS / "draft-copy-offered-390.png"))
    notice.get_by_role("button", name="Restore my draft").click()
    expect(second.get_by_role("textbox", name="Body")).to_have_text(
        "Old body. The Київ crossing starts on 31 December."
    )
    second.get_by_role("button", name="Save and continue editing").click()
    expect(second.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Article.objects.get(pk=article.pk).body == "Old body. The Київ crossing starts on 31 December."
    assert not DraftCopy.objects.exists()
    expect(second.locator(".draft-copy-notice")).to_have_count(0)
