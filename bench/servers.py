"""Servers, wrk and the bench's configuration: what every section shares.

The bench runs its Django work in child processes (`python -m bench _seed N`, …) with the bench
database configured; the parent only starts servers, drives them with wrk and reads the answers.
"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
WRK = os.environ.get("WRK", "/usr/bin/wrk")
CONNECTIONS = 16
THREADS = 2
WORKERS = 2
ROUNDS = 3
STATIC_PAGE = "/static/bench-page.html"


def django_setup():
    """In a child process: Django configured for the bench database its environment names."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


class Config:
    """Where the bench's data lives: SQLite files under bench/results/ with the local-memory cache,
    or PostgreSQL (one database per archive size, next to the one DATABASE_URL names) + Redis."""

    def __init__(self, label, database_url="", redis_url=""):
        self.label, self.database_url, self.redis_url = label, database_url, redis_url
        self.prefix = f"bench-{secrets.token_hex(4)}"  # this run's own keys in Redis

    def database(self, count):
        if not self.database_url:
            return f"sqlite:///{RESULTS / f'newsroom-{count}.sqlite3'}"
        base, _, _name = self.database_url.rpartition("/")
        return f"{base}/{self.database_name(count)}"

    def database_name(self, count):
        # Named after the database DATABASE_URL names: sessions sharing a server never share an archive.
        return f"{self.database_url.rpartition('/')[2] or 'newsroom'}_bench_{count}"


def configs():
    """SQLite always; PostgreSQL + Redis too when DATABASE_URL and REDIS_URL point at them."""
    found = [Config("sqlite")]
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")) and redis_url:
        found.append(Config("postgresql+redis", database_url, redis_url))
    return found


CONFIG = Config("sqlite")  # the configuration being measured


def use(config):
    """Measure `config` from now on (sections read `servers.CONFIG`)."""
    global CONFIG
    CONFIG = config


def child_env(database, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DEBUG", "DJANGO_ENV"}}
    if CONFIG.redis_url:
        env.update(REDIS_URL=CONFIG.redis_url, CACHE_KEY_PREFIX=CONFIG.prefix)
    env.update(
        DATABASE_URL=str(database),
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        STATIC_ROOT=str(RESULTS / "static"),
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_child(args, env):
    """`python -m bench <args>` with the bench's environment: its last line of output, as JSON."""
    out = subprocess.run([PYTHON, "-m", "bench", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bench: {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port():
    """A free loopback port: from BENCH_PORTS (`8600-8699`, a machine shared by several benches) if set."""
    low, _, high = os.environ.get("BENCH_PORTS", "0-0").partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket() as sock:
            # As gunicorn binds: a port a stopped server left in TIME_WAIT is free.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    sys.exit(f"bench: no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


class Server:
    """gunicorn with production settings on a free loopback port."""

    def __init__(self, database, secret_key, page_cache="on", **extra):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = child_env(
            database,
            DJANGO_ENV="production",
            SECRET_KEY=secret_key,
            SECURE_SSL_REDIRECT="false",
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=self.base,
            NEWSROOM_PAGE_CACHE=page_cache,
            SEARCH_RATE_LIMIT="0",  # wrk is one client asking as fast as it can
            **extra,
        )
        self.start(str(Path(PYTHON).with_name("gunicorn")), "newsroom.wsgi", env, ROOT)

    def start(self, gunicorn, application, env, cwd):
        """`gunicorn` serving `application` (2 sync workers, bench/gunicorn_sync.py); back once it answers."""
        self.env = env
        config = str(ROOT / "bench" / "gunicorn_sync.py")
        command = [gunicorn, "-c", config, application, "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "--log-level", "error"],
            env=env,
            cwd=cwd,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=5).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit("bench: gunicorn did not answer")

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def worker_rss_mb(self):
        rss = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.M):
                match = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
                if match:
                    rss.append(int(match.group(1)) / 1024)
        return rss

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(url, seconds):
    out = subprocess.run(
        [WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(percent):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency(50),
        "p99_ms": latency(99),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def median_run(results):
    return sorted(results, key=lambda result: result["rps"])[len(results) // 2]


def find_targets(server):
    """The pages to drive: the newest article of a busy theme, listings, and search/feed if they exist."""
    status, home, _ = server.get("/")
    themes = re.findall(r'href="(/themes/[-\w]+/)"', home.decode())
    _, theme_page, _ = server.get(themes[0])
    articles = re.findall(r'href="(/\d{4}/\d{2}/\d{2}/[-\w]+/)"', theme_page.decode())
    _, article_page, _ = server.get(articles[0])
    authors = re.findall(r'href="(/authors/[-\w]+/)"', article_page.decode())
    tags = re.findall(r'href="(/tags/[-\w]+/)"', article_page.decode())
    targets = {"article": articles[0], "home": "/", "theme": themes[0]}
    if authors:
        targets["author"] = authors[0]
    if tags:
        targets["tag"] = tags[0]
    for name, candidates in {
        "search": ["/search/?q=harbour+bridge"],
        "feed": ["/feeds/rss/"],
        "sitemap": ["/sitemap.xml"],
        "robots": ["/robots.txt"],  # uncached by design: it must pay no cache round trip
    }.items():
        for path in candidates:
            if server.get(path)[0] == 200:
                targets[name] = path
                break
    return targets


def fmt(result):
    return f"{result['rps']:9.0f} req/s  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms" + (
        f"  ({result['non_2xx']} non-2xx)" if result["non_2xx"] else ""
    )


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}"


def ceiling(database, secret_key):
    """The pages to drive, and the ceiling: the article page's own bytes saved as a static file, written
    before the measured servers start so that WhiteNoise indexes it. Returns the targets and the page."""
    probe_server = Server(database, secret_key)
    targets = find_targets(probe_server)
    page = probe_server.get(targets["article"])[1]
    probe_server.stop()
    (RESULTS / "static" / "bench-page.html").write_bytes(page)
    return targets, page


def parser(description):
    """The options every section takes; a section adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="10,000 articles and 3-second wrk runs")
    parser.add_argument("--articles", type=int, help="archive size (default 100,000; 10,000 with --quick)")
    parser.add_argument("--seconds", type=int, help="length of each wrk run (default 10; 3 with --quick)")
    parser.add_argument("--only", choices=["sqlite", "postgresql+redis"], help="measure one configuration")
    return parser


def sizes(options):
    """The archive size and the length of a wrk run the options ask for."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    return options.articles or (10_000 if options.quick else 100_000), options.seconds or (3 if options.quick else 10)


def each_config(only=None):
    """SQLite, then PostgreSQL + Redis when configured (or the one `only` names), each made current in turn."""
    for config in configs():
        if only and config.label != only:
            continue
        use(config)
        print(f"== {config.label} ==", flush=True)
        yield config
