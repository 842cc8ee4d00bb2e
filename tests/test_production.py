"""Production differs only by environment variables: each case runs the settings in a
fresh process with the environment a server would have."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "news.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://news.example.org",
    "SITE_URL": "https://news.example.org",
}

# Variables from the machine that would change what the settings choose.
CONFIGURING = {
    "DJANGO_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "ADMIN_PATH",
    "SESSION_COOKIE_AGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests; never on a server
}


def run(args, **env):
    base = {key: value for key, value in os.environ.items() if key not in CONFIGURING and not key.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def settings_in_process(names, **env):
    code = (
        "import json, django; django.setup(); from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    result = run(["-c", code], DJANGO_SETTINGS_MODULE="newsroom.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_pass_the_deployment_checks():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_production_switches_the_secure_settings_on():
    values = settings_in_process(
        [
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SECURE_PROXY_SSL_HEADER",
            "PASSWORD_HASHERS",
            "AXES_FAILURE_LIMIT",
            "SERVE_MEDIA",
        ],
        **PRODUCTION_ENV,
    )
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert values["AXES_FAILURE_LIMIT"] == 10
    assert values["SERVE_MEDIA"] is False


def test_media_goes_to_object_storage_when_a_bucket_is_configured():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "from django.core.files.storage import storages; s = storages['default'];"
        "print(type(s).__module__ + '.' + type(s).__name__, s.bucket_name, s.endpoint_url, s.file_overwrite,"
        " settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "AWS_STORAGE_BUCKET_NAME": "harbour-media",
        "AWS_S3_ENDPOINT_URL": "https://objects.example.net",
        "AWS_S3_REGION_NAME": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
    }
    result = run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("storages.backends.s3.S3Storage harbour-media https://objects.example.net False")
    assert "https://objects.example.net" in line  # images from the bucket are allowed by the CSP


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://newsroom%40example.org:p%40ss@mail.example.org:587",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "newsroom@example.org",
                "EMAIL_HOST_PASSWORD": "p@ss",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtps://desk:secret@mail.example.org",
            {"EMAIL_PORT": 465, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": True, "EMAIL_HOST_USER": "desk"},
        ),
        ("smtp://relay.internal:25", {"EMAIL_PORT": 25, "EMAIL_USE_TLS": False, "EMAIL_HOST_USER": ""}),
        ("smtp://relay.internal:2525?tls=true", {"EMAIL_PORT": 2525, "EMAIL_USE_TLS": True}),
    ],
)
def test_email_url_becomes_email_settings(url, expected):
    from newsroom.configuration import email_settings

    settings = email_settings(url)
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert {key: settings[key] for key in expected} == expected


def test_an_unknown_email_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from newsroom.configuration import email_settings

    with pytest.raises(ImproperlyConfigured):
        email_settings("imap://mail.example.org")


def test_mail_session_length_and_admin_path_come_from_the_environment():
    code = (
        "import json, django; django.setup(); from django.conf import settings; from django.urls import reverse;"
        "names = ['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_USE_TLS', 'SESSION_COOKIE_AGE'];"
        "values = {n: getattr(settings, n) for n in names};"
        "values['admin'] = reverse('admin:index');"
        "values['media'] = settings.STORAGES['default']['BACKEND'];"
        "print(json.dumps(values))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "EMAIL_URL": "smtp://u:p@mail.example.org:587",
        "SESSION_COOKIE_AGE": "3600",
        "ADMIN_PATH": "desk-7f3a",
    }
    result = run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_USE_TLS": True,
        "SESSION_COOKIE_AGE": 3600,
        "admin": "/desk-7f3a/",
        "media": "newsroom.storage.AtomicFileSystemStorage",  # no bucket: media on disk
    }


def test_gunicorn_configuration_loads():
    result = run(["-m", "gunicorn", "--check-config", "-c", "gunicorn.conf.py", "newsroom.wsgi:application"])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_sqlite_has_query_planner_statistics_after_migrate_and_keeps_them_fresh(monkeypatch, client):
    from django.core.management import call_command
    from django.db import connection

    from newsroom import database

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its own statistics")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone()[0] == 1

    optimized = []
    monkeypatch.setattr(database, "_last_optimized", 0.0)
    monkeypatch.setattr(database.time, "monotonic", lambda: database.OPTIMIZE_EVERY + 1.0)
    executed = connection.execute_wrapper(lambda execute, sql, *args: optimized.append(sql) or execute(sql, *args))
    with executed:
        client.get("/robots.txt")
        client.get("/robots.txt")  # within the hour: not again
    assert optimized.count("PRAGMA optimize") == 1


def test_the_mastodon_instances_named_for_embeds_join_the_frame_src_and_nothing_else_can():
    named = settings_in_process(
        ["EMBED_MASTODON_HOSTS", "CONTENT_SECURITY_POLICY"], EMBED_MASTODON_HOSTS="Toot.Example"
    )
    assert named["EMBED_MASTODON_HOSTS"] == ["toot.example"]
    assert named["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["frame-src"][-1] == "https://toot.example"
    code = "import django; django.setup()"
    smuggled = run(
        ["-c", code], DJANGO_SETTINGS_MODULE="newsroom.settings", EMBED_MASTODON_HOSTS="x.example; script-src *"
    )
    assert smuggled.returncode != 0 and "EMBED_MASTODON_HOSTS takes host names only" in smuggled.stderr
