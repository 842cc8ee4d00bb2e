"""Live coverage's short bench (under 30 s; docs/live.md): against a running server with the
demo loaded, how the poll answer holds between entries, and how soon a scheduled entry reaches
a polling reader.

    .venv/bin/python bench/live_poll.py http://127.0.0.1:8400

1. wrk -t2 -c16 for 8 s on the poll answer of the demo's live article (every reader who has the
   newest entry asks this same address): requests per second, latency, and the share of hits.
2. An entry is scheduled 3 s ahead from another process (as the desk would), and the poll is asked
   every 50 ms: how long after its second the entry was in the answer."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8400"
MANAGE = [sys.executable, "manage.py", "shell", "-c"]


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

    code = (
        "from datetime import timedelta; from django.utils import timezone; "
        "from django.contrib.auth.models import User; from articles.models import Article; "
        "from live.door import post_entry; "
        f"e = post_entry(Article.objects.get(pk={article_id}), user=User.objects.get(username='editor'), "
        "body='Bench: a scheduled entry.', publish_at=timezone.now() + timedelta(seconds=3)); "
        "print(e.pk, e.publish_at.timestamp())"
    )
    out = subprocess.run(MANAGE + [code], capture_output=True, text=True, check=True, env=os.environ).stdout.split()[
        -2:
    ]
    entry_id, moment = int(out[0]), float(out[1])
    while True:
        body, _ = get(poll)
        if f"entry-{entry_id}" in json.loads(body)["entries"]:
            print(f"scheduled entry in the poll answer {time.time() - moment:+.3f} s after its second")
            break
        if time.time() > moment + 10:
            print("scheduled entry NOT in the poll answer 10 s after its second")
            break
        time.sleep(0.05)


if __name__ == "__main__":
    main()
