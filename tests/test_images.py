"""The image library: safe uploads, renditions made once, responsive pictures on public pages."""

import errno
import io
import json
import re
import struct
import zlib
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image as PILImage

from articles.models import Article, Status
from images import processing
from images.models import Image

ADD_URL = "/admin/images/image/add/"
SERIAL = "SERIAL-4711-XK"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The admin_client's superuser needs a password; a slow hash only slows the suite here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def stored_files(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


def picture_bytes(image_format="JPEG", size=(400, 300), color="red", *, mode="RGB", exif=None, **options):
    picture = PILImage.new(mode, size, color)
    buffer = io.BytesIO()
    if exif is not None:
        options["exif"] = exif.tobytes()
    picture.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def camera_exif(orientation=1):
    exif = PILImage.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Acme Cameras"
    exif[0x0110] = "Acme X100"
    exif[0xA431] = SERIAL  # body serial number
    exif[0x8825] = {1: "N", 2: (60.0, 10.0, 30.0), 3: "E", 4: (24.0, 56.0, 10.0)}
    return exif


def upload(client, content, name="photo.jpg", content_type="image/jpeg", **fields):
    data = {
        "file": SimpleUploadedFile(name, content, content_type=content_type),
        "title": fields.pop("title", "Harbour at dawn"),
        "alt_text": fields.pop("alt_text", "Fishing boats moored in the harbour at first light"),
        "caption": fields.pop("caption", "The harbour before the bridge closed."),
        "credit": fields.pop("credit", "Ana Reyes / Harbour Gazette"),
        **fields,
    }
    return client.post(ADD_URL, data)


def make_image(content=None, name="photo.jpg", **fields):
    fields.setdefault("title", "A picture")
    fields.setdefault("alt_text", "Something seen")
    return Image.objects.create(file=ContentFile(content or picture_bytes(size=(1000, 600)), name=name), **fields)


def decoded(root, name):
    return PILImage.open(root / name)


# Accepted formats --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "name", "content_type", "options", "stored_format", "fallback"),
    [
        ("JPEG", "photo.jpg", "image/jpeg", {}, "JPEG", "JPEG"),
        ("PNG", "chart.png", "image/png", {"mode": "RGBA", "color": (0, 0, 255, 128)}, "PNG", "PNG"),
        ("WEBP", "photo.webp", "image/webp", {}, "WEBP", "JPEG"),
        ("GIF", "map.gif", "image/gif", {"mode": "P", "color": 1}, "PNG", "PNG"),
    ],
)
def test_each_accepted_format_is_stored_with_renditions(
    admin_client, media_root, image_format, name, content_type, options, stored_format, fallback
):
    content = picture_bytes(image_format, size=(700, 400), **options)
    response = upload(admin_client, content, name=name, content_type=content_type)
    assert response.status_code == 302, response.content.decode()[:2000]
    image = Image.objects.get()
    assert (image.width, image.height) == (700, 400)
    assert decoded(media_root, image.file.name).format == stored_format
    assert [r["width"] for r in image.sources("WEBP")] == [320, 640, 700]
    assert image.fallback_format == fallback
    assert [r["width"] for r in image.sources(fallback)] == [320, 640, 700]
    assert image.uploaded_by.is_superuser


def test_an_animated_gif_keeps_its_first_frame(admin_client, media_root):
    frames = [PILImage.new("RGB", (120, 80), color) for color in ("red", "blue", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert upload(admin_client, buffer.getvalue(), name="loop.gif", content_type="image/gif").status_code == 302
    stored = decoded(media_root, Image.objects.get().file.name).convert("RGB")
    assert stored.getpixel((60, 40)) == (255, 0, 0)


# Refusals ------------------------------------------------------------------------------------


def png_header_declaring(width, height):
    """A small PNG file whose header claims `width` × `height` pixels: a decompression bomb's shape."""
    raw = picture_bytes("PNG", size=(1, 1))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    patched = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return raw[:8] + patched + raw[8 + 25 :]


TRUNCATED_JPEG = picture_bytes(size=(800, 600), color="orange", quality=95)


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "photo.jpg",
            "image/jpeg",
            "This file is not a JPEG, PNG, WebP or GIF image (whatever its name says)",
        ),
        (
            b"<!doctype html><html><body><script>alert(1)</script></body></html>",
            "photo.png",
            "image/png",
            "This file is not a JPEG, PNG, WebP or GIF image (whatever its name says)",
        ),
        (
            picture_bytes("BMP", size=(50, 50)),
            "photo.jpg",
            "image/jpeg",
            "This file is not a JPEG, PNG, WebP or GIF image",
        ),
        (
            TRUNCATED_JPEG[: len(TRUNCATED_JPEG) // 2],
            "broken.jpg",
            "image/jpeg",
            "This image is damaged or incomplete and cannot be read.",
        ),
        (
            png_header_declaring(10_000, 10_000),
            "huge.png",
            "image/png",
            "This image is too large to process (10000 × 10000 pixels): the limit is 50 megapixels.",
        ),
        (
            picture_bytes(size=(10, 10)) + b"\0" * (25 * 1024 * 1024),
            "big.jpg",
            "image/jpeg",
            "This file is 25.0 MB; the limit is 25 MB.",
        ),
    ],
    ids=["svg", "html", "bmp", "truncated", "bomb", "over-25-mb"],
)
def test_bad_files_are_refused_with_a_clear_message_and_leave_nothing(
    admin_client, media_root, content, name, content_type, message
):
    response = upload(admin_client, content, name=name, content_type=content_type)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


def test_the_pixel_limit_is_fifty_megapixels():
    with pytest.raises(Exception, match="50 megapixels"):
        processing.prepare(ContentFile(png_header_declaring(7072, 7072), name="x.png"))  # 50.01 MP
    # Just under the limit passes the check (and then fails decoding, being only a header).
    with pytest.raises(Exception, match="damaged or incomplete"):
        processing.prepare(ContentFile(png_header_declaring(7071, 7071), name="x.png"))


def test_a_failure_while_storing_removes_every_file_written(media_root, monkeypatch, db):
    real_encode = processing.encode
    calls = []

    def failing_encode(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_encode(*args, **kwargs)

    monkeypatch.setattr(processing, "encode", failing_encode)
    with pytest.raises(OSError, match="No space left"):  # the server's state, not the picture's: a 503
        make_image(picture_bytes(size=(2000, 1000)))
    assert len(calls) == 5
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


# Metadata and orientation ---------------------------------------------------------------------


@pytest.mark.parametrize(("image_format", "name"), [("JPEG", "gps.jpg"), ("PNG", "gps.png"), ("WEBP", "gps.webp")])
def test_location_and_camera_details_are_gone_from_every_stored_file(admin_client, media_root, image_format, name):
    content = picture_bytes(image_format, size=(1000, 700), exif=camera_exif())
    assert PILImage.open(io.BytesIO(content)).getexif().get_ifd(0x8825)  # the upload does carry GPS
    assert upload(admin_client, content, name=name, content_type=f"image/{image_format.lower()}").status_code == 302
    files = stored_files(media_root)
    assert len(files) == 1 + 2 * 4 + 1  # original, 4 widths in two formats, social card
    for path in files:
        stored = PILImage.open(path)
        exif = stored.getexif()
        assert not exif.get_ifd(0x8825), path
        assert 0x010F not in exif and 0x0110 not in exif, path
        data = path.read_bytes()
        assert SERIAL.encode() not in data and b"Acme" not in data, path


def test_exif_orientation_is_applied(admin_client, media_root):
    picture = PILImage.new("RGB", (200, 100), "blue")
    picture.paste((255, 0, 0), (0, 0, 100, 100))  # left half red
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", exif=camera_exif(orientation=6).tobytes(), quality=95)
    assert upload(admin_client, buffer.getvalue()).status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (100, 200)
    stored = decoded(media_root, image.file.name).convert("RGB")
    assert stored.size == (100, 200)
    assert 0x0112 not in stored.getexif()
    red, green, blue = stored.getpixel((50, 20))  # orientation 6: the left half is now on top
    assert red > 200 and blue < 60


# Renditions ------------------------------------------------------------------------------------


def test_renditions_cover_the_standard_widths_and_a_social_card(media_root, db):
    image = make_image(picture_bytes(size=(2400, 1600)))
    assert [r["width"] for r in image.sources("WEBP")] == [320, 640, 960, 1280, 1920]
    assert [r["width"] for r in image.sources("JPEG")] == [320, 640, 960, 1280, 1920]
    for rendition in image.renditions:
        stored = decoded(media_root, rendition["name"])
        assert stored.size == (rendition["width"], rendition["height"])
        assert stored.format == rendition["format"]
    assert [(r["width"], r["height"]) for r in image.sources("WEBP")][2] == (960, 640)
    card = image.social_card
    assert (card["width"], card["height"], card["format"]) == (1200, 630, "JPEG")


def test_renditions_are_never_wider_than_the_original(media_root, db):
    image = make_image(picture_bytes(size=(300, 200)))
    assert [r["width"] for r in image.sources("WEBP")] == [300]
    assert [(r["width"], r["height"]) for r in image.sources("JPEG")] == [(300, 200)]


def banded_portrait():
    """400 × 800: red top, green middle, blue bottom."""
    picture = PILImage.new("RGB", (400, 800), (0, 255, 0))
    picture.paste((255, 0, 0), (0, 0, 400, 200))
    picture.paste((0, 0, 255), (0, 600, 400, 800))
    return picture_bytes_of(picture)


def picture_bytes_of(picture, image_format="PNG"):
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format)
    return buffer.getvalue()


def social_centre(root, image):
    card = decoded(root, image.social_card["name"]).convert("RGB")
    assert card.size == (1200, 630)
    return card.getpixel((600, 315))


@pytest.mark.parametrize(("focal_y", "colour"), [(0.05, (255, 0, 0)), (None, (0, 255, 0)), (0.95, (0, 0, 255))])
def test_the_social_card_crop_keeps_the_focal_point(media_root, db, focal_y, colour):
    image = make_image(banded_portrait(), name="bands.png", focal_x=0.5, focal_y=focal_y)
    assert social_centre(media_root, image) == colour


def test_changing_the_focal_point_in_the_admin_remakes_the_crop(
    admin_client, media_root, django_capture_on_commit_callbacks
):
    image = make_image(banded_portrait(), name="bands.png")
    old_names = [r["name"] for r in image.renditions]
    assert social_centre(media_root, image) == (0, 255, 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/images/image/{image.pk}/change/",
            {"title": image.title, "alt_text": image.alt_text, "focal_x": "0.5", "focal_y": "0.97"},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    image.refresh_from_db()
    assert image.focal_y == 0.97
    assert social_centre(media_root, image) == (0, 0, 255)
    assert not any((media_root / name).exists() for name in old_names)


def test_a_focal_point_outside_the_picture_is_refused(admin_client, media_root):
    response = upload(admin_client, picture_bytes(), focal_x="1.5", focal_y="0.5")
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 1" in response.content.decode()
    assert stored_files(media_root) == []


def test_regenerate_renditions_command(media_root, db, django_capture_on_commit_callbacks):
    image = make_image(picture_bytes(size=(700, 500)))
    before = [r["name"] for r in image.renditions]
    out = io.StringIO()
    call_command("regenerate_renditions", "--dry-run", stdout=out)
    assert "Would regenerate" in out.getvalue() and "1 images would be regenerated" in out.getvalue()
    image.refresh_from_db()
    assert [r["name"] for r in image.renditions] == before

    with django_capture_on_commit_callbacks(execute=True):
        call_command("regenerate_renditions", stdout=io.StringIO())
    image.refresh_from_db()
    after = [r["name"] for r in image.renditions]
    assert len(after) == len(before) and set(after).isdisjoint(before)
    assert all((media_root / name).exists() for name in after)
    assert not any((media_root / name).exists() for name in before)
    assert (media_root / image.file.name).exists()


def test_deleting_images_removes_their_files(admin_client, media_root, django_capture_on_commit_callbacks):
    one, other = make_image(), make_image(name="other.jpg")
    assert len(stored_files(media_root)) == 2 * (1 + 2 * 4 + 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/images/image/",
            {"action": "delete_selected", "_selected_action": [one.pk, other.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


def test_the_library_search_finds_images_by_title_caption_and_credit(admin_client, media_root):
    make_image(title="Ferry terminal", caption="Queues at the ferry", credit="Ben Okafor")
    make_image(title="Council chamber", caption="The vote", credit="City archive")
    for query, expected in [("terminal", "Ferry terminal"), ("vote", "Council chamber"), ("okafor", "Ferry")]:
        html = admin_client.get("/admin/images/image/", {"q": query}).content.decode()
        assert expected in html
    html = admin_client.get("/admin/images/image/", {"q": "archive"}).content.decode()
    assert "Council chamber" in html and "Ferry terminal" not in html
    assert "[image:" in html  # the inline code an editor copies


# Public pages --------------------------------------------------------------------------------


@pytest.fixture
def pictured(media_root, make_theme, make_article):
    theme = make_theme("Harbour bridge", slug="harbour-bridge")
    image = make_image(
        picture_bytes(size=(1600, 900)),
        title="Bridge",
        alt_text="The old bridge seen from the quay",
        caption="The bridge in October.",
        credit="Ana Reyes",
    )
    older = make_article("Bridge closes", theme=theme, lead_image=image, publish_at=timezone.now() - timedelta(hours=2))
    newer = make_article("Bridge reopens", theme=theme, lead_image=image)
    return {"image": image, "older": older, "newer": newer, "theme": theme}


def test_the_article_page_shows_a_responsive_eager_lead_image(client, pictured):
    html = client.get(pictured["newer"].get_absolute_url()).content.decode()
    figure = re.search(r'<figure class="picture lead-image">.*?</figure>', html, re.S).group(0)
    assert '<source type="image/webp" srcset="' in figure
    assert re.search(r'srcset="/media/\S+-320w\.webp 320w, \S+-640w\.webp 640w, \S+-960w\.webp 960w', figure)
    assert "1280w" in figure and "1600w" in figure and "1920w" not in figure
    assert 'width="960" height="540"' in figure
    assert 'alt="The old bridge seen from the quay"' in figure
    assert 'loading="lazy"' not in figure and 'fetchpriority="high"' in figure
    assert "The bridge in October." in figure and '<span class="credit">Ana Reyes</span>' in figure
    for url in re.findall(r"(/media/\S+?\.(?:webp|jpg))", figure):
        assert client.get(url).status_code == 200, url


def test_social_tags_and_json_ld_use_the_social_card(client, pictured, settings):
    html = client.get(pictured["newer"].get_absolute_url()).content.decode()
    card = pictured["image"].social_card["name"]
    expected = f"{settings.SITE_URL}/media/{card}"
    assert f'<meta property="og:image" content="{expected}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert f'<meta name="twitter:image" content="{expected}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["image"][0] == expected
    assert data["image"][1].endswith("-1600w.jpg")


def test_cards_show_lazy_thumbnails_and_the_home_lead_is_eager(client, pictured):
    home = client.get("/").content.decode()
    lead = home.split('aria-label="Lead story"')[1].split("</section>")[0]
    assert "<picture>" in lead and 'fetchpriority="high"' in lead and 'loading="lazy"' not in lead
    latest = home.split('id="latest-heading"')[1]
    assert "<picture>" in latest and 'loading="lazy"' in latest and 'sizes="8rem"' in latest
    theme_page = client.get("/themes/harbour-bridge/").content.decode()
    assert theme_page.count("<picture>") == 2 and theme_page.count('loading="lazy"') == 2


def test_an_inline_image_renders_with_caption_and_credit(client, pictured, make_article):
    image = pictured["image"]
    article = make_article(
        body=f"Before the picture.\n\n[image:{image.pk}]\n\nAfter it. `[image:{image.pk}]` stays code.\n\n"
        "[image:999999]",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    body = html.split('<div class="article-body">')[1].split("</div>")[0]
    assert body.count('<figure class="picture inline-image">') == 1
    assert 'loading="lazy"' in body and "The bridge in October." in body and "Ana Reyes" in body
    assert f"<code>[image:{image.pk}]</code>" in body
    assert "[image:999999]" not in body  # an unknown image leaves nothing behind
    assert "<figure" not in Article.objects.get(pk=article.pk).body_html  # stored HTML stays sanitised


def test_the_image_syntax_cannot_smuggle_markup(client, pictured, make_article):
    article = make_article(body='[image:1" onerror="alert(1)]\n\n<img src=x onerror=alert(1)>')
    body = client.get(article.get_absolute_url()).content.decode().split('<div class="article-body">')[1]
    body = body.split("</div>")[0]
    assert "<img" not in body and "<figure" not in body
    assert not re.search(r"<[^>]*onerror", body)


@pytest.mark.parametrize("size", [5, 60])
def test_public_pages_with_images_run_a_fixed_number_of_queries(
    client, media_root, make_theme, make_author, make_article, django_assert_max_num_queries, size
):
    theme = make_theme(slug="pictured")
    author = make_author(slug="pictured-author")
    images = [make_image(picture_bytes(size=(400, 300)), title=f"Picture {n}") for n in range(3)]
    articles = [
        make_article(
            f"Pictured story {n}",
            theme=theme,
            authors=[author],
            tags=["pictures"],
            lead_image=images[n % 3],
            body=f"Text.\n\n[image:{images[0].pk}]\n\n[image:{images[1].pk}]",
            publish_at=timezone.now() - timedelta(minutes=n + 1),
        )
        for n in range(size)
    ]
    plain = make_article("Pictured without inline pictures", theme=theme, authors=[author], lead_image=images[0])
    client.get("/")  # warm the navigation cache
    limits = {
        plain.get_absolute_url(): 4,  # the same as without a lead image
        articles[0].get_absolute_url(): 5,  # one more, only when the body places pictures
        "/": 3,
        # Lists: their row, the count, the page's rows, then the cards not kept (articles, bylines).
        "/themes/pictured/": 5,
        "/authors/pictured-author/": 5,
        "/tags/pictures/": 5,
    }
    for path, limit in limits.items():
        with django_assert_max_num_queries(limit):
            response = client.get(path)
        assert response.status_code == 200, path
        assert "<picture>" in response.content.decode(), path


def test_a_draft_with_an_image_stays_private(client, pictured, make_article):
    draft = make_article("Unseen", status=Status.DRAFT, publish_at=None, lead_image=pictured["image"])
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_demo_newsroom_gets_drawn_pictures_once(media_root, settings, tmp_path, monkeypatch, db):
    from ops.management.commands import loaddemo

    settings.DEBUG = True
    content = {
        "themes": [
            {"slug": "harbour", "name": "Harbour", "description": "Boats."},
            {"slug": "council", "name": "Council", "description": "Votes."},
        ],
        "authors": [{"slug": "ana", "name": "Ana Reyes", "bio": "Reporter."}],
        "articles": [
            {
                "headline": f"Demo story {n}",
                "deck": "",
                "standfirst": "Something happened.",
                "body": "Text.",
                "theme": ["harbour", "council", None][n % 3],
                "authors": ["ana"],
                "tags": ["demo"],
            }
            for n in range(9)
        ],
    }
    path = tmp_path / "newsroom.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    monkeypatch.setattr(loaddemo, "DEMO_CONTENT", path)

    call_command("loaddemo", stdout=io.StringIO())
    assert not Article.objects.filter(lead_image__isnull=True).exists()
    pictures = set(Image.objects.values_list("pk", flat=True))
    assert 3 <= len(pictures) <= 5  # one per theme and the extras, reused
    files_before = stored_files(media_root)
    for image in Image.objects.all():
        assert image.alt_text and image.renditions
        assert decoded(media_root, image.file.name).size == (1600, 900)

    call_command("loaddemo", stdout=io.StringIO())
    assert set(Image.objects.values_list("pk", flat=True)) == pictures
    assert stored_files(media_root) == files_before


def test_replacing_the_file_removes_the_old_files(admin_client, media_root, django_capture_on_commit_callbacks):
    image = make_image(picture_bytes(size=(700, 400)), name="first.jpg")
    old = stored_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/images/image/{image.pk}/change/",
            {
                "file": SimpleUploadedFile("second.png", picture_bytes("PNG", size=(500, 500)), "image/png"),
                "title": image.title,
                "alt_text": image.alt_text,
            },
        )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.width, image.height) == (500, 500) and image.file.name.endswith(".png")
    new = stored_files(media_root)
    assert set(new).isdisjoint(old) and len(new) == 1 + 2 * 2 + 1  # widths 320 and 500


def test_a_writer_can_add_to_the_library(client, media_root, django_user_model):
    from django.contrib.auth.models import Group

    writer = django_user_model.objects.create_user("writer", password="x", is_staff=True)
    writer.groups.add(Group.objects.get(name="Writers"))
    client.force_login(writer)
    assert upload(client, picture_bytes()).status_code == 302
    assert Image.objects.get().uploaded_by == writer
