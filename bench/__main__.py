"""The whole bench (`make bench`), and the child processes its sections start.

Seeds a large newsroom into its own SQLite file under bench/results/ (and, when DATABASE_URL and
REDIS_URL name them, on PostgreSQL + Redis), serves it with gunicorn (2 sync workers, production
settings) and drives it with wrk: every section in turn, then the report (bench/report.py).

Child sub-commands (run with the bench database configured): `_seed N`, `_probe`, `_schedule
SECONDS`, `_edit PATH`, `_search_probe`, `_count`, `_paths`, `_editor BASE SECONDS RANKED_FILE`.
"""

import json
import os
import secrets
import sys

from bench import inprocess, mix, rates, searches, seed, servers, under_load
from bench.report import print_report
from bench.servers import CONNECTIONS, RESULTS, THREADS

CHILDREN = {
    "_seed": lambda count: seed.seed(int(count)),
    "_probe": inprocess.probe,
    "_search_probe": searches.search_probe,
    "_count": seed.count_articles,
    "_edit": under_load.edit,
    "_schedule": lambda seconds: under_load.schedule(int(seconds)),
    "_paths": mix.paths,
    "_editor": lambda base, seconds, ranked_file: mix.editor(base, int(seconds), ranked_file),
}


def main():
    parser = servers.parser(__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", metavar="URL", help="also time search on this PostgreSQL database (seeded if empty)"
    )
    parser.add_argument("--search-only", action="store_true", help="only the search section")
    parser.add_argument("--mix-seconds", type=int, help="length of each realistic-mix run (default 60; 20 quick)")
    parser.add_argument("--mix-only", action="store_true", help="only the realistic mix, keyed")
    options = parser.parse_args()
    count, seconds = servers.sizes(options)
    if options.search_only:
        searches.run(count, options.postgres)
        return
    mix_seconds = options.mix_seconds or (20 if options.quick else 60)
    reports = {}
    for config in servers.each_config(options.only):
        if options.mix_only:
            reports[config.label] = mix.run_mix_only(count, mix_seconds)
            continue
        reports[config.label] = run_config(count, seconds, mix_seconds, options.postgres)
    (RESULTS / "latest.json").write_text(json.dumps(reports, indent=2))
    for label, report in reports.items():
        print(f"\n=== {label} ===")
        if options.mix_only:
            print(json.dumps(report, indent=2))
            continue
        print_report(report)


def run_config(count, seconds, mix_seconds, search_postgres):
    """Every section on the current configuration, in order; the report's figures."""
    large = seed.ensure_database(count)
    small = seed.ensure_database(1_000)
    secret_key = secrets.token_urlsafe(50)
    seed.migrate(small)
    seed.prepare(count, secret_key)
    report = {
        "machine": servers.machine(),
        "articles": count,
        "wrk": f"-t{THREADS} -c{CONNECTIONS} -d{seconds}s",
        "load_average_before": os.getloadavg(),
    }
    targets, page = servers.ceiling(large, secret_key)
    report["targets"] = targets
    report["article_bytes"] = len(page)
    print(f"Targets: {targets}  (article page {len(page):,} bytes)", flush=True)

    def during_cached(server):
        report.update(under_load.measure(server, targets))

    runs, rss = rates.measure(large, secret_key, targets, seconds, during_cached)
    report.update({f"worker_rss_mb_{mode}": mb for mode, mb in rss.items()})
    report["wrk_results"] = runs
    report["probe"], report["article_cost_growth"] = inprocess.compare(large, small, secret_key, targets)
    report["search"] = searches.search_bench(
        [seed.ensure_database(searches.search_small_size(count)), large], search_postgres, count
    )
    report["mix"] = {
        mode: mix.realistic_mix(large, secret_key, mix_seconds, keyed=mode == "keyed", ceiling=runs["static"]["rps"])
        for mode in ("keyed", "whole-site")
    }
    report["configuration"] = servers.CONFIG.label
    report["load_average_after"] = os.getloadavg()
    return report


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in CHILDREN:
        CHILDREN[sys.argv[1]](*sys.argv[2:])
    else:
        main()
