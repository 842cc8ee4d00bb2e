"""The public content API: live articles only, like pages; cached, conditional, CORS,
rate-limited; hostile query strings answered with 400s, never 500s."""

import base64
from datetime import timedelta
from urllib.parse import quote

import pytest
import yaml
from openapi_spec_validator import validate

from articles.models import Article, Correction, Status

pytestmark = pytest.mark.usefixtures("away_from_new_year")


@pytest.fixture
def story(make_article, make_author, make_theme):
    author = make_author("Ana Reyes", slug="ana-reyes")
    theme = make_theme("Harbour bridge", slug="harbour-bridge")
    article = make_article(
        "Bridge <b>reopens</b>", authors=[author], tags=["transport"], theme=theme, body="The **bridge** is open."
    )
    Correction.objects.create(article=article, text="The bridge is 300 m long, not 200 m.")
    return article


def test_the_openapi_document_is_valid_and_lists_every_endpoint(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate(document)
    for path in [
        "/api/v1/articles/",
        "/api/v1/articles/{id}/",
        "/api/v1/themes/",
        "/api/v1/themes/{slug}/",
        "/api/v1/authors/",
        "/api/v1/authors/{slug}/",
        "/api/v1/tags/",
        "/api/v1/search/",
    ]:
        assert "get" in document["paths"][path], path


def test_the_docs_page_is_served(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_an_article_in_full(client, story):
    response = client.get(f"/api/v1/articles/{story.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["headline"] == "Bridge reopens"
    assert body["body_html"] == "<p>The <strong>bridge</strong> is open.</p>"
    assert body["url"].endswith(story.get_absolute_url())
    assert body["authors"][0]["name"] == "Ana Reyes"
    assert body["theme"]["slug"] == "harbour-bridge"
    assert body["tags"] == [{"name": "transport", "slug": "transport", "url": body["tags"][0]["url"]}]
    assert body["corrections"][0]["text"].startswith("The bridge is 300 m")
    assert body["published_at"][-6:] in ("+02:00", "+03:00")  # the newsroom's zone, with its offset


@pytest.mark.parametrize(
    "state",
    [
        {"status": Status.DRAFT, "publish_at": None},
        {"status": Status.IN_REVIEW, "publish_at": None},
        {"status": Status.APPROVED, "publish_at": "tomorrow"},
        {"status": Status.APPROVED, "publish_at": "an hour ago", "expire_at": "a minute ago"},
        {"status": Status.WITHDRAWN, "publish_at": "an hour ago"},
    ],
    ids=["draft", "in review", "scheduled", "expired", "withdrawn"],
)
def test_only_live_articles_are_ever_shown(client, make_article, now, state):
    times = {"tomorrow": now + timedelta(days=1), "a minute ago": now - timedelta(minutes=1)}
    state = {key: times.get(value, value) for key, value in state.items()}
    hidden = make_article("Not for readers", **state)
    shown = make_article("For readers")
    assert client.get(f"/api/v1/articles/{hidden.pk}/").status_code == 404
    ids = [a["id"] for a in client.get("/api/v1/articles/").json()["results"]]
    assert ids == [shown.pk]
    assert client.get("/api/v1/search/?q=readers").json()["count"] == 1


def test_a_scheduled_article_appears_at_its_second(client, make_article, now, time_machine):
    time_machine.move_to(now, tick=False)
    scheduled = make_article("Later", publish_at=now + timedelta(seconds=30))
    assert client.get(f"/api/v1/articles/{scheduled.pk}/").status_code == 404
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    assert client.get(f"/api/v1/articles/{scheduled.pk}/").status_code == 200


def test_lists_filter_by_theme_author_tag_and_updated_since(client, story, make_article, now):
    other = make_article("Other news", tags=["weather"])
    for query, expected in [
        ("theme=harbour-bridge", [story.pk]),
        ("author=ana-reyes", [story.pk]),
        ("tag=weather", [other.pk]),
        (f"updated_since={quote((now + timedelta(hours=1)).isoformat())}", []),
        (f"updated_since={quote((now - timedelta(minutes=5)).isoformat())}", [other.pk, story.pk]),
    ]:
        response = client.get(f"/api/v1/articles/?{query}")
        assert sorted(a["id"] for a in response.json()["results"]) == sorted(expected), query
    # An unknown slug is a 400 naming it, not an empty list kept once per made-up slug (issue 22).
    for query in ("tag=nothing", "theme=nowhere", "author=nobody"):
        response = client.get(f"/api/v1/articles/?{query}")
        assert response.status_code == 400 and query.split("=")[0] in response.json()["fields"], query


def test_cursor_pagination_walks_every_article_once(client, make_article, now):
    made = [make_article(publish_at=now - timedelta(minutes=n)).pk for n in range(1, 8)]
    seen, url = [], "/api/v1/articles/?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [a["id"] for a in page["results"]]
        url = page["next"]
    assert seen == made


@pytest.mark.parametrize(
    "query, field",
    [
        ("cursor=garbage", "cursor"),
        ("cursor=" + quote(base64.b64encode(b"p=not-a-time&o=1").decode()), "cursor"),
        ("cursor=%00%FF%FE", "cursor"),
        ("page_size=100000", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=-1", "page_size"),
        ("page_size=ten", "page_size"),
        ("updated_since=yesterday", "updated_since"),
        ("tags=transport", "tags"),
    ],
)
def test_hostile_list_queries_get_a_clear_400(client, story, query, field):
    response = client.get(f"/api/v1/articles/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_a_huge_cursor_offset_is_capped_not_an_error(client, story):
    cursor = quote(base64.b64encode(b"o=99999999999999999999").decode())
    assert client.get(f"/api/v1/articles/?cursor={cursor}").json()["results"] == []


@pytest.mark.parametrize("query", ["", "q=", "q=x&page=0", "q=x&page=51", "q=x&page=one", "q=x&page_size=101"])
def test_bad_searches_get_a_clear_400(client, db, query):
    assert client.get(f"/api/v1/search/?{query}").status_code == 400


def test_search_finds_live_articles_and_survives_fts_syntax(client, story):
    results = client.get("/api/v1/search/?q=bridge").json()
    assert [r["id"] for r in results["results"]] == [story.pk]
    assert "\ue000" not in results["results"][0]["snippet"]
    assert client.get('/api/v1/search/?q=" OR NEAR( * ^').status_code == 200


def test_themes_authors_and_tags(client, story, make_author, make_theme):
    make_author("Nobody Published", slug="nobody")
    make_theme("Dormant", slug="dormant", is_active=False)
    assert [t["slug"] for t in client.get("/api/v1/themes/").json()["results"]] == ["harbour-bridge"]
    assert client.get("/api/v1/themes/harbour-bridge/").json()["name"] == "Harbour bridge"
    assert [a["slug"] for a in client.get("/api/v1/authors/").json()["results"]] == ["ana-reyes"]
    assert client.get("/api/v1/authors/nobody/").status_code == 404
    assert [t["slug"] for t in client.get("/api/v1/tags/").json()["results"]] == ["transport"]
    assert client.get("/api/v1/tags/?page=99").status_code == 400


def test_answers_are_cached_conditional_and_dropped_by_an_edit(client, story):
    url = f"/api/v1/articles/{story.pk}/"
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    assert first["Cache-Control"].startswith("public, max-age=")
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    story.standfirst = "A new standfirst."
    story.save()
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert fresh.json()["standfirst"] == "A new standfirst."
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_get_allows_cors(client, story):
    response = client.get("/api/v1/articles/", HTTP_ORIGIN="https://partner.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/articles/", HTTP_ORIGIN="https://partner.example")
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_anonymous_use_is_rate_limited(client, story, settings):
    settings.NEWSROOM_PAGE_CACHE = "off"
    settings.PAGE_CACHE_ENABLED = False
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min"}
    AnonRateThrottle.THROTTLE_RATES = rates
    try:
        statuses = [client.get("/api/v1/themes/").status_code for _ in range(5)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses == [200, 200, 200, 429, 429]
    # Another reader is not affected.
    assert client.get("/api/v1/themes/", REMOTE_ADDR="203.0.113.9").status_code == 200


@pytest.mark.parametrize("count", [2, 30])
def test_article_answers_cost_a_fixed_number_of_queries(
    client, make_article, make_author, make_theme, django_assert_max_num_queries, count, settings
):
    settings.PAGE_CACHE_ENABLED = False
    theme = make_theme()
    for n in range(count):
        make_article(authors=[make_author()], tags=[f"tag{n}", "common"], theme=theme)
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/articles/?page_size=100").json()["results"]) == count
    article = Article.objects.first()
    with django_assert_max_num_queries(5):
        assert client.get(f"/api/v1/articles/{article.pk}/").status_code == 200
