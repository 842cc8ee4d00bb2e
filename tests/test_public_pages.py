"""What a reader sees: every public page, live-only, with a fixed number of queries."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Author, Byline, Status, system_gate
from articles.workflow import take_step


@pytest.fixture
def newsroom(make_theme, make_author, make_article):
    harbour = make_theme("Harbour bridge", slug="harbour-bridge", description="The rebuild of the old bridge.")
    ana = make_author("Ana Reyes", slug="ana-reyes")
    ben = make_author("Ben Okafor", slug="ben-okafor")
    hour = timedelta(hours=1)
    older = make_article(
        "Bridge closes for repairs", theme=harbour, authors=[ana], publish_at=timezone.now() - 3 * hour
    )
    newer = make_article(
        "Bridge engineers find cracks",
        deck="Inspectors say the work will take a year.",
        standfirst="Engineers inspecting the old bridge found cracks in two piers.",
        body="The **inspection** began on Monday.",
        theme=harbour,
        authors=[ana, ben],
        tags=["transport", "engineering"],
        publish_at=timezone.now() - hour,
    )
    draft = make_article("Secret draft about the bridge", theme=harbour, status=Status.DRAFT, publish_at=None)
    return {"theme": harbour, "ana": ana, "ben": ben, "older": older, "newer": newer, "draft": draft}


def test_article_page_shows_what_a_reader_expects(client, newsroom, settings):
    article = newsroom["newer"]
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Bridge engineers find cracks</h1>" in html
    assert "Inspectors say the work will take a year." in html
    assert "Engineers inspecting the old bridge found cracks in two piers." in html
    assert "<strong>inspection</strong>" in html
    assert 'href="/authors/ana-reyes/">Ana Reyes</a> and <a href="/authors/ben-okafor/">Ben Okafor</a>' in html
    local = timezone.localtime(article.publish_at)
    iso = article.publish_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'<time datetime="{iso}">' in html
    assert local.strftime("%H:%M") in html and local.tzname() in html
    assert 'rel="tag">transport</a>' in html
    # More on theme: the other live article, not itself and not the draft.
    more = html.split('id="more-heading"')[1]
    assert "Bridge closes for repairs" in more
    assert "Bridge engineers find cracks" not in more
    assert "Secret draft" not in more
    assert f"© {timezone.localdate().year} {settings.SITE_PUBLISHER}" in html
    assert f'<link rel="canonical" href="{settings.SITE_URL}{article.get_absolute_url()}">' in html


def test_article_page_carries_news_article_json_ld(client, newsroom):
    article = newsroom["newer"]
    html = client.get(article.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Bridge engineers find cracks"
    assert [a["name"] for a in data["author"]] == ["Ana Reyes", "Ben Okafor"]
    assert data["articleSection"] == "Harbour bridge"
    assert set(data["keywords"]) == {"transport", "engineering"}
    for key in ("description", "datePublished", "dateModified", "publisher", "mainEntityOfPage"):
        assert data[key]


def test_bylines_and_tags_show_in_their_order_in_any_script(client, make_article):
    """Authors by byline position (not by name or by when they were added), tags as they were
    given: in the page, its meta tags and its JSON-LD. A byline added later shows at once."""
    olena, ana = Author.objects.create(name="Олена Коваль"), Author.objects.create(name="Ana Reyes")
    article = make_article()
    Byline.objects.create(article=article, author=olena, position=2)
    Byline.objects.create(article=article, author=ana, position=1)
    for tag in ("Київ", "Café", "東京 🐸"):
        article.tags.add(tag)

    def shown():
        html = client.get(article.get_absolute_url()).content.decode()
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        byline = re.search(r'<p class="byline-authors">(.*?)</p>', html).group(1)
        tags = re.findall(r'<meta property="article:tag" content="([^"]*)">', html)
        return re.sub(r"<[^>]+>", "", byline), [a["name"] for a in data["author"]], data["keywords"], tags

    assert shown() == (
        "By Ana Reyes and Олена Коваль",
        ["Ana Reyes", "Олена Коваль"],
        ["Київ", "Café", "東京 🐸"],
        ["Київ", "Café", "東京 🐸"],
    )
    Byline.objects.create(article=article, author=Author.objects.create(name="佐藤 花子"), position=0)
    assert shown()[:2] == ("By 佐藤 花子, Ana Reyes and Олена Коваль", ["佐藤 花子", "Ana Reyes", "Олена Коваль"])


def test_a_headline_with_markup_from_the_database_is_shown_clean(client, make_article):
    article = make_article("placeholder")
    type(article).objects.filter(pk=article.pk).update(headline="**Loud** <b>news</b>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<h1>Loud news</h1>" in html
    assert "**" not in html and "&lt;b&gt;" not in html


def test_a_wrong_date_redirects_permanently_to_the_canonical_address(client, newsroom):
    article = newsroom["newer"]
    response = client.get(f"/1999/01/01/{article.slug}/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_the_url_date_is_the_publication_day_in_the_newsroom_zone(make_article, settings):
    settings.TIME_ZONE = "Europe/Helsinki"
    # 22:30 UTC on 31 Dec is already 1 January in Helsinki.
    article = make_article(publish_at=datetime(2025, 12, 31, 22, 30, tzinfo=UTC))
    assert article.get_absolute_url().startswith("/2026/01/01/")


def test_the_written_out_article_address_is_the_urlconf_s(make_article, client):
    article = make_article(publish_at=datetime(2025, 3, 9, 8, 5, tzinfo=UTC))
    day = article.url_date()
    kwargs = {"year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}", "slug": article.slug}
    assert article.get_absolute_url() == reverse("articles:detail", kwargs=kwargs) == f"/2025/03/09/{article.slug}/"
    assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("name", ["Harbour", "Київ і порт", "東京の港", "Café ☕"])
def test_the_written_out_theme_address_is_the_urlconf_s(make_theme, make_article, client, name):
    theme = make_theme(name, slug="")  # its slug made from its name
    make_article("Ferries resume", theme=theme)
    assert theme.get_absolute_url() == reverse("themes:detail", kwargs={"slug": theme.slug})
    assert client.get(theme.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "path", ["/2020/01/01/no-such-story/", "/themes/no-such-theme/", "/authors/nobody/", "/tags/none/", "/nothing/"]
)
def test_unknown_addresses_are_404_in_the_site_design(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"We can\xe2\x80\x99t find that page" in response.content


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED])
def test_articles_that_are_not_live_are_404_to_readers(client, make_article, status):
    article = make_article(status=status, publish_at=timezone.now() + timedelta(days=1))
    assert client.get(article.get_absolute_url()).status_code == 404


def test_staff_get_a_preview_of_an_unpublished_article(admin_client, newsroom):
    response = admin_client.get(newsroom["draft"].get_absolute_url())
    assert response.status_code == 200
    assert "Preview — this article is draft and not public".encode() in response.content
    assert response["Cache-Control"] == "private, no-store"


def test_a_withdrawn_article_is_gone(client, make_article):
    article = make_article()
    with system_gate():  # withdrawn, as a fixture
        type(article).objects.filter(pk=article.pk).update(
            status=Status.WITHDRAWN, withdrawn_reason="It named the wrong school."
        )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    assert b"It named the wrong school." in response.content


def test_home_shows_lead_latest_and_theme_blocks_live_only(client, newsroom, make_article):
    make_article("Tomorrow's scheduled story", publish_at=timezone.now() + timedelta(days=1))
    html = client.get("/").content.decode()
    lead = html.split('aria-label="Lead story"')[1].split("</section>")[0]
    assert "Bridge engineers find cracks" in lead
    assert "Bridge closes for repairs" in html
    assert 'id="theme-harbour-bridge"' in html
    assert "Secret draft" not in html and "scheduled story" not in html


def test_theme_author_tag_pages_list_live_articles(client, newsroom):
    pages = {
        "/themes/": ["Harbour bridge"],
        "/themes/harbour-bridge/": ["Bridge engineers find cracks", "Bridge closes for repairs"],
        "/authors/ben-okafor/": ["Bridge engineers find cracks"],
        "/tags/transport/": ["Bridge engineers find cracks"],
    }
    for path, expected in pages.items():
        html = client.get(path).content.decode()
        for text in expected:
            assert text in html, (path, text)
        assert "Secret draft" not in html
    assert "Bridge closes for repairs" not in client.get("/authors/ben-okafor/").content.decode()


def test_a_tag_only_drafts_carry_is_not_found_until_a_story_with_it_goes_live(client, make_article, editor):
    draft = make_article("Merger talks", status=Status.DRAFT, publish_at=None, tags=["Злиття"])
    tag = draft.tags.get()
    assert client.get(f"/tags/{tag.slug}/").status_code == 404
    assert client.get("/tags/no-such-tag/").status_code == 404
    take_step(draft, "approve", user=editor, when=timezone.now())
    response = client.get(f"/tags/{tag.slug}/")
    assert response.status_code == 200 and "Merger talks" in response.content.decode()


def test_listings_paginate(client, make_theme, make_article):
    theme = make_theme(slug="busy")
    for n in range(25):
        make_article(f"Busy story {n}", theme=theme, publish_at=timezone.now() - timedelta(minutes=n + 1))
    first = client.get("/themes/busy/").content.decode()
    assert "Busy story 0" in first and "Busy story 24" not in first and 'rel="next"' in first
    second = client.get("/themes/busy/?page=2").content.decode()
    assert "Busy story 24" in second and 'rel="prev"' in second
    assert client.get("/themes/busy/?page=9").status_code == 404


def test_more_on_theme_lists_up_to_twenty_newest_others_once_each(client, make_theme, make_article):
    theme = make_theme(slug="long-story")
    articles = [
        make_article(f"Long story part {n:02d}", theme=theme, publish_at=timezone.now() - timedelta(minutes=n + 1))
        for n in range(25)
    ]
    html = client.get(articles[0].get_absolute_url()).content.decode()
    more = html.split('id="more-heading"')[1]
    listed = re.findall(r"Long story part (\d\d)", more)
    assert listed == [f"{n:02d}" for n in range(1, 21)]


def test_a_scheduled_article_appears_everywhere_at_its_moment(client, make_theme, make_article, now):
    theme = make_theme(slug="clockwork")
    sibling = make_article("The sibling story", theme=theme, publish_at=now - timedelta(hours=1))
    with time_machine.travel(now, tick=False):
        scheduled = make_article("The scheduled story", theme=theme, publish_at=now + timedelta(seconds=2))
        url = scheduled.get_absolute_url()
        assert client.get(url).status_code == 404
        for path in ("/", "/themes/clockwork/", sibling.get_absolute_url()):
            assert "The scheduled story" not in client.get(path).content.decode()
    with time_machine.travel(now + timedelta(seconds=2), tick=False):
        assert client.get(url).status_code == 200
        for path in ("/", "/themes/clockwork/", sibling.get_absolute_url()):
            assert "The scheduled story" in client.get(path).content.decode(), path


@pytest.mark.parametrize("size", [5, 500])
def test_public_pages_run_a_fixed_number_of_queries(
    client, make_theme, make_author, make_article, django_assert_max_num_queries, size, settings
):
    from articles.models import Article, Byline

    theme = make_theme(slug="sized")
    author = make_author(slug="sized-author")
    start = timezone.now() - timedelta(days=1)
    with system_gate():  # an archive, as a fixture
        Article.objects.bulk_create(
            Article(
                headline=f"Story {n}",
                slug=f"story-{n}",
                standfirst="S",
                body="B",
                body_html="<p>B</p>",
                status=Status.APPROVED,
                publish_at=start + timedelta(seconds=n),
                theme=theme,
            )
            for n in range(size)
        )
    Byline.objects.bulk_create(Byline(article=a, author=author) for a in Article.objects.all())
    article = Article.objects.order_by("-publish_at").first()
    article.tags.set(["sized-tag"])
    client.get("/")  # warm the navigation cache, as every server does after its first request
    # Lists: their row, the count, the page's (id, version) rows, then the cards not kept (two).
    limits = {
        article.get_absolute_url(): 4,
        "/": 4,
        "/themes/": 1,
        "/themes/sized/": 5,
        "/authors/sized-author/": 5,
        "/tags/sized-tag/": 5,
    }
    for path, limit in limits.items():
        with django_assert_max_num_queries(limit):
            assert client.get(path).status_code == 200, path
    # Missing the cache again (as after an edit elsewhere), with their fragments kept.
    settings.PAGE_CACHE_KEEP_PAGES = False
    kept = {article.get_absolute_url(): 0, "/": 1}
    kept.update({"/themes/sized/": 3, "/authors/sized-author/": 3, "/tags/sized-tag/": 3})  # their cards kept
    for path, limit in kept.items():
        with django_assert_max_num_queries(limit):
            response = client.get(path)
        assert response.status_code == 200 and response["X-Page-Cache"] == "miss", path


@pytest.mark.parametrize("themes", [3, 30])
def test_the_home_page_costs_the_same_queries_whatever_the_number_of_themes(
    client, make_theme, make_article, django_assert_max_num_queries, settings, themes
):
    """Rendered from nothing (no page, no fragment kept): the latest rows, their cards (two) and
    every current theme's headlines in one query. It was one query per theme (21 on the bench)."""
    start = timezone.now() - timedelta(days=1)
    for n in range(themes):
        theme = make_theme(f"Тема {n} 🌊", slug=f"tema-{n}")
        for k in range(3):
            make_article(f"Story {n}-{k}", theme=theme, publish_at=start + timedelta(minutes=3 * n + k))
    settings.PAGE_CACHE_ENABLED = False
    client.get("/")  # the navigation is kept in the shared cache, as on any server after its first request
    with django_assert_max_num_queries(4):
        html = client.get("/").content.decode()
    assert [n for n in range(themes) if f"Story {n}-0<" not in html] == []  # every theme's block, to its oldest


def test_a_withdrawn_article_names_itself_and_says_when_it_was_withdrawn(client, make_article, editor, now):
    from articles.models import ArticleEvent
    from articles.workflow import take_step
    from newsroom.jinja2 import newsroom_time

    article = make_article("Школа на Подолі закрита до 29 лютого", publish_at=now - timedelta(days=3))
    with time_machine.travel(now - timedelta(hours=5), tick=False):
        take_step(article, "withdraw", user=editor, note="It named the wrong school.")
    later = make_article("Another school story", publish_at=now - timedelta(days=2))
    with time_machine.travel(now - timedelta(hours=1), tick=False):  # another withdrawal: not this article's
        take_step(later, "withdraw", user=editor, note="Wrong again.")
    withdrawn_at = ArticleEvent.objects.get(article=article, action="withdraw").at
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 410
    assert "<h1>Школа на Подолі закрита до 29 лютого</h1>" in html
    iso = f"{withdrawn_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    assert f'withdrew this article</strong> on <time datetime="{iso}">{newsroom_time(withdrawn_at)}</time>' in html
    assert f">{newsroom_time(article.publish_at)}</time>" in html.split("First published")[1]
    assert "It named the wrong school." in html and "Wrong again." not in html
