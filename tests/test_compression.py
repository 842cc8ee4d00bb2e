"""Compressed public pages (never ones carrying secrets), hashed static files and
renditions kept for a year."""

import gzip
import json
import re
import textwrap

import brotli
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from images.models import Image
from newsroom.compression import accepted_encodings
from tests.test_images import picture_bytes
from tests.test_production import PRODUCTION_ENV, run

pytestmark = pytest.mark.usefixtures("away_from_new_year")


@pytest.fixture
def home(make_article):
    for n in range(6):
        make_article(f"Harbour story {n}", standfirst="The ferry was late again on Monday. " * 5)
    return "/"


def decoded(response):
    coding = response.get("Content-Encoding")
    body = response.content
    return {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}[coding](body).decode()


@pytest.mark.parametrize(
    ("accept", "coding"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", None), ("identity", None)],
)
def test_public_pages_are_compressed_for_what_the_reader_accepts(client, home, accept, coding):
    plain = client.get(home).content.decode()
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(home, HTTP_ACCEPT_ENCODING=accept)
        assert response.get("Content-Encoding") == coding
        assert "Accept-Encoding" in response["Vary"]
        assert decoded(response) == plain
        if coding:
            assert int(response["Content-Length"]) == len(response.content) < len(plain) / 3


def test_feeds_and_sitemaps_are_compressed(client, home):
    for url in ("/feeds/rss/", "/feeds/atom/", "/sitemap.xml"):
        response = client.get(url, HTTP_ACCEPT_ENCODING="br")
        assert response.status_code == 200
        if len(decoded(response)) >= 512:
            assert response["Content-Encoding"] == "br", url


def test_answers_that_carry_secrets_are_never_compressed(client, home, django_user_model):
    """BREACH: a compressed page with a CSRF token or a session's content leaks it by its size."""
    login = client.get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert "csrfmiddlewaretoken" in login.content.decode()
    assert not login.has_header("Content-Encoding")
    client.force_login(django_user_model.objects.create_superuser("chief", "chief@example.org", "pw"))
    for url in (home, "/admin/"):
        assert not client.get(url, HTTP_ACCEPT_ENCODING="gzip, br").has_header("Content-Encoding")


def test_accepted_encodings():
    assert accepted_encodings("gzip;q=1.0, br;q=0.5, *;q=0") == {"gzip", "br"}
    assert accepted_encodings("BR , GZIP;q=0") == {"br"}
    assert accepted_encodings("br;q=, gzip;q=abc, deflate;q=...") == {"br", "gzip", "deflate"}
    assert accepted_encodings("br;q=0.000, gzip;q=0.001") == {"gzip"}
    assert accepted_encodings(",,;;q=0,") == set()


def test_renditions_are_kept_a_year_originals_ten_minutes(client, settings, tmp_path, make_article):
    settings.MEDIA_ROOT = tmp_path
    image = Image.objects.create(
        file=SimpleUploadedFile("pier.jpg", picture_bytes(size=(700, 400))), title="Pier", alt_text="The pier"
    )
    make_article("Pier reopens", lead_image=image)
    rendition = client.get(image.file.storage.url(image.renditions[0]["name"]))
    assert rendition.status_code == 200
    assert rendition["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(image.file.url)["Cache-Control"] == "public, max-age=600"
    assert not client.get("/media/images/missing.jpg").has_header("Cache-Control")


def test_in_production_site_css_is_hashed_compressed_and_immutable(tmp_path):
    script = textwrap.dedent(
        """
        import json, django
        from django.core.management import call_command
        django.setup()
        call_command("collectstatic", "--noinput", verbosity=0)
        call_command("migrate", verbosity=0)
        from django.test import Client
        client = Client(HTTP_HOST="news.example.org", HTTP_X_FORWARDED_PROTO="https", secure=True)
        page = client.get("/").content.decode()
        css = __import__("re").search(r'href="(/static/css/site\\.[0-9a-f]{12}\\.css)"', page).group(1)
        answers = {}
        for coding in ("br", "gzip", ""):
            r = client.get(css, HTTP_ACCEPT_ENCODING=coding)
            answers[coding] = [r.status_code, r.get("Content-Encoding"), r["Cache-Control"], r.get("Vary")]
        page = client.get("/", HTTP_ACCEPT_ENCODING="br")
        print(json.dumps({"css": css, "answers": answers, "page": page.get("Content-Encoding")}))
        """
    )
    env = {
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = run(["-c", script], **env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", found["css"])
    for coding, expected in (("br", "br"), ("gzip", "gzip"), ("", None)):
        status, encoding, cache_control, vary = found["answers"][coding]
        assert status == 200 and encoding == expected
        assert "immutable" in cache_control and "max-age=315360000" in cache_control
        assert vary == "Accept-Encoding"
    assert found["page"] == "br"
