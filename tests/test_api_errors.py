"""Every answer under /api/v1/ is JSON in one shape, `{"detail", "code"}` (and `fields` on a 400),
whoever produced it (DRF, Django's URL resolver, a server error); every parameter an endpoint
reads answers a crafted value with a 400 or 404, never a 500; a refused step is a 400 when what
was sent is wrong and a 403 when who sent it may not; the bin step answers cleanly and rolls
back whole; writers see through the API what the admin lets them see; API search is limited
like the search page."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from api import staff_serializers
from api.models import ApiToken
from articles.models import Article, ArticleEvent, Status
from audit.models import AuditEntry


def is_error(response, status, code=None):
    """The one error shape, with this status (and code)."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    assert set(body) <= {"detail", "code", "fields"}
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def quiet_client():
    """A client that gets the server's answer to an exception rather than the exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def key_of():
    def make(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='Script')[1]}"}

    return make


def post_json(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


# One shape everywhere --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/null,null/",
        "/api/v1/articles/-1/",
        "/api/v1/articles/1.5/",
        "/api/v1/nothing-here/",
        "/api/v1/themes/%E2%80%AE/",
        "/api/v1/authors/%00/",
        "/api/v1/staff/articles/abc/steps/",
    ],
)
def test_an_address_that_matches_nothing_is_a_json_404(client, db, url):
    is_error(client.get(url), 404, "not_found")


def test_the_rest_of_the_site_keeps_its_pages(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_not_offered_is_a_json_405_with_allow(client, make_article):
    article = make_article()
    response = client.delete(f"/api/v1/articles/{article.pk}/")
    is_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
    assert Article.objects.filter(pk=article.pk).exists()


def test_a_server_error_is_json_under_the_api_and_a_page_elsewhere(quiet_client, make_article, monkeypatch):
    make_article()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("api.serializers.ArticleSerializer.get_headline", broken)
    body = is_error(quiet_client.get("/api/v1/articles/"), 500, "server_error")
    assert "boom" not in body["detail"]
    monkeypatch.setattr("newsroom.views.HomeView.get", broken)
    page = quiet_client.get("/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_a_database_that_cannot_write_is_a_json_503_with_retry_after(quiet_client, make_article, monkeypatch):
    make_article()

    def read_only(*args, **kwargs):
        raise DatabaseError("cannot execute UPDATE in a read-only transaction")

    monkeypatch.setattr("api.serializers.ArticleSerializer.get_headline", read_only)
    response = quiet_client.get("/api/v1/articles/")
    is_error(response, 503, "unavailable")
    assert int(response["Retry-After"]) > 0


def test_the_root_lists_every_resource(client, db):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    resources = response.json()
    assert resources["articles"] == "http://testserver/api/v1/articles/"
    assert resources["staff_articles"] == "http://testserver/api/v1/staff/articles/"
    for name, url in resources.items():
        expected = 401 if name.startswith("staff_") else 400 if name == "search" else 200  # search needs a q
        assert client.get(url).status_code == expected, url


def test_a_body_that_is_not_json_or_not_json_at_all_is_a_400_or_415(client, editor, key_of):
    key = key_of(editor)
    body = is_error(post_json(client, "/api/v1/staff/articles/", "{not json", **key), 400, "parse_error")
    assert "JSON" in body["detail"]
    form = client.post("/api/v1/staff/articles/", {"headline": "x"}, **key)  # multipart
    is_error(form, 415, "unsupported_media_type")
    lone_surrogate = b'{"headline": "\\ud800 harbour", "standfirst": "x", "body": "x"}'
    is_error(post_json(client, "/api/v1/staff/articles/", lone_surrogate, **key), 400)
    assert not Article.objects.exists()


def test_a_key_that_is_not_one_is_a_401_on_every_endpoint(client, db):
    for header in ["Bearer", "Bearer nr_nope", "Basic YWJjOmRlZg==", "Bearer a b", "Bearer \u043a\u043b\u044e\u0447"]:
        response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION=header)
        is_error(response, 401)
        assert response["WWW-Authenticate"] == "Bearer"
    is_error(client.get("/api/v1/staff/articles/"), 401, "not_authenticated")


# Crafted parameters ------------------------------------------------------------------------

CRAFTED_NUMBERS = ["", "ten", "-1", "0", "1.5", "1e3", "99999999999999999999999", "²", "١", "1 ", "0x10", "%00"]


@pytest.mark.parametrize("value", CRAFTED_NUMBERS)
@pytest.mark.parametrize(
    "url, name",
    [
        ("/api/v1/articles/?page_size=", "page_size"),
        ("/api/v1/themes/?page=", "page"),
        ("/api/v1/themes/?page_size=", "page_size"),
        ("/api/v1/authors/?page=", "page"),
        ("/api/v1/tags/?page=", "page"),
        ("/api/v1/search/?q=ferry&page=", "page"),
        ("/api/v1/search/?q=ferry&page_size=", "page_size"),
    ],
)
def test_a_crafted_number_is_a_400_naming_it(client, db, url, name, value):
    body = is_error(client.get(url + value), 400, "invalid")
    assert name in body["fields"]


@pytest.mark.parametrize(
    "query, name",
    [
        ("theme=", "theme"),
        ("theme=%00", "theme"),
        ("author=" + "a" * 201, "author"),
        ("tag=port&tag=harbour", "tag"),
        ("page_size=5&page_size=6", "page_size"),
        ("updated_since=", "updated_since"),
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=2107-01-01T00:00:00Z", "updated_since"),
        ("updated_since=9999-12-31T23:59:59-05:00", "updated_since"),
        ("updated_since=0001-01-01T00:00:00%2B05:00", "updated_since"),
        ("updated_since=1969-12-31T23:59:59Z", "updated_since"),
        ("cursor=", "cursor"),
        ("cursor=%F0%9F%9A%A2", "cursor"),
        ("cursor=" + "A" * 5000, "cursor"),
        ("%D0%BA%D0%B8%D1%97%D0%B2=1", "київ"),
    ],
)
def test_crafted_article_filters_are_400s_naming_them(client, make_article, query, name):
    make_article()
    body = is_error(client.get(f"/api/v1/articles/?{query}"), 400, "invalid")
    assert name in body["fields"], body


@pytest.mark.parametrize(
    "query, name",
    [
        ("", "q"),
        ("q=", "q"),
        ("q=%20%20", "q"),
        ("q=%00", "q"),
        ("q=" + "x" * 801, "q"),
        ("q=a&q=b", "q"),
        ("q=ferry&order=oldest", "order"),
        ("q=ferry&order=", "order"),
        ("q=ferry&theme=", "theme"),
    ],
)
def test_crafted_searches_are_400s_naming_them(client, db, query, name):
    assert name in is_error(client.get(f"/api/v1/search/?{query}"), 400)["fields"]


def test_unicode_text_in_filters_and_search_is_answered(client, make_article, make_theme):
    theme = make_theme("Порт", slug="port")
    make_article("Пором знову ходить", theme=theme)
    unknown = client.get("/api/v1/articles/?theme=%D0%BF%D0%BE%D1%80%D1%82")  # "порт": no theme has that slug
    assert unknown.status_code == 400 and unknown.json()["fields"]["theme"] == ["There is no theme 'порт'."]
    assert [a["headline"] for a in client.get("/api/v1/articles/?theme=port").json()["results"]] == [
        "Пором знову ходить"
    ]
    assert client.get("/api/v1/search/?q=%E6%9D%B1%E4%BA%AC%20%F0%9F%9A%A2").status_code == 200
    found = client.get("/api/v1/search/?q=пором&theme=port").json()
    assert [r["headline"] for r in found["results"]] == ["Пором знову ходить"]


@pytest.mark.parametrize("url", ["/api/v1/schema/?lang=zz", "/api/v1/schema/?format=xml", "/api/v1/schema/?version=9"])
def test_the_documents_own_parameters_never_break_it(client, db, url):
    assert client.get(url).status_code in (200, 400, 404)


# Steps -------------------------------------------------------------------------------------


@pytest.fixture
def draft(make_article, writer, make_author):
    mine = make_author("Ярослава", slug="yaroslava", user=writer)
    return make_article("Чернетка", status=Status.DRAFT, publish_at=None, authors=[mine], created_by=writer)


def step(client, article, key, **data):
    return post_json(client, f"/api/v1/staff/articles/{article.pk}/steps/", data, **key)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"step": "approve", "time": "2020-02-29T12:00:00Z"}, "time"),
        ({"step": "approve", "time": "2107-01-01T00:00:00Z"}, "time"),
        ({"step": "approve", "time": "9999-12-31T23:59:59Z"}, "time"),
        ({"step": "approve", "time": "0001-01-01T00:00:00+05:00"}, "time"),
        ({"step": "approve", "time": "not a time"}, "time"),
        ({"step": "approve", "time": 1700000000}, "time"),
        ({"step": "approve", "colour": "red"}, "colour"),
        ({"step": "publish_now"}, "step"),
        ({"step": ["approve"]}, "step"),
        ({"step": "submit", "note": "x" * 2001}, "note"),
        ({"step": "submit", "note": "a\x00b"}, "note"),
        ({}, "step"),
    ],
)
def test_what_was_sent_wrong_is_a_400_naming_it(client, editor, draft, key_of, data, field):
    body = is_error(step(client, draft, key_of(editor), **data), 400, "invalid")
    assert field in body["fields"], body
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.events.exists()


def test_a_refusal_for_what_was_sent_is_400_and_for_who_sent_it_403(client, editor, writer, draft, key_of, make_user):
    editor_key, writer_key = key_of(editor), key_of(writer)
    is_error(step(client, draft, writer_key, step="approve"), 403, "permission_denied")
    is_error(step(client, draft, writer_key, step="withdraw"), 403)  # not a writer's step, note or not
    assert step(client, draft, editor_key, step="approve").status_code == 200
    no_reason = is_error(step(client, draft, editor_key, step="withdraw", note="  "), 400)
    assert "reason" in no_reason["fields"]["note"][0]
    past = is_error(step(client, draft, editor_key, step="reschedule", time="2020-12-31T23:59:30Z"), 403)
    assert "already public" in past["detail"]  # the state refuses, whatever the time
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED
    assert [event.action for event in draft.events.order_by("pk")] == ["approve", "went_live"]


def test_moving_to_the_bin_answers_the_article_in_the_bin(client, editor, draft, key_of):
    response = step(client, draft, key_of(editor), step="delete")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == draft.pk and body["in_bin"] is True and body["allowed_steps"] == []
    assert Article.all_objects.get(pk=draft.pk).deleted_at is not None
    is_error(client.get(f"/api/v1/staff/articles/{draft.pk}/", **key_of(editor)), 404)
    is_error(step(client, draft, key_of(editor), step="delete"), 404)  # the bin is the admin's


def test_a_step_that_fails_after_the_gate_rolls_back_whole(quiet_client, editor, draft, key_of, monkeypatch):
    def broken(self, article):
        raise RuntimeError("the answer could not be written")

    monkeypatch.setattr(staff_serializers.StaffArticleSerializer, "get_in_bin", broken)
    is_error(step(quiet_client, draft, key_of(editor), step="delete"), 500, "server_error")
    draft.refresh_from_db()
    assert draft.deleted_at is None
    assert not ArticleEvent.objects.filter(article=draft).exists()
    assert not AuditEntry.objects.filter(action="article.delete").exists()


def test_a_time_on_the_last_day_of_the_bounds_schedules(client, editor, draft, key_of):
    with time_machine.travel(timezone.now().replace(month=2, day=28, hour=23, minute=59), tick=False):
        body = step(client, draft, key_of(editor), step="approve", time="2099-12-31T23:59:00+02:00").json()
    assert body["state"] == "scheduled" and body["published_at"].startswith("2099-12-31T23:59:00")


# Who sees what through the staff API -------------------------------------------------------


def test_a_writer_lists_only_their_own_and_never_reads_others_markdown(
    client, writer, editor, draft, make_article, key_of, make_author
):
    olena = make_author("Олена", slug="olena", user=editor)
    live = make_article("Міст відкрито", authors=[olena], body="Текст **редактора** <!-- примітка -->")
    writer_key = key_of(writer)
    listed = client.get("/api/v1/staff/articles/", **writer_key).json()
    assert [a["id"] for a in listed["results"]] == [draft.pk]
    assert listed["results"][0]["body"] == draft.body
    theirs = client.get(f"/api/v1/staff/articles/{live.pk}/", **writer_key).json()
    assert theirs["body"] is None and "примітка" not in str(theirs)
    assert theirs["allowed_steps"] == []
    everything = client.get("/api/v1/staff/articles/", **key_of(editor)).json()
    assert {a["id"] for a in everything["results"]} == {draft.pk, live.pk}
    assert client.get(f"/api/v1/staff/articles/{live.pk}/", **key_of(editor)).json()["body"] == live.body


def test_a_writer_cannot_reach_others_unpublished_articles(client, writer, editor, make_article, key_of):
    for status, publish_at in [(Status.DRAFT, None), (Status.APPROVED, timezone.now() + timedelta(days=1))]:
        hidden = make_article(status=status, publish_at=publish_at, created_by=editor)
        is_error(client.get(f"/api/v1/staff/articles/{hidden.pk}/", **key_of(writer)), 404)
        is_error(step(client, hidden, key_of(writer), step="submit"), 404)


# Search is limited like the search page ----------------------------------------------------


def test_api_search_is_limited_per_client_and_counted_in_the_shared_cache(client, make_article, settings):
    settings.SEARCH_RATE_LIMIT = 3
    settings.PAGE_CACHE_ENABLED = False
    make_article("Lighthouse keeper retires")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        for q in ("lighthouse", "keeper", "retires"):
            assert client.get("/api/v1/search/", {"q": q}).status_code == 200
        refused = client.get("/api/v1/search/", {"q": "harbour"})
        is_error(refused, 429, "throttled")
        assert 0 < int(refused["Retry-After"]) <= 60
        assert client.get("/api/v1/articles/").status_code == 200  # only searching is limited
        assert client.get("/api/v1/search/", {"q": "harbour"}, REMOTE_ADDR="198.51.100.7").status_code == 200
        assert client.get("/api/v1/search/", {"q": "x"}, REMOTE_ADDR="2001:db8:1:2::10").status_code == 200
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert client.get("/api/v1/search/", {"q": "harbour"}).status_code == 200


@time_machine.travel(datetime(2028, 2, 29, 10, 0, tzinfo=UTC), tick=False)  # no New Year ends the cached answer
def test_cached_searches_are_not_counted(client, make_article, settings):
    settings.SEARCH_RATE_LIMIT = 1
    make_article("Lighthouse keeper retires")
    for _ in range(3):
        assert client.get("/api/v1/search/", {"q": "lighthouse"}).status_code == 200


# The document ------------------------------------------------------------------------------


def test_the_document_declares_errors_and_bounds(client, db):
    document = client.get("/api/v1/schema/?format=json").json()
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"detail", "code"}
    operations = {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    for label, operation in operations.items():
        for status, response in operation["responses"].items():
            if status >= "400":
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            if schema.get("type") == "integer":
                assert "minimum" in schema and "maximum" in schema, (label, parameter["name"])
            elif schema.get("format") != "date-time" and "enum" not in schema:
                assert "maxLength" in schema, (label, parameter["name"])
    assert {"400", "401", "404", "429"} <= set(operations["GET", "/api/v1/articles/{id}/"]["responses"])
    assert {"400", "401", "403", "404", "409", "415"} <= set(
        operations["PATCH", "/api/v1/staff/articles/{id}/"]["responses"]
    )
    assert "429" in operations["GET", "/api/v1/search/"]["responses"]
    page_size = next(p for p in operations["GET", "/api/v1/articles/"]["parameters"] if p["name"] == "page_size")
    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 100)


def test_an_image_upload_that_is_not_one_is_a_400_naming_the_file(client, writer, key_of, media_root):
    fake = io.BytesIO(b"GIF89a" + b"\x00" * 64)
    fake.name = "Київ.gif"
    body = is_error(client.post("/api/v1/staff/images/", {"file": fake, "alt_text": "Порт"}, **key_of(writer)), 400)
    assert "file" in body["fields"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("theme", "port\x00"),
        ("theme", ["port"]),
        ("theme", 7),
        ("authors", ["olena\x00"]),
        ("authors", "olena"),
        ("authors", [{"slug": "olena"}]),
        ("lead_image", 2**70),
        ("lead_image", -1),
        ("lead_image", "1\x00"),
        ("lead_image", 1.5),
        ("tags", ["Київ\x00"]),
        ("tags", ["x" * 101]),
        ("tags", [None]),
        ("headline", None),
        ("headline", "\u202eevil"),
        ("body", {"markdown": "x"}),
        ("version", 2**70),
        ("version", "one"),
    ],
)
def test_crafted_fields_in_a_write_are_400s_naming_them(client, writer, key_of, field, value, make_theme):
    make_theme("Порт", slug="port")
    draft = {"headline": "Пором", "standfirst": "Екіпажі повернулися.", "body": "Текст.", field: value}
    response = post_json(client, "/api/v1/staff/articles/", draft, **key_of(writer))
    if field == "version" or (field == "headline" and value == "\u202eevil"):
        assert response.status_code in (201, 400), response.content  # ignored on create / a policy of the model
    else:
        assert field in is_error(response, 400, "invalid")["fields"] or f"{field}.0" in response.json()["fields"]


def test_a_body_too_large_is_a_json_400_not_a_page(quiet_client, writer, key_of):
    huge = '{"headline": "Пором", "standfirst": "x", "body": "' + "ы" * 2_000_000 + '"}'
    response = post_json(quiet_client, "/api/v1/staff/articles/", huge.encode(), **key_of(writer))
    assert response.status_code in (400, 413)
    is_error(response, response.status_code)
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["", " ", "\u043a\u043b\u044e\u0447", "x" * 256, "a\tb", "retry\x00"],
    ids=["empty", "blank", "cyrillic", "long", "tab", "nul"],
)
def test_a_crafted_idempotency_key_is_answered_without_a_500(client, writer, key_of, header):
    draft = {"headline": "Пором", "standfirst": "Екіпажі повернулися.", "body": "Текст."}
    response = post_json(client, "/api/v1/staff/articles/", draft, HTTP_IDEMPOTENCY_KEY=header, **key_of(writer))
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert "Idempotency-Key" in is_error(response, 400)["fields"]
