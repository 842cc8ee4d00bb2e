"""What readers and editors see of the site settings, in a real browser: the logo in the header,
"Follow us" in the footer, the share-link banner, and the focal-point preview under the admin's
Content-Security-Policy. SCREENSHOT_DIR=/some/folder keeps screenshots of the pages checked."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from playwright.sync_api import expect

from articles.models import ShareLink, Status
from sitesettings.models import FollowLink, SiteSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def png(size):
    """A wordmark on a transparent background, as newsrooms' logos usually are."""
    picture = PILImage.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    height = size[1]
    draw.rounded_rectangle((0, 0, height, height), radius=height // 6, fill=(10, 77, 140, 255))
    draw.polygon([(height / 2, height * 0.2), (height * 0.75, height * 0.7), (height * 0.25, height * 0.7)], "white")
    font = ImageFont.load_default(size=int(height * 0.55))
    draw.text((height * 1.2, height / 2), "Port Ellery Post", font=font, fill=(120, 120, 120, 255), anchor="lm")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def screenshot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def site(media):
    row = SiteSettings(name="Port Ellery Post", copyright_holder="Ellery Publishing Ltd")
    row.logo = ContentFile(png((1200, 200)), name="post-logo.png")
    row.save()
    FollowLink.objects.create(site=row, label="Mastodon", url="https://social.example/@post", position=1)
    FollowLink.objects.create(site=row, label="Newsletter", url="https://post.example/newsletter", position=2)
    return row


def test_readers_see_the_logo_and_follow_us(site, live_server, page, make_article, editor):
    article = make_article("Ferry timetable changes for the winter", deck="Fewer crossings from December.")
    draft = make_article("Plans for the new quay", status=Status.DRAFT, publish_at=None)
    share = ShareLink.objects.create(article=draft, created_by=editor, expires_at=timezone.now() + timedelta(days=2))
    axe = Axe()
    violations = {}
    for device, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.goto(live_server.url + "/")
        logo = page.get_by_role("banner").get_by_role("img", name="Port Ellery Post")
        expect(logo).to_be_visible()
        assert logo.evaluate("img => img.complete && img.naturalWidth") == 600  # stored at most 600 × 200
        assert logo.bounding_box()["height"] <= 56 and logo.bounding_box()["width"] <= viewport["width"]
        follow = page.get_by_role("navigation", name="Follow us")
        expect(follow.get_by_role("heading", name="Follow us")).to_be_visible()
        links = follow.get_by_role("link")
        expect(links).to_have_text(["RSS feed", "Atom feed", "Mastodon", "Newsletter"])
        expect(page.get_by_role("contentinfo")).to_contain_text(f"© {timezone.localdate().year} Ellery Publishing Ltd")
        screenshot(page, f"home-{device}")
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for path in ("/", article.get_absolute_url(), share.url()):
                page.goto(live_server.url + path)
                results = axe.run(page)
                if results.violations_count:
                    violations[(device, scheme, path)] = [v["id"] for v in results.response["violations"]]
        page.emulate_media(color_scheme="light")
        page.goto(live_server.url + share.url())
        expect(page.get_by_role("status")).to_contain_text("Preview of an unpublished article, shared with you until")
        screenshot(page, f"share-link-{device}")
    assert violations == {}

    with page.expect_response(lambda response: response.url.endswith("/feeds/rss/")) as feed:
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="RSS feed").click()
    assert "<image><url>" in feed.value.text() and feed.value.ok


def test_an_editor_changes_the_settings_and_readers_see_them(media, live_server, page, editor):
    sign_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Site settings", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Change site settings")
    results = Axe().run(page)
    assert results.violations_count == 0, [v["id"] for v in results.response["violations"]]
    page.fill("#id_name", "Port Ellery Post")
    page.set_input_files("#id_logo", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png((300, 100))}])
    page.fill("#id_follow_links-0-label", "Newsletter")
    page.fill("#id_follow_links-0-url", "https://post.example/newsletter")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    screenshot(page, "admin-site-settings")

    reader = page.context.browser.new_page()
    reader.goto(live_server.url + "/")
    expect(reader.get_by_role("img", name="Port Ellery Post")).to_be_visible()
    expect(reader.get_by_role("navigation", name="Follow us").get_by_role("link", name="Newsletter")).to_have_attribute(
        "href", "https://post.example/newsletter"
    )
    reader.close()


def test_the_focal_point_preview_shows_the_chosen_file_before_upload(media, live_server, page, editor):
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else 0)
    sign_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/images/image/add/")
    buffer = io.BytesIO()
    PILImage.new("RGB", (800, 500), (20, 60, 120)).save(buffer, format="JPEG")
    upload = {"name": "quay.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}
    page.set_input_files("#id_file", files=[upload])
    preview = page.locator(".focal-point-picker img")
    page.wait_for_function(
        "() => { const img = document.querySelector('.focal-point-picker img');"
        " return img && img.src.startsWith('blob:') && img.complete && img.naturalWidth === 800; }"
    )
    expect(preview).to_be_visible()
    assert blocked == []
