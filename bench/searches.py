"""Searches: the results page a reader requests, in-process through every middleware.

    .venv/bin/python -m bench.searches [--quick | --articles N] [--postgres URL]

Ten queries (common words, a phrase, a tag, a rare word, exclusions, a word in no article) and a
theme page for scale, 30 requests each, p50 and p95, page cache off and `SEARCH_RATE_LIMIT=0`: on
the full archive, on one a tenth its size (cost growth) and, with `--postgres URL`, on PostgreSQL
(seeded there when it has no articles). Three alternated rounds; each query keeps its least
disturbed one. Written to bench/results/search.json.
"""

import json
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench import servers
from bench.seed import ensure_database
from bench.servers import PYTHON, RESULTS, ROOT, ROUNDS, child_env, django_setup, run_child

SEARCH_RUNS = 30
# What readers type, by kind. Every seeded article is written from the same 68 words, so those
# words are in (nearly) every article: the worst case. "zeppelin" is in the 8 articles that
# `search_probe` adds; a tag number is in about 200.
SEARCH_QUERIES = {
    "common word": {"q": "harbour"},
    "common words": {"q": "council budget vote"},
    "common, newest first": {"q": "harbour", "order": "newest"},
    "common, page 50": {"q": "harbour", "page": "50"},
    "phrase": {"q": '"harbour bridge"'},
    "uncommon (a tag)": {"q": "777"},
    "rare word": {"q": "zeppelin"},
    "excluded word": {"q": "harbour -zeppelin"},
    "excluded everywhere": {"q": "ferry -storm"},
    "in no article": {"q": "qwertyuiop"},
}
# Not a search: a theme page (20 cards, like a page of results), timed in the same probe, so that a
# loaded machine's figures can be read against a page whose cost is known.
SEARCH_SCALE = "theme page (scale)"


def search_probe():
    """p50 and p95 of the search results page, in-process through every middleware (page cache off,
    so each request runs the search): the same URL a reader requests."""
    django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from articles.models import Article, Status, system_gate

    if not Article.objects.filter(slug__startswith="bench-zeppelin-").exists():
        for n in range(8):  # saved one by one, as the admin would: the index follows
            with system_gate():
                Article.objects.create(
                    headline=f"Zeppelin sighted over the harbour {n}",
                    slug=f"bench-zeppelin-{n}",
                    standfirst="A zeppelin was seen.",
                    body="The zeppelin drifted over the pier.",
                    status=Status.APPROVED,
                    publish_at=timezone.now() - timedelta(days=200 * n + 1),
                )
    client = Client()
    client.get("/")  # navigation cached, as after any first page view
    theme = re.search(r'href="(/themes/[-\w]+/)"', client.get("/").content.decode()).group(1)
    results = {}
    for label, params in {**SEARCH_QUERIES, SEARCH_SCALE: None}.items():
        path = theme if params is None else "/search/"
        client.get(path, params)  # warm
        timings = []
        for _ in range(SEARCH_RUNS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path, params)
                timings.append((time.perf_counter() - started) * 1000)
        summary = re.search(r'class="search-summary" role="status">([^<.]*)', response.content.decode())
        timings.sort()
        results[label] = {
            "status": response.status_code,
            "queries": len(captured),
            "found": summary.group(1) if summary else "",
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        }
    print(json.dumps({"articles": Article.objects.count(), "vendor": connection.vendor, "results": results}))


def search_bench(databases, postgres_url=None, count=100_000):
    """The search probe on each SQLite database (the cost growth between them) and, given a
    PostgreSQL URL, on that database (seeded by this bench if it has no articles). The machine is
    shared and noisy: the probes alternate, ROUNDS times, and each query keeps its least disturbed
    round (lowest p50), as the article probe does."""
    env = {"NEWSROOM_PAGE_CACHE": "off", "SEARCH_RATE_LIMIT": "0"}
    targets = {f"sqlite {Path(str(database)).stem.rsplit('-', 1)[-1]}": child_env(database) for database in databases}
    if postgres_url:
        targets["postgresql"] = child_env(databases[-1], DATABASE_URL=postgres_url)
    for name, target_env in targets.items():
        migrate_and_index(target_env)
        if run_child(["_count"], target_env)["articles"] == 0:
            print(f"Seeding {count:,} articles into {name} …", flush=True)
            run_child(["_seed", str(count)], target_env)
            migrate_and_index(target_env)
    report = {}
    for _ in range(ROUNDS):
        for name, target_env in targets.items():
            probe = run_child(["_search_probe"], {**target_env, **env})
            kept = report.setdefault(name, {**probe, "results": {}})["results"]
            for label, result in probe["results"].items():
                if label not in kept or result["p50_ms"] < kept[label]["p50_ms"]:
                    kept[label] = result
    return report


def search_small_size(count):
    """The archive the full one's search cost is compared with: a tenth of it."""
    return max(1_000, count // 10)


def migrate_and_index(env):
    """`migrate` fills an empty search index (the seed's bulk_create sends no signals)."""
    out = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v1"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(out.stderr)


def print_search_report(search):
    if not search:
        return
    print()
    print("Search results page, in-process through every middleware, page cache off (ms)")
    columns = list(search)
    print(f"{'query':22}" + "".join(f"{name:>26}" for name in columns))
    print(f"{'':22}" + "".join(f"{'p50':>13}{'p95':>13}" for _ in columns))
    for label in [*SEARCH_QUERIES, SEARCH_SCALE]:
        row = "".join(
            f"{search[name]['results'][label]['p50_ms']:13.1f}{search[name]['results'][label]['p95_ms']:13.1f}"
            for name in columns
        )
        print(f"{label:22}{row}   {search[columns[-1]]['results'][label]['found']}")
    bad = [(name, label) for name in columns for label, r in search[name]["results"].items() if r["status"] != 200]
    if bad:
        print(f"  NOT 200: {bad}")


def search_checks(search):
    if not search:
        return []
    checks = []
    for name, probe in search.items():
        slowest = max(probe["results"][label]["p50_ms"] for label in SEARCH_QUERIES)
        label = f"every search p50 <= 50 ms on {name}, {probe['articles']:,} articles (slowest {slowest:.1f} ms)"
        checks.append((label, slowest <= 50))
    sqlite = sorted((probe for name, probe in search.items() if name.startswith("sqlite")), key=lambda p: p["articles"])
    if len(sqlite) > 1:
        small, large = sqlite[0]["results"], sqlite[-1]["results"]
        growth = {label: large[label]["p50_ms"] / max(small[label]["p50_ms"], 0.1) for label in SEARCH_QUERIES}
        worst = max(growth, key=growth.get)
        label = f"search cost at most doubles from the small to the full archive (worst x{growth[worst]:.2f}: {worst})"
        checks.append((label, growth[worst] <= 2))
    return checks


def run(count, postgres_url):
    """The search section on its own: the report it prints and writes."""
    search = search_bench([ensure_database(search_small_size(count)), ensure_database(count)], postgres_url, count)
    (RESULTS / "search.json").write_text(json.dumps(search, indent=2))
    print_search_report(search)
    for label, ok in search_checks(search):
        print(f"  [{'ok' if ok else 'MISS'}] {label}")


def main():
    parser = servers.parser(__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also time search on this PostgreSQL database")
    options = parser.parse_args()
    count, _seconds = servers.sizes(options)
    run(count, options.postgres)


if __name__ == "__main__":
    main()
