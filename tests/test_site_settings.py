"""Site settings: editors change the publication's name, logo, "Follow us" links and copyright
holder in the admin; readers see them in the header, footer, structured data and feeds at once."""

import io
import json
import os
import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from articles.models import ShareLink, Status
from sitesettings.models import SiteSettings

CHANGE_URL = reverse("admin:sitesettings_sitesettings_change", args=[1])
LIST_URL = reverse("admin:sitesettings_sitesettings_changelist")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def environment(settings):
    settings.SITE_NAME = "The Harbour Gazette"
    settings.SITE_PUBLISHER = "Harbour Media Ltd"
    settings.FOLLOW_LINKS = [
        ("Mastodon", "https://social.example/@gazette"),
        ("RSS", "/feeds/rss/"),  # the feeds are always listed: not a second time
        ("Evil", "javascript:alert(1)"),
    ]


def picture(size=(1800, 300), image_format="PNG", mode="RGBA"):
    image = PILImage.new(mode, size, (10, 77, 140, 255) if mode == "RGBA" else (10, 77, 140))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    buffer.seek(0)
    buffer.name = f"logo.{image_format.lower()}"
    return buffer


def form_data(**changes):
    data = {
        "name": "The Harbour Gazette",
        "copyright_holder": "Harbour Media Ltd",
        "follow_links-TOTAL_FORMS": "1",
        "follow_links-INITIAL_FORMS": "0",
        "follow_links-MIN_NUM_FORMS": "0",
        "follow_links-MAX_NUM_FORMS": "1000",
        "follow_links-0-label": "",
        "follow_links-0-url": "",
        "follow_links-0-position": "0",
    }
    data.update(changes)
    return data


def footer(html):
    return html[html.index('<footer class="site-footer">') :]


def json_ld(html):
    return [json.loads(text) for text in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def strings(value):
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return [value]


# --- Before any editor opened them: the environment's values -----------------------------


def test_without_a_row_pages_show_the_environment_values_and_always_follow_us(client, db):
    html = client.get("/").content.decode()
    assert '<p class="site-name"><a href="/">The Harbour Gazette</a></p>' in html
    foot = footer(html)
    assert "<h2" in foot and "Follow us</h2>" in foot
    assert '<a href="/feeds/rss/">RSS feed</a>' in foot and '<a href="/feeds/atom/">Atom feed</a>' in foot
    assert '<a href="https://social.example/@gazette" rel="me noopener">Mastodon</a>' in foot
    assert "javascript:" not in html and foot.count("/feeds/rss/") == 1
    assert f"© {timezone.localdate().year} Harbour Media Ltd" in foot
    assert not SiteSettings.objects.exists()  # reading never writes


def test_the_footer_follows_us_with_the_feeds_even_with_no_links_at_all(client, db, settings):
    settings.FOLLOW_LINKS = []
    foot = footer(client.get("/").content.decode())
    assert "Follow us" in foot and "RSS feed" in foot and "Atom feed" in foot


# --- Who may change them ---------------------------------------------------------------


def test_an_editor_finds_one_row_seeded_from_the_environment(client, editor):
    client.force_login(editor)
    response = client.get(LIST_URL)
    assert response.status_code == 302 and response["Location"] == CHANGE_URL
    row = SiteSettings.objects.get()
    assert (row.name, row.copyright_holder) == ("The Harbour Gazette", "Harbour Media Ltd")
    assert [(link.label, link.url) for link in row.follow_links.all()] == [
        ("Mastodon", "https://social.example/@gazette")
    ]
    page = client.get(CHANGE_URL).content.decode()
    assert "Save" in page and 'name="_addanother"' not in page
    assert "deletelink" not in page  # no delete button
    assert client.get(reverse("admin:sitesettings_sitesettings_add")).status_code == 403
    assert client.post(reverse("admin:sitesettings_sitesettings_delete", args=[1]), {"post": "yes"}).status_code == 403
    assert SiteSettings.objects.count() == 1
    index = client.get(reverse("admin:index")).content.decode()
    assert LIST_URL in index


def test_writers_can_neither_see_nor_change_them(client, writer, editor):
    SiteSettings.load()
    client.force_login(writer)
    assert client.get(LIST_URL).status_code == 403
    assert client.get(CHANGE_URL).status_code == 403
    assert client.post(CHANGE_URL, form_data(name="Hijacked")).status_code == 403
    assert SiteSettings.objects.get().name == "The Harbour Gazette"
    assert LIST_URL not in client.get(reverse("admin:index")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Changing them -----------------------------------------------------------------------


# The clock stands still on an ordinary day: a cached page never outlives the newsroom's New Year,
# so a run that crossed it (CI's moved clock, a real 31 December) would miss where a hit is expected.
@time_machine.travel(datetime(2028, 2, 29, 10, 0, tzinfo=UTC), tick=False)
def test_a_change_shows_at_once_on_cached_pages_feeds_and_structured_data(
    client, editor, make_article, django_capture_on_commit_callbacks
):
    article = make_article("Ferry timetable changes")
    for path in ("/", article.get_absolute_url(), "/feeds/rss/"):
        assert client.get(path)["X-Page-Cache"] == "miss"
        assert client.get(path)["X-Page-Cache"] == "hit"

    staff = client.__class__()
    staff.force_login(editor)
    staff.get(LIST_URL)
    response = staff.post(
        CHANGE_URL,
        form_data(
            name="Port Ellery Post",
            copyright_holder="Ellery Publishing",
            logo=picture(),
            **{"follow_links-0-label": "Newsletter", "follow_links-0-url": "https://post.example/newsletter"},
            **{"follow_links-TOTAL_FORMS": "1"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    row = SiteSettings.objects.get()
    assert (row.logo_width, row.logo_height) == (600, 100)  # scaled down to fit 600 × 200
    logo_url = row.logo.url

    home = client.get("/")
    html = home.content.decode()
    assert home["X-Page-Cache"] == "miss"
    assert "<title>Port Ellery Post</title>" in html
    assert f'<img class="site-logo" src="{logo_url}" width="600" height="100" alt="Port Ellery Post">' in html
    assert '<a href="https://post.example/newsletter" rel="me noopener">Newsletter</a>' in footer(html)
    assert footer(html).index("Mastodon") < footer(html).index("Newsletter")  # seeded first, then added
    assert "© 2028 Ellery Publishing" in footer(html)
    assert client.get(logo_url).status_code == 200

    publisher = next(node for node in json_ld(html)[0]["@graph"] if node["@type"] == "NewsMediaOrganization")
    expected_logo = {"@type": "ImageObject", "url": f"http://testserver{logo_url}", "width": 600, "height": 100}
    assert publisher["name"] == "Ellery Publishing" and publisher["logo"] | {"url": ""} == expected_logo | {"url": ""}
    assert publisher["logo"]["url"].endswith(logo_url)
    assert publisher["sameAs"] == ["https://social.example/@gazette", "https://post.example/newsletter"]

    news_article = json_ld(client.get(article.get_absolute_url()).content.decode())[0]
    assert news_article["publisher"]["logo"] == publisher["logo"]
    assert news_article["publisher"]["name"] == "Ellery Publishing"

    channel = ElementTree.fromstring(client.get("/feeds/rss/").content).find("channel")
    assert channel.findtext("title") == "Port Ellery Post"
    assert channel.findtext("image/url") == publisher["logo"]["url"]
    assert channel.findtext("image/title") == "Port Ellery Post"
    assert channel.find("image/width") is None  # RSS allows at most 144 pixels
    assert channel.findtext("copyright") == "© 2028 Ellery Publishing"
    atom = ElementTree.fromstring(client.get("/feeds/atom/").content)
    assert atom.findtext(f"{ATOM}logo") == publisher["logo"]["url"]

    # Clearing the logo brings the name back, and the stored file goes.
    stored = row.logo.path
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            CHANGE_URL, form_data(name="Port Ellery Post", copyright_holder="Ellery Publishing", **{"logo-clear": "on"})
        )
    html = client.get("/").content.decode()
    assert '<p class="site-name"><a href="/">Port Ellery Post</a></p>' in html
    assert "logo" not in json.dumps(json_ld(html))
    assert not os.path.exists(stored)  # once the change is committed


def test_a_small_logo_gives_its_size_in_rss(client, editor):
    client.force_login(editor)
    client.get(LIST_URL)
    client.post(CHANGE_URL, form_data(logo=picture((120, 40), "JPEG", "RGB")))
    row = SiteSettings.objects.get()
    assert (row.logo_width, row.logo_height) == (120, 40) and row.logo.name.endswith(".jpg")  # never scaled up
    channel = ElementTree.fromstring(client.get("/feeds/rss/").content).find("channel")
    assert (channel.findtext("image/width"), channel.findtext("image/height")) == ("120", "40")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://files.example/logo", "data:text/html,<script>alert(1)</script>"],
)
def test_follow_links_must_be_web_addresses(client, editor, url):
    client.force_login(editor)
    client.get(LIST_URL)
    response = client.post(CHANGE_URL, form_data(**{"follow_links-0-label": "Bad", "follow_links-0-url": url}))
    assert response.status_code == 200
    assert "Enter a" in response.content.decode()
    assert not SiteSettings.objects.get().follow_links.filter(label="Bad").exists()


def test_a_logo_that_is_not_a_picture_is_refused_with_the_reason(client, editor):
    client.force_login(editor)
    client.get(LIST_URL)
    fake = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    fake.name = "logo.png"
    response = client.post(CHANGE_URL, form_data(logo=fake))
    assert response.status_code == 200
    assert "is not a JPEG, PNG, WebP or GIF image" in response.content.decode()
    assert not SiteSettings.objects.get().logo


def test_a_required_name_and_holder(client, editor):
    client.force_login(editor)
    client.get(LIST_URL)
    response = client.post(CHANGE_URL, form_data(name="", copyright_holder=""))
    assert response.status_code == 200 and response.content.decode().count("This field is required") == 2


def test_everything_an_editor_types_is_escaped(client, editor, make_article):
    article = make_article("Harbour news")
    hostile = '</script><script>alert("x")</script>&'
    client.force_login(editor)
    client.get(LIST_URL)
    response = client.post(
        CHANGE_URL,
        form_data(
            name=hostile,
            copyright_holder=hostile,
            **{"follow_links-0-label": hostile, "follow_links-0-url": 'https://x.example/"><b>'},
        ),
    )
    assert response.status_code == 302
    client.logout()
    for path in ("/", article.get_absolute_url()):
        html = client.get(path).content.decode()
        assert "<script>alert" not in html and '"><b>' not in html
        assert "&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;" in html
        # JSON-LD stays one script whose text parses back to what was typed.
        assert hostile in strings(json_ld(html))
    for path in ("/feeds/rss/", "/feeds/atom/"):
        content = client.get(path).content
        assert b"<script>" not in content
        ElementTree.fromstring(content)  # well-formed


# --- Cost ----------------------------------------------------------------------------------


def test_reading_the_settings_costs_no_query_in_steady_state(client, editor, make_article, settings):
    settings.PAGE_CACHE_ENABLED = False  # every request renders
    article = make_article("Tide tables")
    client.force_login(editor)
    client.get(LIST_URL)  # the row exists, with links
    client.logout()
    client.get("/")
    for path in ("/", article.get_absolute_url(), "/feeds/rss/", "/news-sitemap.xml"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        assert not [q["sql"] for q in queries if "sitesettings" in q["sql"]], path


# --- The share-link page --------------------------------------------------------------------


def test_a_share_link_tells_its_recipient_what_the_page_is(client, editor, make_article, settings):
    draft = make_article("Plans for the new quay", status=Status.DRAFT, publish_at=None)
    expires = timezone.now().replace(microsecond=0) + timedelta(days=3)
    link = ShareLink.objects.create(article=draft, created_by=editor, expires_at=expires)
    html = client.get(link.url()).content.decode()
    local = timezone.localtime(expires)
    assert "Preview of an unpublished article, shared with you until " in html
    assert f"{local.hour:02d}:{local.minute:02d} {local.tzname()}</time>" in html
    assert f'datetime="{expires.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"' in html
    assert "Do not share" not in html


def test_a_shared_article_that_went_live_says_so(client, editor, make_article):
    article = make_article("Quay opens")
    link = ShareLink.objects.create(article=article, created_by=editor)
    html = client.get(link.url()).content.decode()
    assert "It has since been published" in html and f'href="{article.get_absolute_url()}"' in html


def test_the_staff_preview_keeps_its_own_banner(client, editor, make_article):
    draft = make_article("Quay plans", status=Status.DRAFT, publish_at=None)
    client.force_login(editor)
    html = client.get(reverse("articles:preview", args=[draft.pk])).content.decode()
    assert "Preview — this article is draft and not public." in html and "shared with you" not in html


# --- The admin's policy and icon ----------------------------------------------------------------


def test_blob_images_are_allowed_on_admin_pages_only(client, editor, make_article):
    assert "blob:" not in client.get("/")["Content-Security-Policy"]
    client.force_login(editor)
    policy = client.get(reverse("admin:images_image_add"))["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert "blob:" in img_src.split()


def test_admin_pages_have_their_own_favicon(client, editor):
    client.force_login(editor)
    for url in (reverse("admin:index"), reverse("admin:images_image_add"), LIST_URL + "1/change/"):
        html = client.get(url, follow=True).content.decode()
        assert '<link rel="icon" href="/static/admin-favicon.svg" type="image/svg+xml">' in html, url
    assert "admin-favicon" not in client.get("/").content.decode()
