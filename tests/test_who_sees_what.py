"""Who may see or change what, asked of the model by every view: previews, public
addresses, compare views, messages, the image library; and responses to signed-in
people are private."""

from io import BytesIO

import pytest
import reversion
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image as PILImage
from reversion.models import Version

from articles.models import Author, Status
from audit.models import AuditEntry
from images.models import Image


@pytest.fixture
def editors_draft(make_article, editor):
    article = make_article("Council budget leak", status=Status.DRAFT, publish_at=None, created_by=editor)
    for headline in ("Council budget leak, first take", "Council budget leak, second take"):
        article.headline = headline
        with reversion.create_revision():
            article.save()
    return article


@pytest.fixture
def writers_draft(make_article, writer):
    return make_article("Ferry timetable changes", status=Status.DRAFT, publish_at=None, created_by=writer)


def test_previews_and_public_addresses_show_drafts_only_to_who_may_edit_or_review_them(
    client, editors_draft, writers_draft, writer, editor
):
    client.force_login(writer)
    assert client.get(reverse("articles:preview", args=[editors_draft.pk])).status_code == 404
    assert client.get(editors_draft.get_absolute_url()).status_code == 404
    own = client.get(reverse("articles:preview", args=[writers_draft.pk]))
    assert own.status_code == 200 and own["Cache-Control"] == "private, no-store"
    assert client.get(writers_draft.get_absolute_url()).status_code == 200
    client.force_login(editor)
    assert client.get(reverse("articles:preview", args=[writers_draft.pk])).status_code == 200


def test_compare_and_history_of_another_article_are_not_found(client, editors_draft, writer):
    versions = list(Version.objects.get_for_object(editors_draft).order_by("pk"))
    client.force_login(writer)
    compare = client.get(
        reverse("admin:articles_article_compare", args=[editors_draft.pk]),
        {"version_id1": versions[0].pk, "version_id2": versions[1].pk},
    )
    assert compare.status_code == 404 and b"Council" not in compare.content
    assert client.get(reverse("admin:articles_article_history", args=[editors_draft.pk])).status_code == 404


def test_not_duplicate_never_names_an_article_the_user_may_not_see(client, writers_draft, editors_draft, writer):
    client.force_login(writer)
    url = reverse("admin:articles_article_not_duplicate", args=[writers_draft.pk])
    response = client.post(url, {"other": editors_draft.pk}, follow=True)
    assert response.status_code == 404 and b"Council" not in response.content
    assert not writers_draft.events.exists()


@pytest.mark.parametrize(
    ("view", "data"),
    [
        ("not_duplicate", {"other": "abc"}),
        ("not_duplicate", {"other": "99999999999999999999"}),
        ("suggest_themes", {"article": "99999999999999999999", "headline": "x"}),
        ("suggest_themes", {"article": "-1", "headline": "x"}),
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, editor, writers_draft, view, data):
    client.force_login(editor)
    args = [writers_draft.pk] if view == "not_duplicate" else []
    response = client.post(reverse(f"admin:articles_article_{view}", args=args), data)
    assert response.status_code == 400 and b"must be the number of an article" in response.content


def test_duplicate_suggestions_leave_out_drafts_the_writer_may_not_see(client, writer, editors_draft):
    client.force_login(writer)
    response = client.post(
        reverse("admin:articles_article_suggest_themes"), {"headline": "Council budget leak, second take"}
    )
    assert response.status_code == 200 and response.json()["duplicates"] == []


# The image library --------------------------------------------------------------------------


def picture(color):
    buffer = BytesIO()
    PILImage.new("RGB", (300, 200), color).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name=f"{color}.jpg")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def change_image(client, image, **fields):
    data = {"title": image.title, "alt_text": image.alt_text, "caption": "", "credit": "", **fields}
    return client.post(reverse("admin:images_image_change", args=[image.pk]), data)


def test_uploaders_change_their_own_images_until_a_live_article_shows_them(client, media, writer, editor, make_article):
    mine = Image.objects.create(file=picture("red"), title="Mine", alt_text="Red", uploaded_by=writer)
    theirs = Image.objects.create(file=picture("blue"), title="Theirs", alt_text="Blue", uploaded_by=editor)
    client.force_login(writer)
    assert change_image(client, theirs, alt_text="Replaced").status_code == 403
    assert change_image(client, mine, alt_text="Red square").status_code == 302
    make_article("Red day", body=f"Text.\n\n{mine.inline_code}")  # now a live page shows it
    assert change_image(client, mine, alt_text="Replaced").status_code == 403
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.alt_text, theirs.alt_text) == ("Red square", "Blue")


def test_changing_an_image_a_live_article_shows_is_an_editors_act_in_the_audit_log(
    client, media, writer, editor, make_article
):
    image = Image.objects.create(file=picture("green"), title="Quay", alt_text="Green", uploaded_by=writer)
    make_article("Quay works", lead_image=image)
    client.force_login(editor)
    assert change_image(client, image, alt_text="The quay at noon").status_code == 302
    entry = AuditEntry.objects.get(action="image.change")
    assert entry.actor == editor and entry.detail == {"fields": ["alt_text"], "shown_live": True}


# Responses to signed-in people ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/feeds/rss/", "/sitemap.xml", "/search/?q=bridge", "LIVE"])
def test_responses_to_a_signed_in_person_are_private(client, editor, make_article, path):
    live = make_article("Bridge reopens")
    client.force_login(editor)
    response = client.get(live.get_absolute_url() if path == "LIVE" else path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response["Vary"]


def test_admin_pages_are_never_stored_nor_indexed(client, editor):
    for response in (client.get(reverse("admin:login")), client.get(reverse("admin:index"))):
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_an_author_link_to_a_user_does_not_open_others_drafts(client, writer, editors_draft):
    Author.objects.create(name="Writer", slug="writer", user=writer)
    client.force_login(writer)
    assert client.get(reverse("admin:articles_article_change", args=[editors_draft.pk])).status_code == 404
