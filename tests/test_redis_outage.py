"""Redis gone mid-run: the site is slower, never down (DESIGN.md, "Failure").

Each test starts its own redis-server (the shared one is never stopped), runs the site against
it, kills it with SIGKILL as a crash would, and checks what readers, editors and the API get;
then starts it again, from the snapshot it had before the crash, and checks that the site uses it
again without serving a page or a navigation the edits made during the outage changed."""

import logging
import os
import shutil
import signal
import subprocess
import time

import pytest
import redis
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle

import newsroom.cache
import pagecache.versions
from api.models import ApiToken
from articles.models import Article
from pagecache.keys import reset_process_state
from pagecache.models import PendingPurge
from tests.ports import free_port
from tests.test_nothing_lost import change_url, form_data

REDIS_SERVER = shutil.which("redis-server")
pytestmark = [
    pytest.mark.skipif(
        REDIS_SERVER is None and not os.environ.get("CI"), reason="needs redis-server (CI always has it)"
    ),
    pytest.mark.usefixtures("away_from_new_year"),
]


class RedisServer:
    """A redis-server of this test's own, keeping its snapshot (only when told to save) in `folder`."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER or "redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder), "--dbfilename", "snapshot.rdb"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # redis-server hangs under faketime (CI moves the suite's clock): it runs on the machine's own.
            env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def client(self):
        return redis.Redis.from_url(self.url, socket_timeout=1)

    def snapshot(self):
        self.client().save()

    def crash(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_redis(redis_server, settings, monkeypatch):
    """The site configured as with REDIS_URL, on this test's own Redis."""
    default = {
        "BACKEND": "newsroom.cache.RedisCache",
        "LOCATION": redis_server.url,
        "KEY_PREFIX": "outage",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    settings.CACHES = {
        "default": default,
        "counters": {"BACKEND": "newsroom.cache.CountersCache", "LOCATION": "default"},
        # The page cache's own alias on the same Redis, as newsroom/settings.py makes it with REDIS_URL.
        "pages": {**default, "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    }
    settings.PAGE_CACHE_ALIAS = "pages"
    settings.PAGE_CACHE_SYNC_INTERVAL = 0  # every request looks at the key versions
    # Try Redis again at every call (the interval between tries has its own test below).
    monkeypatch.setattr(newsroom.cache, "RETRY_SECONDS", 0)
    monkeypatch.setattr(pagecache.versions, "RETRY_BROKEN", 0)  # the page cache's own pause, likewise
    newsroom.cache._outages.clear()
    caches["counters"].clear()
    reset_process_state()
    yield redis_server
    newsroom.cache._outages.clear()
    caches["counters"].clear()
    reset_process_state()


@pytest.fixture
def story(make_article, make_author, make_theme):
    theme = make_theme("Київ і порт", slug="kyiv")
    return make_article(
        "Пором до Одеси скасовано",
        theme=theme,
        body="Штормове попередження. 🌊",
        authors=[make_author("Ірина Коваль", slug="iryna")],
        tags=["ferries"],  # a Cyrillic tag answers 500 on main (NoReverseMatch: <slug:slug>)
    )


def public(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def sign_in(client, username):
    response = client.post("/admin/login/", {"username": username, "password": "pw", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/", response.status_code
    assert client.get("/admin/").status_code == 200


def test_without_redis_readers_sign_in_and_saves_work(client, on_redis, story, editor, writer, caplog):
    public(client, story.get_absolute_url())
    assert public(client, story.get_absolute_url())["X-Page-Cache"] == "hit"  # Redis in use
    desk = client.__class__()
    sign_in(desk, "editor")  # before the crash: the session survives it

    on_redis.crash()

    for path in ("/", story.get_absolute_url(), "/themes/kyiv/", "/api/v1/articles/", f"/api/v1/articles/{story.pk}/"):
        response = public(client, path)
        assert response.get("X-Page-Cache") != "hit" and "Пором до Одеси скасовано" in response.content.decode()
    assert desk.get("/admin/").status_code == 200  # still signed in: sessions are in the database
    sign_in(client.__class__(), "writer")

    edited = form_data(desk, story, headline="Пором до Одеси вийде 29 лютого")
    assert desk.post(change_url(story), edited).status_code == 302
    story.refresh_from_db()
    assert story.headline == "Пором до Одеси вийде 29 лютого"

    key = ApiToken.issue(user=editor, name="Скрипт редакції 東京")[1]
    patched = client.patch(
        f"/api/v1/staff/articles/{story.pk}/",
        {"deck": "Рейс о 06:00 🚢", "version": story.version},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert patched.status_code == 200, patched.content
    assert Article.objects.get(pk=story.pk).deck == "Рейс о 06:00 🚢"
    assert "Рейс о 06:00" in public(client, story.get_absolute_url()).content.decode()
    # The invalidations Redis could not take wait in the outbox, to be replayed when it is back.
    assert PendingPurge.objects.filter(target="local").exists()

    readiness = client.get("/readyz")
    assert readiness.status_code == 200  # a shared cache down must not take every server out of rotation
    body = readiness.json()
    assert body["status"] == "degraded" and body["cache"] == "failing" and body["database"] == "ok"
    warnings = [record.getMessage() for record in caplog.records if record.name == "newsroom.cache"]
    assert len(warnings) == 1  # one warning for the outage, not one per cache call
    assert f"127.0.0.1:{on_redis.port}/0 cannot be reached" in warnings[0] and "redis://" not in warnings[0]


def test_without_redis_rate_limits_count_in_the_process(client, on_redis, story, make_user, settings, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    settings.SEARCH_RATE_LIMIT = 2
    reader = {"REMOTE_ADDR": "203.0.113.29"}
    assert client.get("/api/v1/themes/", **reader).status_code == 200  # counted in Redis

    on_redis.crash()

    answers = [client.get("/api/v1/themes/", **reader).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]  # the count in Redis went with it; this process counts from here
    assert client.get("/api/v1/themes/", REMOTE_ADDR="198.51.100.31").status_code == 200  # per client still
    searches = [client.get("/search/", {"q": "Пором"}, **reader).status_code for _ in range(3)]
    assert searches == [200, 200, 429]
    # Sign-in failures are counted in the database: the lock-out holds without Redis.
    make_user("iryna")
    failures = [client.post("/admin/login/", {"username": "iryna", "password": "wrong"}).status_code for _ in range(10)]
    assert failures == [200] * 9 + [429]
    assert client.post("/admin/login/", {"username": "iryna", "password": "pw"}).status_code == 429


def test_redis_back_with_its_old_snapshot_serves_nothing_stale(client, on_redis, story, editor):
    theme = story.theme
    for path in (story.get_absolute_url(), "/", f"/api/v1/articles/{story.pk}/"):
        public(client, path)
        assert public(client, path)["X-Page-Cache"] == "hit"
    on_redis.snapshot()  # what a restarted Redis will come back with
    on_redis.crash()

    desk = client.__class__()
    desk.force_login(editor)
    edited = form_data(desk, story, headline="Пором до Одеси вийде 31 грудня")
    assert desk.post(change_url(story), edited).status_code == 302
    theme.name = "東京湾 🌊"
    theme.save()
    for path in (story.get_absolute_url(), "/"):
        assert "31 грудня" in public(client, path).content.decode()

    on_redis.start()  # from the snapshot: the pages, key versions and navigation of before the crash
    assert on_redis.client().dbsize() > 0

    for path in (story.get_absolute_url(), "/", f"/api/v1/articles/{story.pk}/"):
        fresh = public(client, path).content.decode()
        assert "31 грудня" in fresh and "Пором до Одеси скасовано" not in fresh, path
        again = public(client, path)
        assert again["X-Page-Cache"] == "hit" and again.content.decode() == fresh  # Redis in use again
    home = public(client, "/").content.decode()
    assert "東京湾 🌊" in home and "Київ і порт" not in home  # the navigation too
    assert not PendingPurge.objects.filter(target="local").exists()


def test_an_unreachable_redis_is_tried_once_per_interval(on_redis, monkeypatch):
    """A Redis that does not answer costs one attempt per RETRY_SECONDS, not one per cache call."""
    monkeypatch.setattr(newsroom.cache, "RETRY_SECONDS", 5)
    cache = caches["default"]
    cache.set("Київ", "порт")
    on_redis.crash()
    attempts = []
    real_get = newsroom.cache.redis.RedisCache.get
    monkeypatch.setattr(
        newsroom.cache.redis.RedisCache, "get", lambda *args: attempts.append(1) or real_get(*args), raising=True
    )
    assert [cache.get("Київ", "—") for _ in range(50)] == ["—"] * 50
    assert len(attempts) == 1 and not cache.reachable()
    on_redis.start()
    assert cache.get("Київ", "—") == "—" and len(attempts) == 1  # not tried again within the interval
    later = time.monotonic() + 6
    monkeypatch.setattr(newsroom.cache, "time", type("Clock", (), {"monotonic": staticmethod(lambda: later)}))
    assert cache.get("Київ", "—") == "—"  # tried: Redis answers (it restarted empty) and is used again
    assert len(attempts) == 2 and cache.reachable()
    cache.set("東京", "湾", 60)
    assert cache.get("東京") == "湾"


def fill(server):
    """Redis at its `maxmemory` under the default policy (`noeviction`): it answers reads and deletes,
    and refuses every write that could take memory (OOM), invalidations too."""
    client = server.client()
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", 1)
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        client.set("probe", "Київ")


def test_a_full_redis_serves_no_edited_page_on_any_server_and_holds_no_save(
    client, on_redis, story, editor, monkeypatch, caplog
):
    """Redis full under `noeviction` still answers reads: a server that kept a page before an edit
    made on another server must not serve it because the edit's invalidation could not be written."""
    paths = [story.get_absolute_url(), "/"]
    for path in paths:
        public(client, path)
        assert public(client, path)["X-Page-Cache"] == "hit"
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    reader = {"REMOTE_ADDR": "203.0.113.31"}
    fill(on_redis)
    # A page kept now: Redis cannot take it nor its keys' versions (evicted before it filled up),
    # this server's memory and disk can.
    on_redis.client().delete(*on_redis.client().keys("outage:*:pagecache:v:*"))
    assert public(client, "/authors/iryna/").get("X-Page-Cache") != "hit"
    assert public(client, "/authors/iryna/")["X-Page-Cache"] == "hit"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    paths.append("/authors/iryna/")

    with monkeypatch.context() as other_server:  # another server saves: this one learns only from Redis
        other_server.setattr(pagecache.versions, "local", pagecache.versions.LocalCopy())
        desk = client.__class__()
        desk.force_login(editor)
        started = time.monotonic()
        edited = form_data(desk, story, headline="Пором до Одеси вийде о 06:00 🚢")
        assert desk.post(change_url(story), edited).status_code == 302
        assert time.monotonic() - started < 10
    story.refresh_from_db()
    assert story.headline == "Пором до Одеси вийде о 06:00 🚢"
    assert PendingPurge.objects.filter(target="local").exists()  # to be replayed when Redis has room

    for path in paths:
        response = public(client, path)
        assert response.get("X-Page-Cache") != "hit", path
        assert "о 06:00 🚢" in response.content.decode(), path
    # Rate limits cannot count in a Redis that refuses writes: this process counts meanwhile.
    answers = [client.get("/api/v1/themes/", **reader).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    readiness = client.get("/readyz")
    assert readiness.status_code == 200 and readiness.json()["cache"] == "failing"
    messages = [record.getMessage() for record in caplog.records if record.name == "newsroom.cache"]
    assert len(messages) == 1, messages  # one warning, not one per refused write
    assert f"127.0.0.1:{on_redis.port}/0 refuses writes" in messages[0] and "maxmemory" in messages[0]

    on_redis.client().config_set("maxmemory", 0)  # room again
    for path in paths:
        fresh = public(client, path)
        assert fresh.get("X-Page-Cache") != "hit" and "о 06:00 🚢" in fresh.content.decode(), path
        assert public(client, path)["X-Page-Cache"] == "hit", path
    assert not PendingPurge.objects.filter(target="local").exists()
    messages = [record.getMessage() for record in caplog.records if record.name == "newsroom.cache"]
    assert any("takes writes again" in message for message in messages), messages


def another_server():
    """A server that starts now, on another machine: nothing of its own in memory or on disk."""
    reset_process_state()
    shutil.rmtree(pagecache.versions.versions_directory() / "pages", ignore_errors=True)


@pytest.mark.parametrize("server", ["the one that saved", "one that starts now"])
def test_redis_rolled_back_to_its_snapshot_serves_no_page_edited_since(client, on_redis, story, editor, server):
    """Redis restarted from a snapshot older than its last writes (Debian's default `save` rules, a crash)
    comes back with pages and key versions of before edits that Redis itself took: nothing waits in
    an outbox to drop them. No server may serve them, whatever it knew before."""
    paths = [story.get_absolute_url(), "/", "/themes/kyiv/", f"/api/v1/articles/{story.pk}/"]
    for path in paths:
        public(client, path)
    on_redis.snapshot()  # pages, versions and counter as they are now
    desk = client.__class__()
    desk.force_login(editor)
    edited = form_data(desk, story, headline="Пором до Одеси вийде 31 грудня о 23:59")
    assert desk.post(change_url(story), edited).status_code == 302
    for path in paths:
        assert "23:59" in public(client, path).content.decode(), path
    assert not PendingPurge.objects.exists()  # Redis took every invalidation
    on_redis.crash()
    on_redis.start()  # from the snapshot: the edit's invalidations are gone with it
    assert on_redis.client().dbsize() > 0
    deck = story.deck
    if server == "one that starts now":  # it never saw the edit: the snapshot's pages look current
        another_server()
    else:  # it kept pages at numbers the snapshot's counter is behind: another edit there takes them again
        with pytest.MonkeyPatch.context() as third_server:
            third_server.setattr(pagecache.versions, "local", pagecache.versions.LocalCopy())
            deck = "Рейс о 06:00 🚢"
            assert desk.post(change_url(story), form_data(desk, story, deck=deck)).status_code == 302
    for path in paths:
        fresh = public(client, path).content.decode()
        assert "23:59" in fresh, path
        assert path == "/themes/kyiv/" or deck in fresh, path  # the theme page shows no deck
        assert public(client, path)["X-Page-Cache"] == "hit", path  # kept again
