"""Pictures uploaded from the writing screen (issue 27, item 3): through the image library's
own form and checks; a refusal says why and keeps nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from images.models import Image
from tests.test_images import picture_bytes

pytestmark = pytest.mark.django_db
URL = "/admin/articles/article/pictures/upload/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_an_upload_gets_its_title_from_the_file_name_and_asks_for_alt_text(client, writer, media):
    client.force_login(writer)
    answer = client.post(
        URL,
        {
            "file": SimpleUploadedFile("IMG_2031 Київ-quay_at-dawn.png", picture_bytes("PNG", size=(640, 400))),
            "alt_text": "The Київ quay at dawn",
            "credit": "東京 Photo Agency",
        },
    )
    assert answer.status_code == 201, answer.content
    image = Image.objects.get()
    assert (image.title, image.alt_text, image.credit, image.uploaded_by) == (
        "IMG 2031 Київ quay at dawn",
        "The Київ quay at dawn",
        "東京 Photo Agency",
        writer,
    )
    assert answer.json()["picture"]["id"] == image.pk and answer.json()["picture"]["thumbnail"]


def test_a_refused_upload_says_why_and_keeps_nothing(client, writer, media):
    client.force_login(writer)
    no_alt = client.post(URL, {"file": SimpleUploadedFile("quay.jpg", picture_bytes())})
    assert no_alt.status_code == 400 and "alt_text" in no_alt.json()["errors"]
    not_a_picture = client.post(
        URL, {"file": SimpleUploadedFile("notes.png", b"Minutes of the 29 February meeting"), "alt_text": "Notes"}
    )
    assert not_a_picture.status_code == 400 and not_a_picture.json()["errors"]["file"]
    assert not Image.objects.exists()
    assert stored_files(media) == []


def test_only_those_who_may_add_pictures_upload(client, django_user_model, media, make_user):
    assert client.post(URL, {}).status_code == 302  # to the sign-in page
    client.force_login(make_user("visitor"))  # staff, in no role
    assert (
        client.post(URL, {"file": SimpleUploadedFile("quay.jpg", picture_bytes()), "alt_text": "Q"}).status_code == 403
    )
    assert client.get(reverse("admin:articles_article_picture_upload")).status_code in (403, 405)
    assert not Image.objects.exists()
