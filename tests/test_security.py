"""Security layers: password hashing, login throttling, headers and CSP, uploads, the audit log."""

import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.body import render_body
from articles.models import Status
from articles.workflow import take_step
from audit.models import Action, AuditEntry
from newsroom import settings as project_settings

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor", "editor@example.org", PASSWORD, is_staff=True)
    return user


def sign_in(client, username, password, **extra):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": reverse("admin:index")}, **extra
    )


# --- Passwords and sessions --------------------------------------------------------------


def test_new_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = User.objects.create_user("argon", password=PASSWORD)
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_sessions_expire_after_a_working_day_by_default():
    assert project_settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert project_settings.SESSION_COOKIE_HTTPONLY


# --- Login throttling --------------------------------------------------------------------


def test_ten_failed_sign_ins_lock_the_account_out_with_a_message(client, editor):
    for _ in range(9):
        response = sign_in(client, "editor", "wrong password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    locked = sign_in(client, "editor", "wrong password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in locked" in page and "15 minutes" in page and "10 failed attempts" in page
    assert 'id="site-name"' in page  # in the admin's design

    # Even the right password is refused now, and no session is created.
    refused = sign_in(client, "editor", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_address_so_others_can_still_sign_in(client, editor):
    User.objects.create_user("colleague", password=PASSWORD, is_staff=True)
    for _ in range(10):
        sign_in(client, "editor", "wrong password", REMOTE_ADDR="203.0.113.9")
    assert sign_in(client, "editor", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert sign_in(client, "colleague", PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 302


def test_lockout_ends_after_the_cool_off(client, editor):
    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(10):
            sign_in(client, "editor", "wrong password")
        assert sign_in(client, "editor", PASSWORD).status_code == 429
    with time_machine.travel(start + project_settings.AXES_COOLOFF_TIME, tick=False) as clock:
        clock.shift(1)
        assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_client_address_behind_a_proxy_is_the_one_the_proxy_saw(rf, settings):
    from audit.context import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"  # the spoofed left-hand entry is ignored
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"


def test_admin_login_needs_a_csrf_token(editor):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert sign_in(strict, "editor", PASSWORD).status_code == 403


# --- Headers and Content-Security-Policy -------------------------------------------------


def csp(response):
    return dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split(";") if part
    )


@pytest.fixture
def article(make_article, make_theme):
    return make_article("Harbour lights return", theme=make_theme("Harbour"), body="[Map](https://example.org/map)")


@pytest.mark.parametrize("page", ["home", "article", "themes"])
def test_public_pages_carry_a_strict_policy_and_security_headers(client, article, page, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    url = {"home": "/", "article": article.get_absolute_url(), "themes": reverse("themes:index")}[page]
    response = client.get(url, secure=True)
    assert response.status_code == 200
    policy = csp(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert policy["default-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_public_templates_have_no_inline_script_or_style(client, article):
    for url in ["/", article.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script or 'type="application/ld+json"' in script


def test_admin_gets_inline_styles_but_never_inline_or_evaluated_scripts(admin_client):
    response = admin_client.get(reverse("admin:index"))
    policy = csp(response)
    assert "'unsafe-inline'" in policy["style-src"]
    assert "unsafe" not in policy["script-src"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_session_and_csrf_cookies_are_http_only_and_secure_in_production(client, editor, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client.get(reverse("admin:login"), secure=True)
    response = sign_in(client, "editor", PASSWORD, secure=True)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["secure"] and session["samesite"] == "Lax"
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["secure"]


# --- Uploads and Markdown ----------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        '<a href="javascript:alert(1)">click</a>',
        "![pic](javascript:alert(1))",
        '<img src="x" onerror="alert(1)">',
    ],
)
def test_hostile_markdown_links_are_removed(markdown):
    # In the markup: a refused link stays on the page as the words typed ("[click](javascript:…)").
    html = " ".join(re.findall(r"<[^<>]*>", render_body(markdown)))
    for word in ("javascript:", "data:", "vbscript:", "onerror", 'alert(1)">'):
        assert word not in html.lower()


def test_safe_markdown_links_stay(make_article):
    html = render_body("[site](https://example.org/) and [mail](mailto:desk@example.org)")
    assert 'href="https://example.org/"' in html and 'href="mailto:desk@example.org"' in html


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def served_media(settings):
    """A folder inside the MEDIA_ROOT that the development media view serves."""
    folder = Path(settings.MEDIA_ROOT) / "security-test"
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.parametrize(
    ("name", "disposition"),
    [("page.html", "attachment"), ("pic.svg", "attachment"), ("p.png", 'inline; filename="p.png"')],
)
def test_media_is_never_served_as_a_page(client, served_media, name, disposition, db):
    (served_media / name).write_bytes(b"<html><script>alert(1)</script></html>")
    response = client.get(f"/media/security-test/{name}")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in csp(response)
    assert csp(response)["default-src"] == "'none'"
    assert response.get("Content-Disposition") == disposition


def test_html_uploaded_as_an_image_is_refused(admin_client, media_root):
    hostile = SimpleUploadedFile(
        "photo.jpg", b"<html><script>alert(document.cookie)</script></html>", content_type="image/jpeg"
    )
    response = admin_client.post(
        reverse("admin:images_image_add"),
        {"file": hostile, "title": "Harbour", "alt_text": "The harbour at dusk"},
    )
    assert response.status_code == 200
    assert "is not a JPEG, PNG, WebP or GIF image" in response.content.decode()
    assert not list(media_root.rglob("*"))


# --- Audit log -----------------------------------------------------------------------------


def test_sign_ins_and_failures_are_recorded_with_the_address(client, editor):
    sign_in(client, "editor", "wrong password", REMOTE_ADDR="203.0.113.5")
    sign_in(client, "editor", PASSWORD, REMOTE_ADDR="203.0.113.5")
    failed, signed_in = AuditEntry.objects.order_by("id")
    assert (failed.action, failed.actor_name, failed.ip_address) == (Action.LOGIN_FAILED, "editor", "203.0.113.5")
    assert "wrong" not in str(failed.detail)  # no password in the log
    assert (signed_in.action, signed_in.actor, signed_in.ip_address) == (Action.LOGIN, editor, "203.0.113.5")
    client.post(reverse("admin:logout"))
    assert AuditEntry.objects.latest("id").action == Action.LOGOUT


def test_group_and_permission_changes_are_recorded_with_who_made_them(admin_client, admin_user, editor):
    editors = Group.objects.create(name="Night desk")
    form = admin_client.get(reverse("admin:auth_user_change", args=[editor.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "groups": [editors.pk],
            "user_permissions": [],
            "date_joined_0": editor.date_joined.date().isoformat(),
            "date_joined_1": "00:00:00",
            "is_active": "on",
            "is_staff": "on",
        }
    )
    response = admin_client.post(reverse("admin:auth_user_change", args=[editor.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action=Action.GROUPS_CHANGED)
    assert entry.actor == admin_user
    assert entry.target_name == "editor"
    assert entry.detail == {"added": ["Night desk"], "field": "groups"}

    editors.user_set.remove(editor)
    removed = AuditEntry.objects.filter(action=Action.GROUPS_CHANGED).latest("id")
    assert removed.detail == {"removed": ["Night desk"], "field": "groups"} and removed.target_name == "editor"

    publish = Permission.objects.get(codename="change_article")
    editors.permissions.add(publish)
    granted = AuditEntry.objects.filter(action=Action.PERMISSIONS_CHANGED).latest("id")
    assert granted.target_name == "Night desk" and granted.detail["added"] == ["articles.change_article"]

    editor.user_permissions.add(publish)
    editor.user_permissions.clear()
    cleared = AuditEntry.objects.filter(action=Action.PERMISSIONS_CHANGED).latest("id")
    assert cleared.detail == {"removed": ["articles.change_article"], "field": "user_permissions"}


def test_the_gate_writes_the_audit_log_and_record_is_callable(make_article, editor, writer):
    import audit

    article = make_article("Ferry timetable changes", status=Status.DRAFT, publish_at=None, created_by=writer)
    assert not AuditEntry.objects.filter(action__startswith="article.").exists()
    take_step(article, "submit", user=writer)
    article.headline = "Ferry timetable changes again"
    article.save()  # a content save is in the revisions, not the audit log
    entry = AuditEntry.objects.get(action__startswith="article.")
    assert entry.action == "article.submit" and entry.actor == writer
    assert entry.detail["from"] == "DRAFT" and entry.detail["to"] == "IN_REVIEW"
    assert entry.target_name == "Ferry timetable changes"

    audit.record(editor, Action.LOGIN, article, "Wrong ferry operator named")
    recorded = AuditEntry.objects.latest("id")
    assert recorded.actor == editor and recorded.detail == {"note": "Wrong ferry operator named"}


def test_nobody_can_add_change_or_delete_audit_entries_in_the_admin(admin_client, editor):
    entry = AuditEntry.record(editor, Action.LOGIN, editor)
    changelist = admin_client.get(reverse("admin:audit_auditentry_changelist"))
    assert changelist.status_code == 200 and "editor" in changelist.content.decode()
    assert "delete_selected" not in changelist.content.decode()

    page = admin_client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200  # readable
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"action": "logout"}).status_code
        == 403
    )
    assert (
        admin_client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    assert admin_client.post(
        reverse("admin:audit_auditentry_changelist"), {"action": "delete_selected", "_selected_action": [entry.pk]}
    ).status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.action == Action.LOGIN and AuditEntry.objects.filter(pk=entry.pk).exists()


def test_staff_without_the_view_permission_cannot_read_the_log(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403
    editor.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200


# --- Health probes -------------------------------------------------------------------------


def test_healthz_answers_without_the_database(client):
    # No db fixture: touching the database would fail the test. The host is not an
    # allowed one: probes address the server directly.
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_cache(client, db, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    assert client.get("/readyz").json() == {
        "status": "ok",
        "database": "ok",
        "media": "ok",
        "cache": "ok",
        "disk": "ok",
        "page_cache": "ok",
    }
    monkeypatch.setattr("newsroom.health.cache", RedisCache("redis://127.0.0.1:1/0", {}))
    response = client.get("/readyz")
    # Every server loses a shared cache at once, and the site works without it: degraded, still in rotation.
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "media": "ok",
        "cache": "failing",
        "disk": "ok",
        "page_cache": "ok",
        "failing": ["cache"],
    }


def test_readyz_fails_when_the_database_does_not_answer(client, db, monkeypatch):
    from django.db import OperationalError

    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("newsroom.health.connections", {"default": Unreachable()})
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["database"] == "failing"


# --- In a real browser -------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_work_under_the_policy_in_a_browser(page, live_server, make_article, make_theme):
    article = make_article("Lighthouse keeper retires", theme=make_theme("Coast"), body="A *long* career.")
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    for url in ["/", article.get_absolute_url(), reverse("admin:login")]:
        response = page.goto(live_server.url + url)
        assert response.status == 200
        assert "unsafe-inline" not in response.headers["content-security-policy"] or url.startswith("/admin")
    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator("h1").inner_text() == "Lighthouse keeper retires"
    # The stylesheet loaded under the policy: the skip link is moved off-screen by site.css.
    assert page.locator("link[rel=stylesheet]").count() == 1
    assert page.evaluate("document.styleSheets[0].cssRules.length") > 0
    assert violations == []

    # The admin's looser policy still covers everything the admin does, its scripts included.
    User.objects.create_superuser("chief", "chief@example.org", PASSWORD)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    for url in [
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
    ]:
        assert page.goto(live_server.url + url).status == 200
    page.locator("#id_headline").press_sequentially("Typed headline makes a slug")
    assert page.input_value("#id_slug") == "typed-headline-makes-a-slug"  # admin JavaScript ran
    assert violations == []

    # And the listener does hear the browser refuse inline code.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }")
    page.wait_for_timeout(200)
    assert violations and "script-src" in violations[0]


def test_editors_read_the_audit_log_writers_do_not(client, make_user):
    client.force_login(make_user("maria", "Editors"))
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    client.force_login(make_user("wanda", "Writers"))
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403
