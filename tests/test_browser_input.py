"""What a writer sees when the input is not what readers will get, in a real Chromium."""

import pytest
from django.contrib.auth.models import User
from PIL import Image as PILImage
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


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_an_image_form_says_what_it_refused(page, live_server, editor, viewport, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    picture = tmp_path / "strip.png"
    PILImage.new("RGB", (40, 30), "navy").save(picture)
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/admin/images/image/add/")
    page.locator("#id_file").set_input_files(picture)
    page.get_by_label("Title").fill("Harbour")
    page.get_by_label("Alt text").fill("Boats in the harbour")
    page.get_by_label("Caption").fill("The <b>harbour</b> at dawn")
    page.get_by_role("button", name="Save", exact=True).click()
    error = page.locator(".field-caption .errorlist")
    expect(error).to_contain_text("This is plain text: remove the HTML tags such as “<b>” (here “<b>”)")
    page.screenshot(path=tmp_path / f"image-form-error-{viewport['width']}.png", full_page=True)
    assert not list((tmp_path / "media").rglob("*.*"))  # the renditions made before the form was refused are gone


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_the_page_people_get_when_the_server_cannot_write(page, live_server, viewport, tmp_path, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    def full(self, must_create=False):
        raise OperationalError("database or disk is full")

    User.objects.create_superuser("chief", "chief@example.org", "pw-chief-2026")
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/admin/login/")
    monkeypatch.setattr(SessionStore, "save", full)
    monkeypatch.setattr(SessionStore, "create", full)
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill("pw-chief-2026")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 503
    expect(page.get_by_role("heading", level=1)).to_have_text("We cannot save anything just now")
    page.screenshot(path=tmp_path / f"503-{viewport['width']}.png", full_page=True)
