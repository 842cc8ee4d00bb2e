"""The oddest imported posts (a word longer than a phone, a wide table, code, a gallery and
embeds) read without scrolling sideways on a phone (390 px) and a laptop (1366 px).
Screenshots are written to the test's folder (keep them with `--basetemp`)."""

import io

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from articles.models import Article
from tests.wordpress.make_export import export

WIDTHS = [390, 1366]


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
    addresses = [Article.objects.get(slug=slug).get_absolute_url() for slug in ("late-night", "leap-day")]
    addresses += ["/about/", "/archive/2009/05/"]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for address in addresses:
            response = page.goto(live_server.url + address)
            assert response.status == 200, address
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            name = address.strip("/").replace("/", "-")
            page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
            assert overflow <= 0, f"{address} scrolls sideways by {overflow} px at {width} px"
