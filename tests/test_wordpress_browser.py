"""The oddest imported posts (a word longer than a phone, a wide table, code, a gallery and
embeds) read without scrolling sideways on a phone (390 px) and a laptop (1366 px), and show their
gallery, table, code and embed placeholders as such. Screenshots go to tests/screens.py's folder."""

import io

import pytest
from django.core.management import call_command
from PIL import Image as PILImage
from playwright.sync_api import expect

from articles.models import Article
from pages.models import Page
from tests.screens import SCREENSHOTS
from tests.wordpress.make_export import export

VIEWPORTS = [(390, 844), (1366, 900)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_oddest_imported_posts_do_not_scroll_sideways(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    uploads = tmp_path / "uploads" / "2009" / "05"
    uploads.mkdir(parents=True)
    for name, colour in {"quay.jpg": "navy", "ferry.jpg": "teal", "gulls.png": "white", "crane.jpg": "orange"}.items():
        PILImage.new("RGB", (1600, 1000), colour).save(uploads / name)
    path = tmp_path / "export.xml"
    path.write_text(export(posts=0), encoding="utf-8")
    call_command("import_wordpress", str(path), "--media-dir", str(tmp_path / "uploads"), stdout=io.StringIO())
    Page.objects.filter(path="/about/").update(in_footer=True)
    odd = Article.objects.get(slug="late-night").get_absolute_url()
    addresses = [odd, Article.objects.get(slug="leap-day").get_absolute_url(), "/about/", "/archive/2009/05/"]
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + odd)
        body = page.locator(".article-body")
        expect(body.locator(".gallery figure.gallery-image")).to_have_count(3)
        expect(body.locator(".table-scroll table th").first).to_have_text("Ferry")
        expect(body.locator("pre code")).to_contain_text("def timetable():")
        expect(body.get_by_role("button", name="Play the video here (loads YouTube)")).to_be_visible()
        expect(body.get_by_role("button", name="Play the video here (loads Vimeo)")).to_be_visible()
        assert page.locator("iframe").count() == 0
        for text in ("[gallery", "[caption", "~~", "[contact-form", "[pullquote"):
            assert text not in body.inner_text(), text
        for address in addresses:
            response = page.goto(live_server.url + address)
            assert response.status == 200, address
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            name = address.strip("/").replace("/", "-")
            page.screenshot(path=str(SCREENSHOTS / f"wordpress-{name}-{width}.png"), full_page=True)
            assert overflow <= 0, f"{address} scrolls sideways by {overflow} px at {width} px"
