"""Scheduled appearance and an edit under load, on the cached pages.

    .venv/bin/python -m bench.under_load [--quick | --articles N] [--only sqlite]

Under wrk load on the cached home page, an article is approved to go live 6 seconds ahead (from
another process, as the admin would) and the home page is polled every 20 ms: how long after its
`publish_at` it appeared. Then, under wrk load on the cached article page, its headline is edited
from another process and the very next request is checked for the new headline.
"""

import json
import secrets
import subprocess
import time
from datetime import timedelta

from bench import servers
from bench.seed import archives
from bench.servers import CONNECTIONS, THREADS, WRK, Server, django_setup, run_child


def schedule(seconds):
    """Approve an article to go live `seconds` from now; print its headline and moment."""
    django_setup()
    from django.utils import timezone

    from articles.models import Article, Status, system_gate

    moment = timezone.now().replace(microsecond=0) + timedelta(seconds=seconds)
    headline = f"Bench scheduled story {secrets.token_hex(4)}"
    with system_gate():
        Article.objects.create(
            headline=headline, standfirst="Due now.", body="Text.", status=Status.APPROVED, publish_at=moment
        )
    print(json.dumps({"headline": headline, "publish_at": moment.timestamp()}))


def edit(path):
    """Change the headline of the live article at `path` as the admin would (a model save);
    print the new headline."""
    django_setup()
    from articles.models import Article

    article = Article.objects.get(slug=path.rstrip("/").rsplit("/", 1)[-1])
    article.headline = f"Bench edited headline {secrets.token_hex(4)}"
    article.save()
    print(json.dumps({"headline": article.headline}))


def scheduled_appearance(server, seconds):
    """Under wrk load on the cached home page, how late does an article scheduled
    a few seconds ahead appear there?"""
    env = dict(server.env)
    scheduled = run_child(["_schedule", "6"], env)
    load = subprocess.Popen(
        [WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds + 8}s", server.base + "/"],
        stdout=subprocess.DEVNULL,
    )
    seen_at = None
    try:
        deadline = scheduled["publish_at"] + seconds + 5
        while time.time() < deadline:
            status, body, _ = server.get("/")
            if scheduled["headline"].encode() in body:
                seen_at = time.time()
                break
            time.sleep(0.02)
    finally:
        load.wait()
    return None if seen_at is None else seen_at - scheduled["publish_at"]


def edit_under_load(server, path, seconds):
    """Under wrk load on the cached article page, is an edited headline on the very next request?"""
    load = subprocess.Popen(
        [WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", server.base + path], stdout=subprocess.DEVNULL
    )
    try:
        time.sleep(1)
        edited = run_child(["_edit", path], dict(server.env))
        time.sleep(1.0 if servers.CONFIG.redis_url else 0)  # the servers' sync interval with Redis
        _, body, _ = server.get(path)
        return edited["headline"].encode() in body
    finally:
        load.wait()


def measure(server, targets):
    """Both checks against a server keeping pages: the scheduled article's delay, the edit's answer."""
    return {
        "scheduled_appears_after_s": scheduled_appearance(server, 6),
        "edit_on_next_request": edit_under_load(server, targets["article"], 4),
    }


def main():
    for archive in archives(__doc__.split("\n\n")[0]):
        server = Server(archive.database, archive.secret_key)
        try:
            print(json.dumps(measure(server, archive.targets)))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
