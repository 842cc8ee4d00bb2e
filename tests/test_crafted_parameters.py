"""Every parameter an admin page or endpoint reads, given what a person or a fuzzer might type:
a word for a number, a negative or huge number, nothing, the same name twice, another script,
dates at the ends of the calendar. The answer is a page or a 4xx, never a 500."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ShareLink, Status

HOSTILE = ["x", "-1", "0", "99999999999999999999", "", "١٢", "Київ", "東京🦊", "1e309", "NaN", "\x00", "%00"]
DATES = ["0001-01-01", "0001-01-01T00:00", "9999-12-31", "9999-12-31T23:59", "2106-02-07T06:28:16"]
DATES += ["2028-02-29T12:00", "2027-02-29T12:00", "2026-12-31T23:59:59", "31/12/2026", "2026-13-01"]


@pytest.fixture
def scene(editor, make_article, make_user):
    writer = make_user("reporter", "Writers")
    draft = make_article("Draft on the quay", status=Status.DRAFT, created_by=writer)
    scheduled = make_article("Scheduled story", publish_at=timezone.now() + timedelta(days=2))
    live = make_article("Live story", tags=["Київ"])
    ShareLink.objects.create(article=draft, created_by=editor)
    return {"draft": draft, "scheduled": scheduled, "live": live, "writer": writer}


def get_addresses(scene):
    changelist = reverse("admin:articles_article_changelist")
    calendar = reverse("admin:articles_article_calendar")
    for name in ["q", "p", "o", "e", "theme__id__exact", "bylines__author__id__exact", "state", "all"]:
        for value in HOSTILE:
            yield changelist, {name: value}
    for name in ["publish_at__gte", "publish_at__lt"]:
        for value in DATES + HOSTILE:
            yield changelist, {name: value}
    for value in DATES + HOSTILE:
        yield calendar, {"week": value}
        yield reverse("admin:articles_article_social_card"), {"image": value}
        compare = reverse("admin:articles_article_compare", args=[scene["live"].pk])
        yield compare, {"version_id1": value, "version_id2": value}
        yield reverse("admin:images_image_changelist"), {"q": value, "p": value}
        yield reverse("admin:taggit_tag_changelist"), {"q": value}
        yield reverse("admin:articles_articleinbin_changelist"), {"q": value, "o": value}


def post_addresses(scene):
    draft, scheduled, live = scene["draft"], scene["scheduled"], scene["live"]
    for value in DATES + HOSTILE:
        yield reverse("admin:articles_article_transition", args=[scheduled.pk, "reschedule"]), {"when": value}
        yield (
            reverse("admin:articles_article_transition", args=[draft.pk, "approve"]),
            {"when": value, "scheduled": "1"},
        )
        yield reverse("admin:articles_article_transition", args=[live.pk, "withdraw"]), {"note": value}
        yield reverse("admin:articles_article_share", args=[draft.pk]), {"revoke": value}
        yield reverse("admin:articles_article_not_duplicate", args=[draft.pk]), {"other": value}
        yield reverse("admin:articles_article_suggest_themes"), {"article": value, "body": value}
        yield reverse("admin:articles_article_markdown_preview"), {"body": value}
        yield reverse("admin:articles_article_editing", args=[draft.pk]), {"saved": value}
    for value in ["x", "-1", ""]:  # the same name twice
        yield reverse("admin:articles_article_share", args=[draft.pk]), {"revoke": [value, "1"]}


def test_no_admin_parameter_answers_a_server_error(client, editor, scene):
    client.force_login(editor)
    for address, params in get_addresses(scene):
        response = client.get(address, params)
        assert response.status_code < 500, (address, params)
    for address, data in post_addresses(scene):
        response = client.post(address, data)
        assert response.status_code < 500, (address, data)
    # The valid values did what they say; none scheduled anything outside the newsroom's calendar.
    for article in Article.all_objects.all():
        assert article.publish_at is None or 1900 <= article.publish_at.year <= 2099


def test_a_date_outside_the_newsrooms_calendar_is_refused_with_a_message(client, editor, scene):
    client.force_login(editor)
    scheduled = scene["scheduled"]
    response = client.post(
        reverse("admin:articles_article_transition", args=[scheduled.pk, "reschedule"]),
        {"when": "9999-12-31T23:59"},
        follow=True,
    )
    assert "out of range: choose a date between 1900 and 2099" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.status == Status.APPROVED and scheduled.publish_at > timezone.now()
    page = client.get(reverse("admin:articles_article_calendar"), {"week": "9999-12-31"})
    assert page.status_code == 200


def test_revoking_a_share_link_by_a_word_is_a_bad_request(client, editor, scene):
    client.force_login(editor)
    link = ShareLink.objects.get()
    response = client.post(reverse("admin:articles_article_share", args=[scene["draft"].pk]), {"revoke": "one"})
    assert response.status_code == 400
    link.refresh_from_db()
    assert link.revoked_at is None
