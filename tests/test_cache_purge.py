"""Purging shared caches: after the commit, retried from the outbox, never failing a save;
each provider's request as its documentation shows it; and a real Varnish in front."""

import http.server
import io
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Status, system_gate
from articles.workflow import take_step
from pagecache import keys, purge
from pagecache.models import PendingPurge
from tests.ports import free_port
from tests.test_page_cache import Recorder


@pytest.fixture
def recorder(settings):
    settings.PAGE_CACHE_PURGE = "tests.test_page_cache.Recorder"
    Recorder.purged, Recorder.failing = [], False
    yield Recorder
    Recorder.purged, Recorder.failing = [], False


def purged_keys(recorder):
    return set().union(*recorder.purged) if recorder.purged else set()


def test_purges_go_out_once_after_the_commit(recorder, make_article):
    article = make_article("Bridge reopens")
    recorder.purged.clear()
    with transaction.atomic():
        article.headline = "Bridge reopens at dawn"
        article.save()
        article.tags.add("transport")
        assert recorder.purged == []
    assert len(recorder.purged) == 1  # one purge for the whole transaction
    assert {f"article:{article.pk}", "list:latest", "article:*"} <= recorder.purged[0]


def test_a_failed_purge_never_fails_the_save_and_is_retried(recorder, make_article, caplog):
    article = make_article("Bridge reopens")
    recorder.failing = True
    article.headline = "Bridge reopens at dawn"
    with transaction.atomic():  # one save, one purge after its commit
        article.save()
    assert Article.objects.get(pk=article.pk).headline == "Bridge reopens at dawn"
    waiting = PendingPurge.objects.get()
    assert waiting.target == "shared" and "connection refused" in waiting.last_error
    assert "could not purge" in caplog.text
    call_command("publish_scheduled", stdout=io.StringIO())
    assert PendingPurge.objects.get().attempts == 2  # still failing: kept
    recorder.failing = False
    call_command("publish_scheduled", stdout=io.StringIO())
    assert not PendingPurge.objects.exists() and f"article:{article.pk}" in purged_keys(recorder)


def test_a_schedule_moment_purges_the_lists_the_article_joins(recorder, make_theme, make_article, now):
    theme = make_theme(slug="harbour")
    with time_machine.travel(now, tick=False):
        scheduled = make_article("Tall ship arrives", theme=theme, publish_at=now + timedelta(seconds=18))
        keys.tick(time.time())
        recorder.purged.clear()
    with time_machine.travel(now + timedelta(seconds=17), tick=False):
        keys.tick(time.time())
        assert recorder.purged == []
    with time_machine.travel(now + timedelta(seconds=18), tick=False):
        call_command("watch_schedule", once=True)
    assert {f"article:{scheduled.pk}", "list:latest", f"list:theme:{theme.pk}"} <= purged_keys(recorder)


# Providers' request shapes --------------------------------------------------------------------------


class Recording(http.server.BaseHTTPRequestHandler):
    requests = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Recording.requests.append((self.command, self.path, dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"success": true}')

    do_PURGE = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def api():
    Recording.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), Recording)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", Recording.requests
    server.shutdown()


def test_fastly_purges_by_surrogate_key(api):
    url, requests = api
    purge.Fastly(service_id="SU1Z0isxPaozGVKXdv0eY", token="secret", api=url).purge({"article:1", "list:latest"})
    [(method, path, headers, _body)] = requests
    assert (method, path) == ("POST", "/service/SU1Z0isxPaozGVKXdv0eY/purge")
    assert headers["Fastly-Key"] == "secret" and headers["Surrogate-Key"] == "article:1 list:latest"


def test_cloudflare_purges_by_cache_tag_thirty_at_a_time(api):
    url, requests = api
    tags = {f"article:{n}" for n in range(45)}
    purge.Cloudflare(zone_id="023e105f4ecef8ad9ca31a8372d0c353", token="secret", api=url).purge(tags)
    assert [(method, path) for method, path, _h, _b in requests] == [
        ("POST", "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache")
    ] * 2
    assert requests[0][2]["Authorization"] == "Bearer secret"
    sent = [json.loads(body)["tags"] for _m, _p, _h, body in requests]
    assert [len(batch) for batch in sent] == [30, 15] and set().union(*map(set, sent)) == tags


def test_cloudfront_invalidates_the_paths_that_showed_the_keys(client, make_article, settings):
    import boto3
    from botocore.stub import ANY, Stubber

    settings.PAGE_CACHE_PURGE = "cloudfront"
    article = make_article("Bridge reopens")
    client.get(article.get_absolute_url())
    client.get("/")
    cloudfront = boto3.client("cloudfront", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(cloudfront) as stub:
        stub.add_response(
            "create_invalidation",
            {
                "Location": "x",
                "Invalidation": {
                    "Id": "I1",
                    "Status": "InProgress",
                    "CreateTime": timezone.now(),
                    "InvalidationBatch": {"Paths": {"Quantity": 0}, "CallerReference": "r"},
                },
            },
            {
                "DistributionId": "E2QWRUHAPOMQZL",
                "InvalidationBatch": {
                    "Paths": {"Quantity": 2, "Items": ["/", article.get_absolute_url()]},
                    "CallerReference": ANY,
                },
            },
        )
        purge.CloudFront(distribution_id="E2QWRUHAPOMQZL", client=cloudfront).purge({f"article:{article.pk}"})
        stub.assert_no_pending_responses()


def test_a_provider_error_is_a_failed_purge(api):
    url, _ = api
    with pytest.raises(purge.PurgeFailed):
        purge.Fastly(service_id="x", token="t", api="http://127.0.0.1:9").purge({"article:1"})


# A real Varnish --------------------------------------------------------------------------------------

VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


@pytest.fixture
def varnish(live_server, settings, tmp_path):
    """Debian's varnishd with deploy/varnish.vcl in front of the test server. Skipped where it is
    not installed, except in CI (.ci/run installs it)."""
    if not os.path.exists(VARNISHD):
        if os.environ.get("CI"):
            pytest.fail("varnishd is missing: .ci/run installs varnish and varnish-modules")
        pytest.skip("varnishd not installed (apt-get install varnish varnish-modules)")
    backend_port = live_server.url.rsplit(":", 1)[1]
    vcl = (Path(settings.BASE_DIR) / "deploy" / "varnish.vcl").read_text().replace('"8000"', f'"{backend_port}"')
    (tmp_path / "test.vcl").write_text(vcl)
    port = free_port()
    process = subprocess.Popen(
        [
            VARNISHD,
            "-F",
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(tmp_path / "test.vcl"),
            "-n",
            str(tmp_path / "varnish"),
            "-s",
            "malloc,32m",
            "-T",
            "none",
            "-j",
            "none",  # no separate user: it reads the test's private temporary directory
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        # On the machine's own clock: varnishd does not start under faketime (CI moves the suite's).
        env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/robots.txt", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"varnishd did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)
    settings.PAGE_CACHE_PURGE = "varnish"
    settings.PAGE_CACHE_PURGE_OPTIONS = {"urls": [url]}
    settings.PAGE_CACHE_CDN_MAX_AGE = 86400
    settings.ALLOWED_HOSTS = ["*"]
    yield url
    process.terminate()
    process.wait(timeout=10)


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        # X-Varnish holds two ids when the answer came from the cache.
        return response.read().decode(), len(response.headers["X-Varnish"].split()) == 2, response.headers


@pytest.mark.django_db(transaction=True)
def test_varnish_keeps_pages_until_an_edit_purges_exactly_their_keys(varnish, make_theme, make_article):
    harbour, council = make_theme(slug="harbour"), make_theme(slug="council")
    article = make_article("Bridge reopens", theme=harbour)
    other = make_article("Council sets the budget", theme=council)
    for path in ("/", article.get_absolute_url(), other.get_absolute_url(), "/themes/harbour/"):
        fetch(varnish + path)
        body, cached, headers = fetch(varnish + path)
        assert cached, path
        assert "xkey" not in headers
    article.headline = "Bridge reopens at dawn"
    article.save()
    for path in ("/", article.get_absolute_url(), "/themes/harbour/"):
        body, cached, _ = fetch(varnish + path)
        assert not cached and "Bridge reopens at dawn" in body, path
    assert fetch(varnish + other.get_absolute_url())[1]  # an unrelated story stays in Varnish
    fetch(varnish + "/?utm_source=newsletter&fbclid=abc")
    assert fetch(varnish + "/?fbclid=xyz")[1]  # tracking parameters share the page


@pytest.mark.django_db(transaction=True)
def test_varnish_shows_a_scheduled_article_at_its_second(varnish, make_theme, make_article, editor):
    now = timezone.now().replace(microsecond=0)
    harbour = make_theme(slug="harbour")
    make_article("Bridge reopens", theme=harbour)
    with time_machine.travel(now, tick=False):
        for path in ("/", "/themes/harbour/"):
            fetch(varnish + path)
            assert fetch(varnish + path)[1]
        # Scheduled 18 seconds ahead, after the pages were cached for a day.
        draft = make_article("Tall ship arrives", theme=harbour, status=Status.DRAFT, publish_at=None)
        with system_gate():  # approved, as a fixture
            Article.objects.filter(pk=draft.pk).update(status=Status.APPROVED, publish_at=now + timedelta(seconds=18))
        call_command("watch_schedule", once=True)
        assert "Tall ship arrives" not in fetch(varnish + "/")[0]
    with time_machine.travel(now + timedelta(seconds=18), tick=False):
        call_command("watch_schedule", once=True)
        for path in ("/", "/themes/harbour/", "/feeds/rss/"):
            assert "Tall ship arrives" in fetch(varnish + path)[0], path
    take_step(Article.objects.get(pk=draft.pk), "withdraw", user=editor, note="Wrong ship.")
    assert "Tall ship arrives" not in fetch(varnish + "/")[0]
