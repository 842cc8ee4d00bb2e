"""In-process figures: queries per page, one article page at 1,000 and at the full archive, the admin.

    .venv/bin/python -m bench.inprocess [--quick | --articles N] [--only sqlite]

Through Django's test client with `NEWSROOM_PAGE_CACHE=fragments`, three alternated rounds per
database, the fastest kept: queries per page (fragments to fill, then kept), one article page's time
at 1,000 articles and at the full archive (cost growth: the same page, a full "More on theme"), and
the admin changelist's queries and time.
"""

import json
import os
import secrets
import statistics
import time

from bench.seed import archives, ensure_database, migrate
from bench.servers import ROUNDS, Server, child_env, django_setup, find_targets, run_child


def probe():
    """In-process figures: queries per page (uncached), one article page's time, admin changelist."""
    django_setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article

    targets = json.loads(os.environ["BENCH_TARGETS"])
    client = Client()
    client.get("/")  # warm the navigation cache, as every worker does after its first request
    queries = {}
    for name, path in targets.items():
        counts = []
        for _ in range(2):  # fragments to fill, then kept
            with CaptureQueriesContext(connection) as captured:
                status = client.get(path).status_code
            counts.append(len(captured))
        queries[name] = {"status": status, "queries": counts[0], "queries_fragments_kept": counts[1]}

    def timed(path, runs):
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(path)
            timings.append(time.perf_counter() - started)
        return timings

    timings = timed(targets["article"], 100)
    admin = get_user_model().objects.filter(username="bench-admin").first()
    if admin is None:
        admin = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", secrets.token_hex(8))
    staff = Client()
    staff.force_login(admin)
    admin_queries, admin_ms = None, None
    changelist = "/admin/articles/article/"
    staff.get(changelist)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = staff.get(changelist)
        admin_ms = (time.perf_counter() - started) * 1000
    admin_queries = len(captured)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default={"sql": "", "time": 0})
    print(
        json.dumps(
            {
                "articles": Article.objects.count(),
                "queries": queries,
                "article_ms_median": statistics.median(timings) * 1000,
                "article_ms_fastest": min(timings) * 1000,
                "admin_changelist": {
                    "status": response.status_code,
                    "queries": admin_queries,
                    "ms": admin_ms,
                    "slowest_query_ms": float(slowest["time"]) * 1000,
                    "slowest_query": slowest["sql"][:300],
                },
            }
        )
    )


def compare(large, small, secret_key, targets):
    """The probe on both archives, alternated and repeated, the fastest of each compared: the run least
    disturbed by the machine's other work (a median moved by ±40 % between two probes of the same page).
    Returns the probes and the article page's cost growth."""
    small_targets = dict(targets)
    small_server = Server(small, secret_key)
    small_targets.update(article=find_targets(small_server)["article"])
    small_server.stop()
    probes = {}
    for _ in range(ROUNDS):
        for label, database, page_targets in (("large", large, targets), ("small", small, small_targets)):
            probe = run_child(
                ["_probe"],
                child_env(database, NEWSROOM_PAGE_CACHE="fragments", BENCH_TARGETS=json.dumps(page_targets)),
            )
            if label not in probes or probe["article_ms_fastest"] < probes[label]["article_ms_fastest"]:
                probes[label] = probe
    growth = round(probes["large"]["article_ms_fastest"] / probes["small"]["article_ms_fastest"] - 1, 3)
    return probes, growth


def main():
    for archive in archives(__doc__.split("\n\n")[0]):
        small = ensure_database(1_000)
        migrate(small)
        probes, growth = compare(archive.database, small, archive.secret_key, archive.targets)
        print(json.dumps({"probe": probes, "article_cost_growth": growth, "load_average": os.getloadavg()}, indent=2))


if __name__ == "__main__":
    main()
