"""When the server cannot write: /readyz says what failed, and people get a clear 503 page."""

import errno
import io
import json
import shutil
from collections import namedtuple

import psycopg.errors
import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.test import Client
from PIL import Image as PILImage

from api.models import ApiToken
from articles.models import Article
from images.models import Image
from newsroom import health
from newsroom.storage import AtomicFileSystemStorage
from tests.test_nothing_lost import change_url, form_data

Usage = namedtuple("Usage", "total used free")


@pytest.fixture(autouse=True)
def _fresh_media_check():
    health._media_checked.update(at=float("-inf"), ok=True)
    yield
    health._media_checked.update(at=float("-inf"), ok=True)


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_ready_when_everything_writes(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert readyz(client) == (
        200,
        {"status": "ok", "database": "ok", "media": "ok", "cache": "ok", "disk": "ok", "page_cache": "ok"},
    )
    assert list(tmp_path.rglob("*probe*")) == []  # the probe file is removed again


def test_unready_when_media_storage_cannot_take_a_file(client, db, settings, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    status, body = readyz(client)
    assert status == 503 and body["media"] == "failing" and body["failing"] == ["media"]


def test_unready_when_a_disk_is_nearly_full_naming_no_path(client, db, settings, monkeypatch, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.READYZ_MIN_FREE_MB = 200
    real = shutil.disk_usage
    monkeypatch.setattr(
        shutil,
        "disk_usage",
        lambda path: Usage(10**12, 10**12, 150 * 2**20) if str(path) == str(tmp_path) else real(path),
    )
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["disk"]
    assert str(tmp_path) not in json.dumps(body)
    settings.READYZ_MIN_FREE_MB = 100
    assert readyz(client)[0] == 200


def test_unready_when_the_database_refuses_writes(client, db, monkeypatch):
    class ReadOnly:
        vendor = "sqlite"
        in_atomic_block = False

        def cursor(self):
            raise OperationalError("attempt to write a readonly database")

    monkeypatch.setattr("newsroom.health.connections", {"default": ReadOnly()})
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["database"]


@pytest.fixture
def chief(db):
    return User.objects.create_superuser("chief", "chief@example.org", "pw-chief-2026")


def german(error_class, message):
    """PostgreSQL with lc_messages=de_DE: only the SQLSTATE says what happened."""
    error = OperationalError(message)
    error.__cause__ = error_class(message)
    return error


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("database or disk is full"),
        OSError(errno.ENOSPC, "No space left on device"),
        german(psycopg.errors.DiskFull, "konnte Datei nicht erweitern: Auf dem Gerät ist kein Speicherplatz mehr"),
        german(psycopg.errors.ReadOnlySqlTransaction, "kann INSERT nicht in einer Read-only-Transaktion ausführen"),
    ],
    ids=["database-full", "disk-full", "postgresql-full-in-german", "postgresql-read-only-in-german"],
)
def test_signing_in_on_a_full_disk_is_a_clear_503(chief, monkeypatch, failure):
    def full(self, must_create=False):
        raise failure

    monkeypatch.setattr(SessionStore, "save", full)
    monkeypatch.setattr(SessionStore, "create", full)
    client = Client(raise_request_exception=False)
    response = client.post("/admin/login/", {"username": "chief", "password": "pw-chief-2026"})
    assert response.status_code == 503
    assert response["Retry-After"] == "120" and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "We cannot save anything just now" in page and "was not saved" in page


def test_other_failures_stay_500(chief, monkeypatch):
    def broken(self, must_create=False):
        raise OperationalError("no such table: django_session")

    monkeypatch.setattr(SessionStore, "save", broken)
    monkeypatch.setattr(SessionStore, "create", broken)
    response = Client(raise_request_exception=False).post(
        "/admin/login/", {"username": "chief", "password": "pw-chief-2026"}
    )
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


# --- A read-only database, a full disk: 503 with Retry-After everywhere, the API in JSON -----


@pytest.fixture
def read_only_database():
    """The database as a read-only replica or a remounted disk leaves it: reads work, writes fail."""
    on, off = (
        ("PRAGMA query_only = ON", "PRAGMA query_only = OFF")
        if connection.vendor == "sqlite"
        else (
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        )
    )

    def read_only():
        with connection.cursor() as cursor:
            cursor.execute(on)

    yield read_only
    with connection.cursor() as cursor:
        cursor.execute(off)


def assert_cannot_save(response, api=False):
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "120" and "no-store" in response["Cache-Control"]
    if api:
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail", "code"} and "Nothing was saved" in response.json()["detail"]
    else:
        assert "We cannot save anything just now" in response.content.decode()


# Committed for real (PostgreSQL aborts a transaction at its first refused write). The roles come
# back for the tests that follow through make_user (sync_roles); site settings have seed values.
@pytest.mark.django_db(transaction=True)
def test_a_read_only_database_answers_503_to_every_write_and_still_serves_readers(
    make_article, make_user, read_only_database
):
    story = make_article("Ferry to Tōkyō resumes", body="Квитки в касі. 🎫")
    editor = make_user("olena", "Editors", first_name="Олена")
    make_user("kenji", "Writers")
    key = ApiToken.issue(user=editor, name="Desk script")[1]
    desk = Client(raise_request_exception=False)
    desk.force_login(editor)
    edited = form_data(desk, story, headline="Ferry to Tōkyō resumes on 29 February")
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {key}")
    reader = Client(raise_request_exception=False)

    read_only_database()
    assert_cannot_save(desk.post(change_url(story), edited))
    assert_cannot_save(reader.post("/admin/login/", {"username": "kenji", "password": "pw"}))
    patch = {"headline": "Ferry to Tōkyō resumes on 29 February", "version": story.version}
    assert_cannot_save(
        api.patch(f"/api/v1/staff/articles/{story.pk}/", patch, content_type="application/json"), api=True
    )
    draft = {"headline": "Пором", "standfirst": "Квитки.", "body": "Текст."}
    assert_cannot_save(api.post("/api/v1/staff/articles/", draft, content_type="application/json"), api=True)
    # Reading needs no write: readers, the public API and the desk still answer.
    for path in ("/", story.get_absolute_url(), f"/api/v1/articles/{story.pk}/"):
        assert reader.get(path).status_code == 200, path
    assert desk.get("/admin/").status_code == 200  # the desk too
    readiness = reader.get("/readyz")
    assert readiness.status_code == 503 and readiness.json()["failing"] == ["database"]
    assert Article.objects.get(pk=story.pk).headline == "Ferry to Tōkyō resumes"


def png_upload():
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 480), "teal").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "東京-ferry.png"
    return buffer


def test_a_full_disk_on_an_upload_answers_503_in_the_api_and_the_admin(make_user, media_root, monkeypatch):
    editor = make_user("olena", "Editors")
    key = ApiToken.issue(user=editor, name="Desk script")[1]

    def full(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(AtomicFileSystemStorage, "_save", full)
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {key}")
    upload = {"file": png_upload(), "alt_text": "Пором біля причалу"}
    assert_cannot_save(api.post("/api/v1/staff/images/", upload), api=True)
    desk = Client(raise_request_exception=False)
    desk.force_login(editor)
    form = {"file": png_upload(), "title": "Причал", "alt_text": "Пором біля причалу", "caption": "", "credit": ""}
    assert_cannot_save(desk.post("/admin/images/image/add/", form))
    assert not Image.objects.exists()
    assert [path for path in media_root.rglob("*") if path.is_file()] == []
