"""What a writer sees when the input is not what readers will get, in a real Chromium."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_HEADLINE = (
    "Council approves the harbour bridge repair plan after a four-hour night session "
    "that ended with a narrow vote and angry residents"
)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_a_headline_longer_than_110_characters_is_warned_about(page, live_server, writer, viewport, tmp_path):
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/admin/articles/article/add/")
    headline = page.get_by_label("Headline")
    warning = page.locator("#headline-length-warning")
    headline.fill(LONG_HEADLINE[:110])
    expect(warning).to_be_hidden()
    headline.fill(LONG_HEADLINE)
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"{len(LONG_HEADLINE)} characters")
    expect(headline).to_have_attribute("aria-describedby", "id_headline_helptext headline-length-warning")
    page.screenshot(path=tmp_path / f"headline-warning-{viewport['width']}.png", full_page=False)
    headline.fill("Council approves the bridge plan")
    expect(warning).to_be_hidden()
