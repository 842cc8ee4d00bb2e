"""Without Redis, one machine's workers share kept pages through compressed files on local disk."""

import os
import pickle
import time
from urllib.parse import unquote

import pytest

from pagecache.pages import DiskPages, local_pages, shared_pages

pytestmark = [
    pytest.mark.skipif(bool(os.environ.get("REDIS_URL")), reason="with Redis, pages are kept there"),
    pytest.mark.usefixtures("away_from_new_year"),
]


def test_a_page_one_worker_kept_is_a_hit_in_another(client, make_article, django_assert_num_queries):
    article = make_article("Bridge reopens")
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    local_pages.clear()  # another worker: nothing in its memory
    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "hit" and "Bridge reopens" in response.content.decode()


def test_a_page_kept_on_disk_is_dropped_by_an_edit(client, make_article):
    article = make_article("Bridge reopens")
    client.get(article.get_absolute_url())
    article.headline = "Bridge reopens at last"
    article.save()
    local_pages.clear()
    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss" and "Bridge reopens at last" in response.content.decode()


def test_a_damaged_or_foreign_file_is_a_miss(client, make_article):
    article = make_article("Bridge reopens")
    client.get(article.get_absolute_url())
    pages = shared_pages()
    assert isinstance(pages, DiskPages)
    (stored,) = list(pages.path.iterdir())
    for damaged in (b"not a page", b"", pickle.dumps(["a", "list"]), pickle.dumps({"address": 1})[:-3]):
        stored.write_bytes(damaged)
        local_pages.clear()
        assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
        (stored,) = list(pages.path.iterdir())  # kept again by that miss
    # A file holding another address's page (a hash collision, a copied directory) is not served.
    entry = pages.get(f"http://testserver{article.get_absolute_url()}")
    pages.set("http://testserver/other/", entry, 60)
    os.replace(pages._file("http://testserver/other/"), stored)
    local_pages.clear()
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"


def test_pages_past_their_lifetime_are_swept(client, make_article, settings):
    article = make_article("Bridge reopens")
    client.get(article.get_absolute_url())
    pages = shared_pages()
    for stored in pages.path.iterdir():  # stored now by the clock the code reads (faketime moves only that one)
        os.utime(stored, (time.time(), time.time()))
    pages.sweep(now=time.time() + settings.PAGE_CACHE_TIMEOUT - 5)
    assert len(list(pages.path.iterdir())) == 1
    pages.sweep(now=time.time() + settings.PAGE_CACHE_TIMEOUT + 5)
    assert list(pages.path.iterdir()) == []


def test_without_disk_pages_each_worker_keeps_its_own(client, make_article, settings):
    settings.PAGE_CACHE_DISK_PAGES = False
    article = make_article("Bridge reopens")
    client.get(article.get_absolute_url())
    local_pages.clear()
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"


def test_a_hit_from_disk_writes_the_stored_coding_and_compresses_nothing(client, make_article, monkeypatch):
    """Each page is kept in the codings readers ask for: a hit decompresses and compresses nothing."""
    import brotli

    from newsroom import compression

    article = make_article("Мост открыт 🌉", body="Paragraph of news. " * 200)
    url = article.get_absolute_url()
    client.get(url, HTTP_ACCEPT_ENCODING="br")
    local_pages.clear()  # another worker: from the disk
    compression.compressed.cache_clear()

    def no_compressing(*args, **kwargs):
        raise AssertionError("a hit compressed its page")

    monkeypatch.setattr(compression, "compressed", no_compressing)
    monkeypatch.setattr("zlib.decompress", no_compressing)
    for coding, decode in (("br", brotli.decompress), ("gzip", __import__("gzip").decompress), (None, bytes)):
        headers = {"HTTP_ACCEPT_ENCODING": coding} if coding else {}
        response = client.get(url, **headers)
        assert response["X-Page-Cache"] == "hit" and response.get("Content-Encoding") == coding
        assert "Мост открыт 🌉" in decode(response.content).decode()


def test_a_page_read_from_disk_is_kept_in_memory_at_its_second_read(client, make_article, settings):
    """The archive's long tail, read once in a while from the disk, does not push the pages read all
    the time out of a worker's memory."""
    settings.PAGE_CACHE_LOCAL_ENTRIES = 3
    hot, *tail = (make_article(headline) for headline in ("Гарячі новини 🔥", "古い記事", "Старе", "Ancient 2009"))

    def address(url):  # as the cache keys it: the decoded path
        return f"http://testserver{unquote(url)}"

    for article in (hot, *tail):
        assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    local_pages.clear()  # another worker: nothing in its memory
    for expected_in_memory in (False, True):
        response = client.get(hot.get_absolute_url())
        assert response["X-Page-Cache"] == "hit" and "Гарячі новини 🔥" in response.content.decode()
        assert (address(hot.get_absolute_url()) in local_pages.entries) is expected_in_memory
    for article in tail:
        response = client.get(article.get_absolute_url())
        assert response["X-Page-Cache"] == "hit" and article.headline in response.content.decode()
    assert list(local_pages.entries) == [address(hot.get_absolute_url())]
    for article in tail:  # read twice: kept, the least recently read going first
        client.get(article.get_absolute_url())
    assert list(local_pages.entries) == [address(article.get_absolute_url()) for article in tail]
