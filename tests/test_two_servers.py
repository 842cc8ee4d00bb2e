"""Several app servers at once: two gunicorn processes against one PostgreSQL and one
Redis. Whatever one server saves, the other serves; sessions and sign-in lock-outs are
shared, because nothing lives in a process's memory.

Runs only when DATABASE_URL is PostgreSQL and REDIS_URL is set (CI's second run)."""

import http.cookiejar
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        or not os.environ.get("REDIS_URL"),
        reason="needs DATABASE_URL=postgres://… and REDIS_URL (shared services for several servers)",
    ),
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "two-servers-one-newsroom"


class Server:
    """One gunicorn app server on a loopback port, configured like production (through
    the environment only) but for HTTPS, pointed at the test database."""

    def __init__(self, name, env, log_dir):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log = open(log_dir / f"{name}.log", "w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:  # refused while booting, or timed out
                time.sleep(0.2)
        self.log.seek(0)
        raise RuntimeError(f"server {self.name} did not start:\n{self.log.read()}")

    def manage(self, *args):
        """Run a management command as this server would (same environment)."""
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    """Started once for the module (each test still gets a fresh database)."""
    tmp_path = tmp_path_factory.mktemp("servers")
    db = connection.settings_dict
    database_url = (
        f"postgres://{urllib.parse.quote(db['USER'])}:{urllib.parse.quote(db['PASSWORD'])}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": database_url,  # the test database, where this test's rows are committed
        "CONN_MAX_AGE": "0",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_PRELOAD": "false",
        # Every request asks Redis for the invalidation counter, so that B's very next request
        # is exact; the default second between looks is tested in test_page_cache.py.
        "PAGE_CACHE_SYNC_INTERVAL": "0",
    }
    started = [Server(name, env, tmp_path) for name in ("a", "b")]
    try:
        for server in started:
            server.wait_until_ready()
        yield started
    finally:
        for server in started:
            server.stop()


class Browser:
    """A cookie-keeping HTTP client: one person, who may reach either server."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect())

    def request(self, url, data=None, referer=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": referer or url})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def csrf_token(self):
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FormFields(HTMLParser):
    """The values a browser would submit from the form with id `form_id`, as it is on the page."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._textarea = self._select = None
        self._select_multiple = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that follows <textarea>.
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_fields(html, form_id):
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def sign_in(browser, server, username, password):
    login = server.url + reverse("admin:login")
    browser.request(login)
    return browser.request(
        login,
        {
            "username": username,
            "password": password,
            "next": reverse("admin:index"),
            "csrfmiddlewaretoken": browser.csrf_token(),
        },
    )


def test_an_edit_saved_on_server_a_is_what_server_b_serves(servers, make_article):
    a, b = servers
    User.objects.create(
        username="chief", password=make_password(PASSWORD, hasher="argon2"), is_staff=True, is_superuser=True
    )
    article = make_article("Ferry returns to the north pier", body="The ferry is back.")
    url = article.get_absolute_url()
    reader = Browser()
    status, _, page = reader.request(b.url + url)
    assert status == 200 and "Ferry returns to the north pier" in page

    # Signed in on A, the session (in the database/Redis) is valid on B too.
    editor = Browser()
    status, headers, _ = sign_in(editor, a, "chief", PASSWORD)
    assert status == 302, headers
    status, _, admin_index = editor.request(b.url + reverse("admin:index"))
    assert status == 200 and "chief" in admin_index

    # Edit the headline through A's admin, as the form on the page would submit it.
    change = a.url + reverse("admin:articles_article_change", args=[article.pk])
    status, _, form_page = editor.request(change)
    assert status == 200
    fields = [
        (name, "Ferry returns to the south pier" if name == "headline" else value)
        for name, value in form_fields(form_page, "article_form")
    ]
    assert ("headline", "Ferry returns to the south pier") in fields
    status, headers, body = editor.request(change, [*fields, ("_save", "Save")])
    assert status == 302, body[:3000]

    # B's very next request shows the edit, whatever either server had cached.
    status, _, page = reader.request(b.url + url)
    assert status == 200
    assert "Ferry returns to the south pier" in page and "north pier" not in page
    # (The headline is also what A serves.)
    assert "Ferry returns to the south pier" in reader.request(a.url + url)[2]


def test_failed_sign_ins_on_one_server_lock_out_on_the_other(servers):
    a, b = servers
    User.objects.create(username="target", password=make_password(PASSWORD, hasher="argon2"), is_staff=True)
    attacker = Browser()
    for attempt in range(10):
        status, _, _ = sign_in(attacker, a if attempt % 2 else b, "target", f"guess-{attempt}")
    assert status == 429
    status, _, page = sign_in(Browser(), b, "target", PASSWORD)
    assert status == 429 and "Sign-in locked" in page


# Hook for the editorial workflow: `publish_scheduled` must be safe on several servers at once.
# A test can run it on both servers concurrently through Server.manage, e.g.
#     results = [server.manage("publish_scheduled") for server in servers]  (or in threads)
# and assert each scheduled article got exactly one "went live" event.
