"""Kept pages on one machine: `DiskPages` against a Django file-based cache alias, store to store.

    .venv/bin/python -m bench.disk_pages [--pages 2000] [--rounds 5]

Issue 26 item 4 asks whether `pagecache.pages.DiskPages` should give way to a Django cache alias
(`pages`, `FileBasedCache` on one machine). Both are given the same entries, shaped as the page cache
keeps them (the article page of the bench archive, 18 KB, with its brotli and gzip codings, headers
and surrogate keys), in folders of their own on the same disk; then, alternated, `rounds` times,
the fastest kept: a hit (`get` of every page, in a shuffled order) and a write (`set` of every page
again, the folder already holding them all). In-process, in one run, so the ratio is what counts.
"""

import argparse
import gzip
import json
import os
import random
import statistics
import tempfile
import time

from bench.servers import RESULTS, django_setup


def entry(page, number):
    """A kept page as `PageCacheMiddleware.to_entry` makes it."""
    import brotli

    body = page.replace(b"</body>", f"<!-- {number} --></body>".encode())
    return {
        "status": 200,
        "content": body,
        "encodings": {"br": brotli.compress(body, quality=5), "gzip": gzip.compress(body, 6)},
        "headers": [("Content-Type", "text/html; charset=utf-8"), ("Content-Language", "en")],
        "keys": frozenset({f"article:{number}", "navigation", "site", *(f"theme:{n}" for n in range(20))}),
        "counter": 1,
        "valid_until": None,
        "revalidate": False,
    }


def timed(action, addresses):
    started = time.perf_counter()
    for address in addresses:
        action(address)
    return (time.perf_counter() - started) / len(addresses) * 1e6


def compare(pages, rounds):
    django_setup()
    from django.core.cache.backends.filebased import FileBasedCache

    from pagecache.pages import DiskPages

    page = (RESULTS / "static" / "bench-page.html").read_bytes()
    entries = {f"/2026/12/05/story-{n}/": entry(page, n) for n in range(pages)}
    addresses = list(entries)
    with tempfile.TemporaryDirectory(dir=RESULTS) as folder:
        disk = DiskPages(os.path.join(folder, "disk"))
        # One file a page, never culled at this size (MAX_ENTRIES above the page count), as a
        # `pages` alias bounded like PAGE_CACHE_DISK_MAX_MB would be configured.
        alias = FileBasedCache(os.path.join(folder, "alias"), {"TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": pages * 10}})
        stores = {
            "DiskPages": (disk.get, lambda a: disk.set(a, entries[a], 3600)),
            "FileBasedCache": (alias.get, lambda a: alias.set(a, entries[a], 3600)),
        }
        for _get, put in stores.values():
            timed(put, addresses)
        results = {name: {"get_us": [], "set_us": []} for name in stores}
        rng = random.Random(26)
        for _ in range(rounds):
            for name, (get, put) in stores.items():
                rng.shuffle(addresses)
                assert get(addresses[0])["content"] == entries[addresses[0]]["content"]
                results[name]["get_us"].append(timed(get, addresses))
                results[name]["set_us"].append(timed(put, addresses))
        sizes = {
            name: sum(f.stat().st_size for f in os.scandir(os.path.join(folder, name_dir)))
            for name, name_dir in (("DiskPages", "disk"), ("FileBasedCache", "alias"))
        }
    return {
        name: {
            "get_us_fastest": round(min(r["get_us"]), 1),
            "get_us_median": round(statistics.median(r["get_us"]), 1),
            "set_us_fastest": round(min(r["set_us"]), 1),
            "bytes_per_page": sizes[name] // pages,
        }
        for name, r in results.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="pages kept (default 2,000)")
    parser.add_argument("--rounds", type=int, default=5, help="alternated rounds, the fastest kept (default 5)")
    options = parser.parse_args()
    before = os.getloadavg()
    report = compare(options.pages, options.rounds)
    print(json.dumps({**report, "load_average": [before[0], os.getloadavg()[0]]}, indent=2))


if __name__ == "__main__":
    main()
