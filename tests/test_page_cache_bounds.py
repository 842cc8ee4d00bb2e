"""What the page cache keeps: pages that exist, never answers to made-up addresses, and no more
than its bound on disk, the oldest written going first."""

import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from pagecache import pages
from pagecache.keys import reset_process_state

pytestmark = pytest.mark.usefixtures("away_from_new_year")


@pytest.fixture
def disk_pages(settings, tmp_path):
    """Pages kept on local disk, as on one machine without Redis (whatever the run's cache)."""
    settings.CACHES = {**settings.CACHES, "one-machine": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PAGE_CACHE_ALIAS = "one-machine"
    settings.PAGE_CACHE_VERSIONS_DIR = str(tmp_path / "versions")
    reset_process_state()
    folder = Path(settings.PAGE_CACHE_VERSIONS_DIR) / "pages"
    yield folder
    reset_process_state()


def stored(folder):
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def newsroom(make_theme, make_author, make_article, now):
    harbour = make_theme("Сонячна гавань", slug="harbour")
    author = make_author("Mária Kovács", slug="maria-kovacs")
    articles = [
        make_article(
            f"東京 ferry {n} 🚢",
            theme=harbour,
            authors=[author],
            tags=["ferry"],
            publish_at=now - timedelta(hours=n + 1),
        )
        for n in range(3)
    ]
    return articles


def made_up_addresses(newsroom, count):
    """What a crawler or an attacker asks for: random pages, WordPress ids, unknown ids and values."""
    rng = random.Random(29_02_2028)
    article = newsroom[0]
    kinds = [
        lambda n: f"/?page={n}",
        lambda n: f"/?p={n}",
        lambda n: f"/themes/harbour/?page={n + 2}",
        lambda n: f"/tags/ferry/?page={n + 2}",
        lambda n: f"/authors/maria-kovacs/?page=x{n}",
        lambda n: f"/search/?q=ferry&page={n + 2}",
        lambda n: f"/search/?q=ferry&order=o{n}",
        lambda n: f"/search/?q=ferry&theme=t{n}",
        lambda n: f"/api/v1/articles/{n + 10_000}/",
        lambda n: f"/api/v1/themes/t{n}/",
        lambda n: f"/api/v1/articles/?theme=t{n}",
        lambda n: f"/api/v1/articles/?tag=t{n}",
        lambda n: f"/tags/t{n}/",
        lambda n: f"/feeds/rss/?page={n}",
        lambda n: f"/2028/02/29/{article.slug}/?page={n}",
        lambda n: f"/2016/12/31/{article.slug}/",
        lambda n: f"/1999/12/31/{article.slug}-{n}/",
    ]
    return [rng.choice(kinds)(rng.randrange(10**9)) for _ in range(count)]


def test_made_up_addresses_answer_404_or_400_and_keep_nothing(client, newsroom, disk_pages, settings):
    settings.SEARCH_RATE_LIMIT = 0  # each made-up search reaches the view (a 429 is never kept either)
    for n, path in enumerate(made_up_addresses(newsroom, 1_020)):
        response = client.get(path, REMOTE_ADDR=f"10.0.{n // 250}.{n % 250}")  # many readers: no 429
        assert response.status_code in (301, 400, 404) or path.startswith(("/?", "/feeds/", "/2028/")), path
        assert response.status_code < 500, path
    assert stored(disk_pages) == []
    # The pages that exist are kept as before, one each.
    for path in ("/", "/?page=1&utm_source=x", newsroom[0].get_absolute_url(), "/themes/harbour/"):
        client.get(path)
    assert len(stored(disk_pages)) == 3
    assert client.get("/themes/harbour/")["X-Page-Cache"] == "hit"


def test_a_page_that_ignores_a_parameter_is_not_kept_under_it(client, newsroom, disk_pages):
    client.get("/?p=123")
    assert client.get("/?p=123").get("X-Page-Cache") != "hit"
    assert stored(disk_pages) == []
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_the_folder_keeps_to_its_bound_and_the_oldest_go_first(newsroom, disk_pages, settings):
    settings.PAGE_CACHE_DISK_MAX_MB = 1
    kept = pages.shared_pages()
    body = os.urandom(20_000)  # does not compress: 20 KB a page on disk
    started = time.time()
    for n in range(200):  # 4 MB written in all
        kept.set(f"https://news.example/page/{n}/", {"content": body}, 3600)
        written_at = started - 1000 + n  # in order, the newest now
        os.utime(kept._file(f"https://news.example/page/{n}/"), (written_at, written_at))
    assert kept.size() <= 1024 * 1024 * (1 + 1 / kept.SWEEPS_PER_BOUND)
    assert kept.get("https://news.example/page/199/") is not None
    assert kept.get("https://news.example/page/0/") is None  # the oldest went first
    survivors = [n for n in range(200) if kept.get(f"https://news.example/page/{n}/") is not None]
    assert survivors == list(range(survivors[0], 200))


def test_a_page_read_outlives_pages_written_after_it_and_never_read(newsroom, disk_pages, settings):
    """The sweep removes the least recently read, not the oldest written: the archive's most read
    story stays kept however long ago it was written, while the folder keeps to its bound."""
    settings.PAGE_CACHE_DISK_MAX_MB = 1  # about 50 pages of 20 KB
    kept = pages.shared_pages()
    body = os.urandom(20_000)
    read_often = "https://news.example/2009/05/15/київ-весна/"
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), tick=False) as clock:
        kept.set(read_often, {"content": body}, 3600)
        written_at = time.time()
        for n in range(200):  # 4 MB, a page every 3 s, the story read every 90 s
            clock.shift(3)
            kept.set(f"https://news.example/page/{n}/", {"content": body}, 3600)
            if n % 30 == 0:
                assert kept.get(read_often) is not None, n
        assert kept.size() <= 1024 * 1024 * (1 + 1 / kept.SWEEPS_PER_BOUND)
        assert kept.get(read_often) is not None
        assert kept.get("https://news.example/page/0/") is None  # written later, never read
        assert os.stat(kept._file(read_often)).st_mtime == pytest.approx(written_at)  # ages from its writing


def test_a_page_just_written_is_aged_by_the_clock_the_sweep_reads(newsroom, disk_pages, settings):
    """The file system's clock (a network disk's server, the machine's under faketime) may differ
    from the process's: a page is stamped when written by the clock the sweep compares with."""
    kept = pages.shared_pages()
    with time_machine.travel(datetime(2028, 2, 29, 23, 59, 30, tzinfo=UTC), tick=False):
        kept.set("https://news.example/leap-day/", {"content": "29 лютого 🐸"}, 3600)
        kept.sweep()
        assert kept.get("https://news.example/leap-day/") == {
            "content": "29 лютого 🐸",
            "address": "https://news.example/leap-day/",
        }
        kept.sweep(now=time.time() + settings.PAGE_CACHE_TIMEOUT + 1)
        assert kept.get("https://news.example/leap-day/") is None
