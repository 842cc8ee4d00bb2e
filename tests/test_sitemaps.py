"""Sitemaps, the Google News sitemap and robots.txt: well-formed, complete, live articles only."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Status, system_gate
from sitesettings.models import current

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # raises on anything that is not well-formed


def urlset(client, url):
    root = xml(client, url)
    assert root.tag == f"{SM}urlset"
    urls = {}
    for entry in root.findall(f"{SM}url"):
        loc = entry.findtext(f"{SM}loc")
        assert loc and loc.startswith("http")
        lastmod = entry.findtext(f"{SM}lastmod")
        urls[loc] = parse_datetime(lastmod) if lastmod else None
    return urls


@pytest.fixture
def newsroom(make_theme, make_author, make_article, now):
    harbour = make_theme("Harbour bridge", slug="harbour-bridge")
    make_theme("Old story", slug="old-story", is_active=False)
    ana = make_author("Ana Reyes", slug="ana-reyes")
    make_author("Nobody Published", slug="nobody")
    ghost = make_author("Only drafts", slug="only-drafts")
    live = make_article("Bridge reopens", theme=harbour, authors=[ana], publish_at=now - timedelta(hours=1))
    old = make_article("Bridge closed", theme=harbour, authors=[ana], publish_at=now - timedelta(days=5))
    updated = make_article("Ferry timetable", publish_at=now - timedelta(days=3), updated_at=now - timedelta(minutes=5))
    hidden = [
        make_article("Draft", status=Status.DRAFT, publish_at=None, authors=[ghost]),
        make_article("Withdrawn", status=Status.WITHDRAWN, authors=[ghost]),
        make_article("Scheduled", publish_at=now + timedelta(hours=1), authors=[ghost]),
        make_article("Expired", expire_at=now - timedelta(minutes=1), authors=[ghost]),
    ]
    return {"live": live, "old": old, "updated": updated, "hidden": hidden, "theme": harbour, "ana": ana}


def test_index_lists_the_sections(client, newsroom, settings):
    root = xml(client, "/sitemap.xml")
    assert root.tag == f"{SM}sitemapindex"
    locations = [entry.findtext(f"{SM}loc") for entry in root.findall(f"{SM}sitemap")]
    assert locations == [
        f"{settings.SITE_URL}/sitemap-{section}.xml" for section in ("articles", "themes", "authors", "pages")
    ]
    lastmods = [parse_datetime(entry.findtext(f"{SM}lastmod")) for entry in root.findall(f"{SM}sitemap")[:3]]
    assert lastmods[0] == max(urlset(client, "/sitemap-articles.xml").values())
    assert lastmods[2] == newsroom["live"].publish_at  # Ana's newest live article


def test_article_sitemap_has_live_articles_only(client, newsroom, settings):
    urls = urlset(client, "/sitemap-articles.xml")
    expected = {settings.SITE_URL + newsroom[key].get_absolute_url() for key in ("live", "old", "updated")}
    assert set(urls) == expected
    updated = newsroom["updated"]
    updated.refresh_from_db()
    assert urls[settings.SITE_URL + updated.get_absolute_url()] == max(updated.updated_at, updated.modified_at)
    assert all(lastmod is not None for lastmod in urls.values())


def test_theme_and_author_sitemaps(client, newsroom, settings):
    assert set(urlset(client, "/sitemap-themes.xml")) == {settings.SITE_URL + "/themes/harbour-bridge/"}
    assert set(urlset(client, "/sitemap-authors.xml")) == {settings.SITE_URL + "/authors/ana-reyes/"}
    assert client.get("/sitemap-nope.xml").status_code == 404


def test_news_sitemap_has_the_last_48_hours(client, newsroom, settings):
    root = xml(client, "/news-sitemap.xml")
    entries = root.findall(f"{SM}url")
    assert [entry.findtext(f"{SM}loc") for entry in entries] == [
        settings.SITE_URL + newsroom["live"].get_absolute_url()
    ]
    news = entries[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == settings.SITE_NAME
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == "Bridge reopens"
    assert parse_datetime(news.findtext(f"{NEWS}publication_date")) == newsroom["live"].publish_at


def test_scheduled_article_enters_sitemaps_at_its_second(client, make_article, settings):
    moment = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    article = make_article("Regatta results", publish_at=moment)
    url = settings.SITE_URL + article.get_absolute_url()
    with time_machine.travel(moment - timedelta(seconds=1), tick=False):
        assert url not in urlset(client, "/sitemap-articles.xml")
        assert url not in urlset(client, "/news-sitemap.xml")
    with time_machine.travel(moment, tick=False):
        assert url in urlset(client, "/sitemap-articles.xml")
        assert url in urlset(client, "/news-sitemap.xml")
        article.status = Status.WITHDRAWN
        with system_gate():  # set as a fixture, not a step
            article.save()
        assert url not in urlset(client, "/sitemap-articles.xml")
        assert url not in urlset(client, "/news-sitemap.xml")
    with time_machine.travel(moment + timedelta(hours=49), tick=False):
        article.status = Status.APPROVED
        with system_gate():  # set as a fixture, not a step
            article.save()
        assert url in urlset(client, "/sitemap-articles.xml")
        assert url not in urlset(client, "/news-sitemap.xml")


def test_robots_txt(client, settings):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /search/" in lines
    assert not any("admin" in line for line in lines)  # the admin's address is not advertised
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines
    assert f"Sitemap: {settings.SITE_URL}/news-sitemap.xml" in lines
    # The same for every reader: kept, then answered before sessions, CSRF and URL resolution.
    again = client.get("/robots.txt")
    assert again["X-Page-Cache"] == "hit" and again.content == response.content


@pytest.mark.parametrize("count", [5, 200])
def test_sitemaps_run_a_fixed_number_of_queries(
    client, make_article, make_author, make_theme, count, now, django_assert_max_num_queries
):
    theme = make_theme()
    author = make_author()
    for n in range(count):
        make_article(f"Tide {n}", theme=theme, authors=[author], publish_at=now - timedelta(minutes=n + 1))
    current()  # the site settings, read once per server after a change (tests/test_site_settings.py)
    for url, queries in (
        ("/sitemap.xml", 11),  # the first request after a change also looks up the next schedule moments (live/ too)
        ("/sitemap-articles.xml", 2),
        ("/sitemap-themes.xml", 2),
        ("/sitemap-authors.xml", 3),  # the count, the page, and every author's newest live article at once
        ("/news-sitemap.xml", 1),
    ):
        with django_assert_max_num_queries(queries):
            assert client.get(url).status_code == 200
    assert len(urlset(client, "/sitemap-articles.xml")) == count
