"""Pages under wrk: cached, uncached (fragments kept) and rendered from nothing, against a static file.

    .venv/bin/python -m bench.rates [--quick | --articles N] [--seconds S] [--only sqlite]

wrk `-t2 -c16` on the article, home, theme, author and tag pages, `/search/`, the RSS feed,
`/sitemap.xml` and `/robots.txt`: first with the page cache on ("cached"), then on a server started
with `NEWSROOM_PAGE_CACHE=fragments` ("uncached": no page kept, every request a miss assembled from
the fragments kept after the first), then the article and home pages with `NEWSROOM_PAGE_CACHE=off`
("rendered": nothing kept). The ceiling is the article page's own bytes served as a static file by
WhiteNoise from the same server, run alternately with the cached article three times, medians kept.
"""

import os

from bench.seed import archives
from bench.servers import ROUNDS, STATIC_PAGE, Server, fmt, median_run, wrk


def measure(database, secret_key, targets, seconds, during_cached=None):
    """Each mode's wrk results (with their share of the static file) and its workers' RSS;
    `during_cached(server)` runs on the cached server once its pages are measured."""
    runs, rss = {}, {}
    # uncached: no page is kept, each request is a miss assembled from fragments (kept after the
    # first); rendered: no cache at all, every piece rendered from the database.
    modes = (("cached", "on", targets), ("uncached", "fragments", targets))
    modes += (("rendered", "off", {name: targets[name] for name in ("article", "home")}),)
    for mode, page_cache, mode_targets in modes:
        server = Server(database, secret_key, page_cache=page_cache)
        try:
            for name, path in mode_targets.items():
                server.get(path)  # warm
                if mode == "cached" and name == "article":
                    # The machine is shared and noisy: alternate the page and its ceiling, keep the medians.
                    pairs = [
                        (wrk(server.base + STATIC_PAGE, seconds), wrk(server.base + path, seconds))
                        for _ in range(ROUNDS)
                    ]
                    runs["static"] = median_run([static for static, _ in pairs])
                    print(f"  static            {fmt(runs['static'])}", flush=True)
                    result = median_run([page for _, page in pairs])
                else:
                    result = wrk(server.base + path, seconds)
                runs[f"{name} {mode}"] = result
                print(f"  {name:8} {mode:8} {fmt(result)}", flush=True)
            rss[mode] = [round(mb, 1) for mb in server.worker_rss_mb()]
            if mode == "cached" and during_cached:
                during_cached(server)
        finally:
            server.stop()
    ceiling = runs["static"]["rps"]
    for result in runs.values():
        result["of_static"] = round(result["rps"] / ceiling, 3)
    return runs, rss


def print_rates(runs):
    print(f"{'page':18} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'of static':>10}")
    for name, result in runs.items():
        print(
            f"{name:18} {result['rps']:9.0f} {result['p50_ms']:8.2f} {result['p99_ms']:8.2f} "
            f"{result['of_static'] * 100:9.1f}%"
        )


def main():
    for archive in archives(__doc__.split("\n\n")[0]):
        before = os.getloadavg()
        runs, _rss = measure(archive.database, archive.secret_key, archive.targets, archive.seconds)
        after = os.getloadavg()
        print(
            f"\n{archive.count:,} articles, {archive.config.label}, load before/after {before[0]:.1f}, {after[0]:.1f}"
        )
        print_rates(runs)


if __name__ == "__main__":
    main()
