"""When the server cannot write: /readyz says what failed, and people get a clear 503 page."""

import errno
import json
import shutil
from collections import namedtuple

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from newsroom import health

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


@pytest.mark.parametrize(
    "failure",
    [OperationalError("database or disk is full"), OSError(errno.ENOSPC, "No space left on device")],
    ids=["database-full", "disk-full"],
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
