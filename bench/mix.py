"""The realistic mix: reads spread over every live article while the newsroom works.

    .venv/bin/python -m bench.mix [--quick | --articles N] [--mix-seconds S] [--only sqlite]

wrk with bench/mix.lua walks 200,000 paths drawn from a Zipf distribution (s = 1, newest article
first) over every live article, one in ten on the home page or a theme page, after every live
article and those listings were requested once (a site that has been up has served its long
tail). An editor process saves a Zipf-drawn article every 5 s and schedules a publication 5 s ahead
every 30 s; the next request after each must show it (stale answers are counted). Reported: hit
ratio, req/s, p99, and the share of the static file measured by the same server just before and
after (through the mix's own client and through plain wrk). Alone, this section runs keyed
invalidation; `make bench` also runs whole-site invalidation (`PAGE_CACHE_KEYED=off`).
"""

import concurrent.futures
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from bench import servers
from bench.seed import prepare
from bench.servers import (
    CONNECTIONS,
    PYTHON,
    RESULTS,
    ROOT,
    STATIC_PAGE,
    THREADS,
    WRK,
    Server,
    django_setup,
    run_child,
    wrk,
)


def paths():
    """Every live article's address, newest first, for the realistic mix."""
    django_setup()
    from articles.models import Article
    from pagecache.keys import invalidate_if_changed
    from pagecache.surrogates import NAVIGATION
    from themes.cache import shown_navigation

    # A site that has been up has recorded the navigation its pages show (before the warm-up here).
    invalidate_if_changed(NAVIGATION, shown_navigation())
    live = Article.objects.live().only("slug", "publish_at", "created_at").order_by("-publish_at", "-id")
    print(json.dumps([article.get_absolute_url() for article in live.iterator(chunk_size=5000)]))


def editor(base, seconds, ranked_file):
    """The newsroom at work during the mix: an edit every 5 s to a story readers are reading
    (Zipf-drawn), a publication scheduled for 5 s later every 30 s. After each, the next request
    must show it: counts the checks and the stale answers."""
    django_setup()
    from django.conf import settings
    from django.utils import timezone

    from articles.models import Article, Status, system_gate

    ranked = json.loads(Path(ranked_file).read_text())
    rng = random.Random(7)
    weights = [1 / (rank + 1) for rank in range(min(len(ranked), 5000))]
    checks = stale = 0

    def shows(path, text):
        # Other servers learn of a change within PAGE_CACHE_SYNC_INTERVAL (0 on one machine).
        time.sleep(settings.PAGE_CACHE_SYNC_INTERVAL)
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return text.encode() in response.read()

    started = time.time()
    next_publication = started + 10
    while time.time() - started < seconds - 6:
        path = rng.choices(ranked[: len(weights)], weights)[0]
        article = Article.objects.get(slug=path.rstrip("/").rsplit("/", 1)[-1])
        article.headline = f"Edited during the mix {secrets.token_hex(4)}"
        article.save()
        checks += 1
        stale += not shows(path, article.headline)
        if time.time() >= next_publication:
            moment = timezone.now().replace(microsecond=0) + timedelta(seconds=5)
            headline = f"Published during the mix {secrets.token_hex(4)}"
            with system_gate():
                Article.objects.create(headline=headline, body="Text.", status=Status.APPROVED, publish_at=moment)
            time.sleep(max(0.0, moment.timestamp() - time.time()) + 0.05)
            checks += 1
            stale += not shows("/", headline)
            next_publication += 30
        time.sleep(max(0.0, 5 - (time.time() - started) % 5))
    print(json.dumps({"checks": checks, "stale": stale}))


def realistic_mix(database, secret_key, seconds, *, keyed, ceiling):
    """Reads spread over every live article (Zipf, s = 1, newest first), a tenth on the home page
    and theme pages, while the editor works; keyed against whole-site invalidation."""
    # Each its own kept pages (the disk, or Redis under its own prefix): one run must not warm the other.
    own = {"PAGE_CACHE_VERSIONS_DIR": tempfile.mkdtemp(prefix="newsroom-mix-")}
    if servers.CONFIG.redis_url:
        own["CACHE_KEY_PREFIX"] = f"{servers.CONFIG.prefix}-mix-{'keyed' if keyed else 'site'}"
    server = Server(database, secret_key, PAGE_CACHE_KEYED="on" if keyed else "off", **own)
    try:
        ranked = run_child(["_paths"], dict(server.env))
        ranked_file = RESULTS / "mix-ranked.json"
        ranked_file.write_text(json.dumps(ranked))
        rng = random.Random(2026)
        cumulative, total = [], 0.0
        for rank in range(len(ranked)):
            total += 1 / (rank + 1)
            cumulative.append(total)
        _, home, _ = server.get("/")
        listings = ["/", *re.findall(r'href="(/themes/[-\w]+/)"', home.decode())[:5]]
        draws = rng.choices(ranked, cum_weights=cumulative, k=200_000)
        for index in range(0, len(draws), 10):
            draws[index] = rng.choice(listings)
        (RESULTS / "mix-paths.txt").write_text("\n".join(draws) + "\n")
        # Warm, as a site that has been up for a while is: it has served every page readers ask for,
        # the long tail too (a timed warm-up of the same draws left most of the tail unseen).
        warmed = warm_up(server, [*listings, *ranked])
        print(f"  warm-up: {warmed['pages']:,} pages in {warmed['seconds']:.0f} s", flush=True)
        # The machine is shared: the ceiling measured minutes before (the warm-up takes 12 at
        # 100,000 articles) may be from a calmer or busier moment. Also measure it around the mix.
        around = [static_as_the_mix(server, max(3, seconds // 4))]
        plain = [wrk(server.base + STATIC_PAGE, max(3, seconds // 4))["rps"]]
        staff = subprocess.Popen(
            [PYTHON, "-m", "bench", "_editor", server.base, str(seconds), str(ranked_file)],
            env=server.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        out = wrk_mix(server, seconds, "--latency")
        edits = json.loads(staff.communicate(timeout=120)[0].strip().splitlines()[-1])
        around.append(static_as_the_mix(server, max(3, seconds // 4)))
        plain.append(wrk(server.base + STATIC_PAGE, max(3, seconds // 4))["rps"])
    finally:
        server.stop()
        shutil.rmtree(own["PAGE_CACHE_VERSIONS_DIR"], ignore_errors=True)
    hits, misses, other = map(int, re.search(r"MIX hits=(\d+) misses=(\d+) other=(\d+)", out).groups())
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    result = {
        "hit_ratio": round(hits / max(1, hits + misses), 4),
        "requests": hits + misses + other,
        "rps": rps,
        "of_static": round(rps / (ceiling or statistics.mean(around)), 3),
        "static_around": around,
        "of_static_around": round(rps / statistics.mean(around), 3),
        "static_plain_wrk": plain,  # without the mix's Lua: what earlier runs compared with
        "of_static_plain_wrk": round(rps / statistics.mean(plain), 3),
        "p99_ms": float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit],
        "editor": edits,
    }
    print(f"  mix {'keyed' if keyed else 'whole-site':10} {result}", flush=True)
    return result


def warm_up(server, paths):
    """Every path once, CONNECTIONS at a time: the pages a site that has been up has kept."""
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CONNECTIONS) as pool:
        statuses = list(pool.map(lambda path: server.get(path)[0], paths))
    return {"pages": len(paths), "seconds": time.monotonic() - started, "errors": sum(s >= 500 for s in statuses)}


def wrk_mix(server, seconds, *options, paths=None):
    """wrk walking the mix's paths (bench/mix.lua); its report."""
    command = [
        WRK,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        *options,
        "-s",
        str(ROOT / "bench" / "mix.lua"),
    ]
    command += [server.base, "--", str(paths or RESULTS / "mix-paths.txt")]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def static_as_the_mix(server, seconds):
    """The static file's rate through the mix's own client (bench/mix.lua: its request and response
    functions cost wrk's threads CPU on the same cores as the server): like for like."""
    paths = RESULTS / "static-paths.txt"
    paths.write_text(STATIC_PAGE + "\n")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", wrk_mix(server, seconds, paths=paths)).group(1))


def run_mix_only(count, mix_seconds):
    """The realistic mix alone, keyed; its share of static against the static file measured around it."""
    secret_key = secrets.token_urlsafe(50)
    large = prepare(count, secret_key)
    servers.ceiling(large, secret_key)
    load = os.getloadavg()
    mix = realistic_mix(large, secret_key, mix_seconds, keyed=True, ceiling=None)
    return {"articles": count, "mix": {"keyed": mix}, "load_average_before": load, "after": os.getloadavg()}


def main():
    parser = servers.parser(__doc__.split("\n\n")[0])
    parser.add_argument("--mix-seconds", type=int, help="length of the measured run (default 60; 20 quick)")
    options = parser.parse_args()
    count, _seconds = servers.sizes(options)
    reports = {
        config.label: run_mix_only(count, options.mix_seconds or (20 if options.quick else 60))
        for config in servers.each_config(options.only)
    }
    (RESULTS / "latest.json").write_text(json.dumps(reports, indent=2))
    for label, report in reports.items():
        print(f"\n=== {label} ===")
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
