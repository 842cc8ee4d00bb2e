"""The API's docs page works in a real browser under the site's Content-Security-Policy,
and an editor makes an API key in the admin and sees it once."""

import os

import pytest
from playwright.sync_api import expect

PASSWORD = "harbour-keys-2026"
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def shoot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=False)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_the_docs_page_renders_every_endpoint_without_csp_violations(page, live_server, viewport, make_article):
    make_article("Bridge reopens")
    page.set_viewport_size(viewport)
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator('.opblock-summary-path[data-path="/api/v1/articles/{id}/"]')).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/staff/articles/{id}/steps/")).to_be_visible()
    shoot(page, f"api-docs-{viewport['width']}")
    assert violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_makes_a_key_and_sees_it_once(page, live_server, make_user):
    editor = make_user("keyholder", "Editors")
    editor.set_password(PASSWORD)
    editor.save()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "keyholder")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/api/apitoken/add/")
    page.fill("#id_name", "Wire feed")
    page.click("input[name=_save]")
    expect(page.locator("#api-key")).to_contain_text("nr_")
    key = page.locator("#api-key").text_content().strip()
    shoot(page, "api-key-created")
    page.goto(f"{live_server.url}/admin/api/apitoken/")
    listing = page.locator("#result_list")
    expect(listing).to_contain_text("Wire feed")
    expect(listing).to_contain_text(key[:10])  # recognisable by its start…
    expect(listing).not_to_contain_text(key)  # …never shown again
