"""RSS and Atom feeds: well-formed, complete, live articles only, a fixed number of queries."""

import io
import xml.etree.ElementTree as ET
from datetime import UTC, timedelta
from email.utils import parsedate_to_datetime

import feedparser
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from PIL import Image as Picture
from taggit.models import Tag

from articles.models import Article, Status, system_gate
from images.models import Image
from sitesettings.models import current

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


@pytest.fixture
def lead_image(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Picture.new("RGB", (40, 30), "navy").save(buffer, "JPEG")
    return Image.objects.create(
        file=SimpleUploadedFile("pier.jpg", buffer.getvalue(), content_type="image/jpeg"),
        title="Pier",
        alt_text="The pier at dawn",
        credit="Ana Reyes",
    )


@pytest.fixture
def newsroom(make_theme, make_author, make_article, lead_image, now):
    harbour = make_theme("Harbour bridge", slug="harbour-bridge")
    ana = make_author("Ana Reyes", slug="ana-reyes")
    ben = make_author("Ben Okafor", slug="ben-okafor")
    newer = make_article(
        "Bridge engineers find cracks",
        standfirst="Engineers inspecting the old bridge found cracks in two piers, and the council will meet.",
        theme=harbour,
        authors=[ana, ben],
        tags=["transport", "engineering"],
        lead_image=lead_image,
        publish_at=now - timedelta(hours=1),
        updated_at=now - timedelta(minutes=10),
    )
    older = make_article("Bridge closes", theme=harbour, authors=[ana], publish_at=now - timedelta(hours=3))
    make_article("Draft about the bridge", theme=harbour, authors=[ana], tags=["transport"], status=Status.DRAFT)
    make_article("Withdrawn bridge story", theme=harbour, authors=[ana], tags=["transport"], status=Status.WITHDRAWN)
    make_article("Scheduled bridge story", theme=harbour, authors=[ana], publish_at=now + timedelta(hours=1))
    return {"theme": harbour, "ana": ana, "newer": newer, "older": older}


def rss(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return ET.fromstring(response.content).find("channel")


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert not feedparser.parse(response.content).bozo
    return ET.fromstring(response.content)


FEEDS = [
    ("/feeds/rss/", "/feeds/atom/"),
    ("/themes/harbour-bridge/feed/", "/themes/harbour-bridge/feed/atom/"),
    ("/authors/ana-reyes/feed/", "/authors/ana-reyes/feed/atom/"),
]


@pytest.mark.parametrize(("rss_url", "atom_url"), FEEDS)
def test_feeds_list_live_articles_only(client, newsroom, settings, rss_url, atom_url):
    expected = [settings.SITE_URL + newsroom[key].get_absolute_url() for key in ("newer", "older")]
    channel = rss(client, rss_url)
    assert [item.findtext("link") for item in channel.findall("item")] == expected
    feed = atom(client, atom_url)
    assert [entry.find(f"{ATOM}link").get("href") for entry in feed.findall(f"{ATOM}entry")] == expected


def test_rss_items_are_complete(client, newsroom, settings):
    channel = rss(client, "/feeds/rss/")
    assert channel.findtext("title") == settings.SITE_NAME
    assert channel.findtext("link") == settings.SITE_URL + "/"
    assert channel.findtext("description") == settings.SITE_DESCRIPTION
    assert channel.findtext("copyright") == f"© {timezone.localdate().year} {settings.SITE_PUBLISHER}"
    item = channel.find("item")
    article = newsroom["newer"]
    assert item.findtext("title") == "Bridge engineers find cracks"
    assert item.findtext("description") == article.standfirst
    assert [creator.text for creator in item.findall(f"{DC}creator")] == ["Ana Reyes", "Ben Okafor"]
    assert [c.text for c in item.findall("category")] == ["Harbour bridge", "engineering", "transport"]
    assert parsedate_to_datetime(item.findtext("pubDate")) == article.publish_at
    assert item.findtext("guid") == settings.SITE_URL + article.get_absolute_url()
    enclosure = item.find("enclosure")
    assert enclosure.get("url").startswith(settings.SITE_URL + "/media/images/")
    assert enclosure.get("type") == "image/jpeg"
    assert int(enclosure.get("length")) > 0
    media = item.find(f"{MEDIA}content")
    assert media.get("url") == enclosure.get("url") and media.get("medium") == "image"
    assert (media.get("width"), media.get("height")) == ("40", "30")
    assert media.find(f"{MEDIA}description") is None  # readers would take it for the summary
    assert media.findtext(f"{MEDIA}credit") == "Ana Reyes"
    content = item.findtext(f"{CONTENT}encoded")
    assert content.startswith('<figure><img src="' + settings.SITE_URL + "/media/images/")
    assert 'alt="The pier at dawn"' in content and "<figcaption>(Ana Reyes)</figcaption>" in content
    assert "<p>Paragraph one of story" in content and "<p>Paragraph two.</p>" in content
    assert channel.findall("item")[1].find("enclosure") is None


def test_atom_entries_are_complete(client, newsroom, settings):
    feed = atom(client, "/feeds/atom/")
    article = newsroom["newer"]
    assert feed.findtext(f"{ATOM}title") == settings.SITE_NAME
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == settings.SITE_URL + "/feeds/atom/"
    assert parse_datetime(feed.findtext(f"{ATOM}updated")) == article.updated_at
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Bridge engineers find cracks"
    assert entry.findtext(f"{ATOM}summary") == article.standfirst
    authors = entry.findall(f"{ATOM}author")
    assert [author.findtext(f"{ATOM}name") for author in authors] == ["Ana Reyes", "Ben Okafor"]
    assert authors[0].findtext(f"{ATOM}uri") == settings.SITE_URL + newsroom["ana"].get_absolute_url()
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html" and 'alt="The pier at dawn"' in content.text
    assert parse_datetime(entry.findtext(f"{ATOM}published")) == article.publish_at
    assert parse_datetime(entry.findtext(f"{ATOM}updated")) == article.updated_at
    assert entry.findtext(f"{ATOM}id") == settings.SITE_URL + article.get_absolute_url()
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Harbour bridge", "engineering", "transport"]
    assert entry.find(f"{ATOM}link[@rel='enclosure']").get("type") == "image/jpeg"
    assert entry.find(f"{MEDIA}content").get("medium") == "image"


def test_tag_feed_and_unknown_feeds(client, newsroom):
    channel = rss(client, "/tags/engineering/feed/")
    assert [item.findtext("title") for item in channel.findall("item")] == ["Bridge engineers find cracks"]
    assert len(atom(client, "/tags/transport/feed/atom/").findall(f"{ATOM}entry")) == 1
    for url in ("/tags/nope/feed/", "/themes/nope/feed/", "/authors/nope/feed/atom/"):
        assert client.get(url).status_code == 404


def test_a_tag_only_drafts_carry_has_no_feed_until_a_story_with_it_goes_live(client, make_article, now):
    """Its name would tell of an unpublished story, as the tag page would."""
    with time_machine.travel(now, tick=False):
        make_article("Draft about the strike", tags=["страйк"], status=Status.DRAFT)
        make_article("Strike called for Monday", tags=["страйк"], publish_at=now + timedelta(minutes=1))
        slug = Tag.objects.get(name="страйк").slug
        for url in (f"/tags/{slug}/feed/", f"/tags/{slug}/feed/atom/", f"/tags/{slug}/"):
            assert client.get(url).status_code == 404, url
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        for url in (f"/tags/{slug}/feed/", f"/tags/{slug}/feed/atom/"):
            response = client.get(url)
            assert response.status_code == 200 and b"Strike called for Monday" in response.content
            assert b"Draft about the strike" not in response.content


def test_pages_link_to_their_feeds(client, newsroom):
    home = client.get("/").content.decode()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="The Harbour Gazette (RSS)" href="/feeds/rss/">' in home
    )
    assert 'type="application/atom+xml"' in home and 'href="/feeds/atom/"' in home
    for page, feed in (
        ("/themes/harbour-bridge/", "/themes/harbour-bridge/feed/"),
        ("/authors/ana-reyes/", "/authors/ana-reyes/feed/"),
        ("/tags/transport/", "/tags/transport/feed/"),
    ):
        html = client.get(page).content.decode()
        assert html.count('type="application/rss+xml"') == 2 and f'href="{feed}"' in html
        assert f'href="{feed}atom/"' in html


def test_scheduled_article_enters_the_feed_at_its_second(client, make_article):
    moment = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    make_article("Regatta results", publish_at=moment)
    with time_machine.travel(moment - timedelta(seconds=1), tick=False):
        assert rss(client, "/feeds/rss/").findall("item") == []
    with time_machine.travel(moment, tick=False):
        items = rss(client, "/feeds/rss/").findall("item")
        assert [item.findtext("title") for item in items] == ["Regatta results"]
        assert parsedate_to_datetime(items[0].findtext("pubDate")) == moment.astimezone(UTC)
        article = Article.objects.get()
        article.status = Status.WITHDRAWN
        with system_gate():  # set as a fixture, not a step
            article.save()
        assert rss(client, "/feeds/rss/").findall("item") == []


@pytest.mark.parametrize("count", [5, 200])
def test_feeds_run_a_fixed_number_of_queries(
    client, make_article, make_author, make_theme, count, now, django_assert_max_num_queries
):
    theme = make_theme(slug="weather")
    author = make_author(slug="writer")
    for n in range(count):
        make_article(
            f"Rain {n}", theme=theme, authors=[author], tags=["rain"], publish_at=now - timedelta(minutes=n + 1)
        )
    current()  # the site settings, read once per server after a change (tests/test_site_settings.py)
    client.get("/robots.txt")  # after a change, the page cache's first request looks up the next schedule moments
    for url in ("/feeds/rss/", "/themes/weather/feed/atom/", "/authors/writer/feed/", "/tags/rain/feed/atom/"):
        with django_assert_max_num_queries(4):
            response = client.get(url)
        assert response.content.count(b"Rain ") == min(count, 30)


HOSTILE_STANDFIRST = "<script>alert(1)</script> Shares fall as a<b merger collapses & <img src=x onerror=alert(2)>"


def test_plain_text_stays_text_in_feed_readers(client, make_article, make_author, lead_image, settings):
    """What a careless reader that renders feed HTML unsanitised would show."""
    author = make_author("Ana <b>Reyes</b>", slug="ana")
    lead_image.alt_text = "<script>alert(3)</script>"
    lead_image.caption = "A <i>pier</i>"
    lead_image.save()
    make_article(
        "Shares fall as a<b merger collapses",
        standfirst=HOSTILE_STANDFIRST,
        body="Text with a [link](/themes/) and **bold**.\n\n<script>alert(4)</script>",
        authors=[author],
        lead_image=lead_image,
    )
    for url in ("/feeds/rss/", "/feeds/atom/"):
        entry = feedparser.parse(client.get(url).content, sanitize_html=False).entries[0]
        assert entry.title == "Shares fall as a<b merger collapses"
        # The summary is HTML whose text is the standfirst, as typed: no live tag in it.
        assert "<script" not in entry.summary and "<img" not in entry.summary
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry.summary
        assert "a&lt;b merger collapses &amp; &lt;img" in entry.summary
        content = entry.content[0].value
        assert "<script" not in content and "onerror" not in content
        assert 'alt="&lt;script&gt;alert(3)&lt;/script&gt;"' in content
        assert "<figcaption>A &lt;i&gt;pier&lt;/i&gt;" in content
        assert f'<a href="{settings.SITE_URL}/themes/"' in content and "<strong>bold</strong>" in content
        assert [a.name for a in entry.authors] == ["Ana <b>Reyes</b>"]
        assert entry.summary != lead_image.alt_text and entry.content[0].value != lead_image.alt_text


def test_pictures_inside_the_body_come_with_absolute_addresses(client, make_article, lead_image, settings):
    make_article("Pictured", body=f"Before.\n\n[image:{lead_image.pk}]\n\nAfter.")
    for url in ("/feeds/rss/", "/feeds/atom/"):
        content = feedparser.parse(client.get(url).content, sanitize_html=False).entries[0].content[0].value
        assert "<p>Before.</p>\n<figure><img " in content
        assert f'src="{settings.SITE_URL}/media/images/' in content
        assert "[image:" not in content and "<picture" not in content


def test_a_bio_is_text_in_the_author_feeds(client, make_author, make_article):
    ana = make_author("Ana Reyes", slug="ana", bio="Covers <script>alert(1)</script> & the harbour")
    make_article("Ferry late", authors=[ana])
    for url in ("/authors/ana/feed/", "/authors/ana/feed/atom/"):
        feed = feedparser.parse(client.get(url).content, sanitize_html=False).feed
        if feed.subtitle_detail.type == "text/html":  # RSS
            assert feed.subtitle == "Covers &lt;script&gt;alert(1)&lt;/script&gt; &amp; the harbour"
        else:  # Atom: text, shown as such
            assert feed.subtitle_detail.type == "text/plain" and feed.subtitle == ana.bio
