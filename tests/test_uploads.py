"""Uploads that strain the server: long encodes, shapes and depths the encoders refuse,
failures halfway, and the files they leave behind."""

import io
import os
import re
import struct
import time
import zlib
from pathlib import PurePosixPath

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from PIL import Image as PILImage
from PIL import ImageCms

from articles.models import Article, Status, system_gate
from images import processing
from images.models import Image
from tests.test_images import make_image, picture_bytes, stored_files, upload


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def png_16_bit(width, height, colour_type, samples):
    """A PNG with 16 bits per sample (Pillow itself cannot write most of these)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" + struct.pack(f">{len(samples)}H", *samples) * width
    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@pytest.mark.django_db(transaction=True)
def test_pictures_are_encoded_before_the_transaction_that_records_them(client, media_root, django_user_model):
    """The race: with SQLite a transaction holds the database's write lock, so encoding a
    large picture inside one made a concurrent sign-in fail with "database is locked"."""
    client.force_login(django_user_model.objects.create_superuser("chief", "chief@example.org", "pw"))
    in_transaction = []
    real_encode = processing.encode

    def encode(*args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return real_encode(*args, **kwargs)

    processing.encode = encode
    try:
        response = upload(client, picture_bytes(size=(1400, 900)))
    finally:
        processing.encode = real_encode
    assert response.status_code == 302
    assert len(in_transaction) == 12 and not any(in_transaction)
    assert Image.objects.get().renditions


@pytest.mark.parametrize(
    ("content", "name", "widths", "webp"),
    [
        (picture_bytes(size=(600, 17000)), "strip.jpg", [320, 600], False),
        (picture_bytes("PNG", size=(1, 60000)), "line.png", [1], False),
        (picture_bytes("PNG", size=(17000, 600)), "panorama.png", [320, 640, 960, 1280, 1920], True),
    ],
)
def test_shapes_beyond_webp_limits_are_stored_without_webp(admin_client, media_root, content, name, widths, webp):
    response = upload(admin_client, content, name=name)
    assert response.status_code == 302
    image = Image.objects.get()
    formats = {r["format"] for r in image.renditions if r["kind"] == "width"}
    assert [r["width"] for r in image.sources(image.fallback_format)] == widths
    assert formats == ({image.fallback_format, "WEBP"} if webp else {image.fallback_format})
    for rendition in image.renditions:
        with PILImage.open(media_root / rendition["name"]) as stored:
            assert stored.size == (rendition["width"], rendition["height"])


def test_what_the_encoder_cannot_take_is_a_form_error_in_words(admin_client, media_root, monkeypatch):
    def failing(*args, **kwargs):
        raise OSError("encoder error -2 when writing image file")

    monkeypatch.setattr(processing, "encode", failing)
    response = upload(admin_client, picture_bytes(size=(800, 600)))
    assert response.status_code == 200
    assert "The picture library cannot store this picture" in response.content.decode()
    assert not Image.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize(
    ("colour_type", "samples", "expected"),
    [(0, (30000,), (117, 117, 117)), (2, (30000, 60000, 1000), (117, 234, 4)), (4, (30000, 65535), (117, 117, 117))],
    ids=["grey", "rgb", "grey-alpha"],
)
def test_16_bit_pngs_keep_their_tones(admin_client, media_root, colour_type, samples, expected):
    response = upload(admin_client, png_16_bit(40, 30, colour_type, samples), name="scan.png")
    assert response.status_code == 302
    image = Image.objects.get()
    for name in [image.file.name, *(r["name"] for r in image.renditions)]:
        with PILImage.open(media_root / name) as stored:
            pixel = stored.convert("RGB").getpixel((stored.width // 2, stored.height // 2))
        assert all(abs(a - b) <= 3 for a, b in zip(pixel, expected, strict=True)), (name, pixel)


def test_a_form_refused_for_another_field_leaves_no_files(admin_client, media_root):
    response = upload(admin_client, picture_bytes(size=(800, 600)), alt_text="")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Image.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize("field", ["caption", "credit", "alt_text"])
def test_captions_credits_and_alt_text_are_plain_text(admin_client, media_root, field):
    response = upload(admin_client, picture_bytes(), **{field: "The <b>harbour</b> at dawn"})
    assert response.status_code == 200
    assert "This is plain text: remove the HTML tags such as “&lt;b&gt;” (here “&lt;b&gt;”)" in (
        response.content.decode()
    )
    assert stored_files(media_root) == []
    response = upload(admin_client, picture_bytes(), **{field: "Shares fall as a<b merger collapses"})
    assert response.status_code == 302
    assert getattr(Image.objects.get(), field) == "Shares fall as a<b merger collapses"


class Halfway:
    """Content whose reading fails after the first chunk, like a disk filling up."""

    def __init__(self):
        self.size = 2 * 64 * 1024

    def chunks(self, chunk_size=None):
        yield b"x" * 64 * 1024
        raise OSError(28, "No space left on device")


def test_a_file_appears_under_its_name_only_when_complete(media_root):
    with pytest.raises(OSError, match="No space"):
        default_storage._save("images/any-month/half.jpg", Halfway())
    assert stored_files(media_root) == []
    name = default_storage.save("images/any-month/whole.jpg", ContentFile(b"abc"))
    assert name == "images/any-month/whole.jpg"
    assert [p.name for p in stored_files(media_root)] == ["whole.jpg"]
    again = default_storage.save("images/any-month/whole.jpg", ContentFile(b"def"))
    assert again != name and (media_root / name).read_bytes() == b"abc"


def age(path, hours):
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_orphan_media_are_listed_then_removed(media_root, db):
    kept = make_image(picture_bytes(size=(700, 500)))
    owned = {media_root / kept.file.name, *(media_root / r["name"] for r in kept.renditions)}
    folder = PurePosixPath(kept.file.name).parent.parent  # the upload's own month, whatever today is
    stray = media_root / folder / "renditions/killed-640w.webp"
    partial = media_root / folder / ".partial-0a1b2c3d4e5f-photo.jpg"
    young = media_root / folder / "uploading-320w.jpg"
    for path in (stray, partial, young):
        path.write_bytes(b"left behind")
    for path in (stray, partial, *owned):
        age(path, 2)
    age(young, 0)  # by the clock the code reads, not the file system's (they differ under faketime)

    out = io.StringIO()
    call_command("remove_orphan_media", stdout=out)
    listed = out.getvalue()
    assert f"Would remove {folder}/renditions/killed-640w.webp (11 bytes)" in listed
    assert ".partial-0a1b2c3d4e5f-photo.jpg" in listed and "uploading" not in listed
    assert "2 orphan files, 22 bytes, would be removed" in listed
    assert stray.exists() and partial.exists()

    call_command("remove_orphan_media", "--delete", stdout=io.StringIO())
    assert set(stored_files(media_root)) == owned | {young}
    call_command("remove_orphan_media", "--delete", "--older-than=0", stdout=io.StringIO())
    assert set(stored_files(media_root)) == owned
    assert Image.objects.get() == kept


def test_a_large_upload_gives_its_memory_back(media_root, db, monkeypatch):
    released = []
    monkeypatch.setattr(processing, "release_memory", lambda: released.append(True))
    make_image(picture_bytes(size=(2500, 2000)))
    assert released == [True]
    make_image(picture_bytes(size=(400, 300)))
    assert released == [True]  # small pictures neither wait for the lock nor trim


def test_one_large_picture_at_a_time_per_worker(media_root, db, monkeypatch):
    held = []
    real_prepare = processing.prepare

    def prepare(upload):
        held.append(processing._one_large_picture.locked())
        return real_prepare(upload)

    monkeypatch.setattr(processing, "prepare", prepare)
    make_image(picture_bytes(size=(2500, 2000)))
    make_image(picture_bytes(size=(400, 300)))
    assert held == [True, False]
    assert not processing._one_large_picture.locked()


def test_a_colour_profile_is_applied_then_dropped_however_large(media_root, db):
    """An 8 MB random profile on a small JPEG was kept by every rendition (100 MB stored)."""
    noise = os.urandom(8 * 1024 * 1024)
    image = make_image(picture_bytes(size=(900, 600), color=(200, 120, 40), icc_profile=noise))
    stored = sum(path.stat().st_size for path in stored_files(media_root))
    assert stored < 1024 * 1024
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    tagged = make_image(picture_bytes(size=(900, 600), color=(200, 120, 40), icc_profile=srgb))
    for row in (image, tagged):
        for name in [row.file.name, *(r["name"] for r in row.renditions)]:
            picture = PILImage.open(media_root / name)
            assert "icc_profile" not in picture.info, name
            red, green, blue = picture.convert("RGB").getpixel((10, 10))
            assert abs(red - 200) < 8 and abs(green - 120) < 8 and abs(blue - 40) < 8, name


def test_originals_have_secret_names_and_are_served_to_staff_or_while_an_article_shows_them(
    client, media_root, make_article, editor
):
    image = make_image(picture_bytes(size=(900, 600)), name="Київ набережна.jpg")
    original = PurePosixPath(image.file.name)
    assert original.parent.name == "originals" and re.fullmatch(r".+-[0-9a-f]{32}\.jpg", original.name)
    assert all(original.stem not in r["name"] for r in image.renditions)  # the secret stays secret
    assert client.get(image.file.url).status_code == 404
    assert client.get(image.file.storage.url(image.renditions[0]["name"])).status_code == 200
    client.force_login(editor)
    response = client.get(image.file.url)
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")
    client.logout()
    article = make_article("Embankment reopens", lead_image=image, status=Status.DRAFT)
    assert client.get(image.file.url).status_code == 404
    with system_gate():
        Article.objects.filter(pk=article.pk).update(status=Status.APPROVED)
    assert client.get(image.file.url).status_code == 200
