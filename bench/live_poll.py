"""Live coverage's short bench (about a minute; docs/live.md): against running servers with the
demo loaded, how the poll answer holds between entries, how soon a scheduled entry reaches a
polling reader on every server, and what 2,000 readers polling every 10 s cost.

    .venv/bin/python bench/live_poll.py http://127.0.0.1:8400 [http://127.0.0.1:8401 ...]

1. wrk -t2 -c16 for 8 s on the poll answer of the demo's live article (every reader who has the
   newest entry asks this same address): requests per second, latency, and the share of hits.
2. Five times, an entry is scheduled 3 s ahead from another process (as the desk would), and the
   poll is asked of every server every 50 ms: how long after its second each server had it.
3. 2,000 readers polling every 10 s: 200 asks a second, evenly spread over the servers, for 20 s:
   the share of hits and the servers' CPU (their processes' time from /proc, per core of the
   machine; the servers' process ids from `pgrep -f <pattern>`, NEWSROOM_SERVER_PATTERN, default
   "gunicorn")."""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

BASES = sys.argv[1:] or ["http://127.0.0.1:8400"]
BASE = BASES[0]
MANAGE = [sys.executable, "manage.py", "shell", "-c"]
READERS, EVERY = 2000, 10  # readers, seconds between one reader's polls


def get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode(), response.headers.get("X-Page-Cache")


def main():
    home, _ = get(BASE + "/")
    article = re.search(r'href="(/\d{4}/\d\d/\d\d/budget-day[^"]+)"', home).group(1)
    page, _ = get(BASE + article)
    poll = BASE + re.search(r'data-poll="([^"]+)"', page).group(1)
    article_id = poll.rstrip("/").split("/")[-3]
    get(poll)
    run = subprocess.run(
        ["wrk", "-t2", "-c16", "-d8s", "--latency", poll], capture_output=True, text=True, check=True
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", run).group(1)
    p50, p99 = re.search(r"50%\s+(\S+)", run).group(1), re.search(r"99%\s+(\S+)", run).group(1)
    states = [get(poll)[1] for _ in range(200)]
    print(f"poll answer: {rps} req/s, p50 {p50}, p99 {p99}; {states.count('hit')} of 200 checked asks were hits")

    delays = {base: [] for base in BASES}
    for _ in range(5):
        entry_id, moment = schedule_entry(article_id)
        for base, delay in seen(poll.replace(BASE, ""), entry_id, moment).items():
            delays[base].append(delay)
    for base, found in delays.items():
        shown = ", ".join("not within 10 s" if d is None else f"{d:+.3f}" for d in found)
        print(f"{base}: scheduled entries in the poll answer {shown} s after their second")
    readers(poll.replace(BASE, ""))


def schedule_entry(article_id):
    code = (
        "from datetime import timedelta; from django.utils import timezone; "
        "from django.contrib.auth.models import User; from articles.models import Article; "
        "from live.door import post_entry; "
        f"e = post_entry(Article.objects.get(pk={article_id}), user=User.objects.get(username='editor'), "
        "body='Bench: a scheduled entry.', publish_at=timezone.now() + timedelta(seconds=3)); "
        "print(e.pk, e.publish_at.timestamp())"
    )
    out = subprocess.run(MANAGE + [code], capture_output=True, text=True, check=True, env=os.environ).stdout.split()
    return int(out[-2]), float(out[-1])


def seen(path, entry_id, moment):
    """{server: seconds after `moment` its poll answer had the entry} (None: not within 10 s)."""
    found = {}
    while len(found) < len(BASES) and time.time() < moment + 10:
        for base in BASES:
            if base not in found and f"entry-{entry_id}" in json.loads(get(base + path)[0])["entries"]:
                found[base] = time.time() - moment
        time.sleep(0.05)
    return {base: found.get(base) for base in BASES}


def readers(path, seconds=20):
    """READERS polling every EVERY seconds, spread over the servers: hits and the servers' CPU."""
    rate = READERS / EVERY
    states, lock = [], threading.Lock()
    pids = subprocess.run(
        ["pgrep", "-f", os.environ.get("NEWSROOM_SERVER_PATTERN", "gunicorn")], capture_output=True, text=True
    ).stdout.split()
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu():
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except FileNotFoundError:
                pass
        return total / ticks

    def ask(n):
        state = get(BASES[n % len(BASES)] + path)[1]
        with lock:
            states.append(state)

    started, used = time.monotonic(), cpu()
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        for n in range(int(rate * seconds)):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            pool.submit(ask, n)
    wall, used = time.monotonic() - started, cpu() - used
    share = used / wall / (os.cpu_count() or 1)
    print(
        f"{READERS:,} readers every {EVERY} s ({rate:.0f} asks/s for {wall:.0f} s): {states.count('hit')} of "
        f"{len(states)} hits; the servers' CPU {used:.2f} s, {share:.1%} of the machine's {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
