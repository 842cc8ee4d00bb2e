"""The anonymous page cache: served without SQL, never stale after a change or past the schedule."""

import io
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from PIL import Image as PILImage

from articles.models import Article, Byline, Status, system_gate
from images.models import Image
from pagecache import keys, pages, versions
from pagecache.decorators import public_page
from pagecache.middleware import PageCacheMiddleware

pytestmark = pytest.mark.usefixtures("away_from_new_year")


@pytest.fixture
def story(make_theme, make_author, make_article, now):
    harbour = make_theme("Harbour bridge", slug="harbour-bridge")
    ana = make_author("Ana Reyes", slug="ana-reyes")
    sibling = make_article("Ferry timetable changes", theme=harbour, publish_at=now - timedelta(hours=2))
    article = make_article(
        "Bridge reopens to traffic",
        theme=harbour,
        authors=[ana],
        tags=["transport"],
        publish_at=now - timedelta(hours=1),
    )
    return article, sibling


def html(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def max_age(response, directive):
    return int(re.search(rf"(?:^|[ ,]){directive}=(\d+)", response["Cache-Control"]).group(1))


def test_a_cached_page_is_served_without_queries(client, story, django_assert_num_queries):
    article, _ = story
    for path in (article.get_absolute_url(), "/", "/themes/harbour-bridge/", "/authors/ana-reyes/", "/tags/transport/"):
        first = client.get(path)
        assert first.status_code == 200 and first["X-Page-Cache"] == "miss", path
        with django_assert_num_queries(0):
            second = client.get(path)
        assert second["X-Page-Cache"] == "hit", path
        assert second.content == first.content and second["ETag"] == first["ETag"]


def test_the_query_string_is_part_of_the_key(client, make_theme, make_article, now):
    theme = make_theme(slug="busy")
    for n in range(25):
        make_article(f"Busy story {n}", theme=theme, publish_at=now - timedelta(minutes=n + 1))
    assert "Busy story 0" in html(client, "/themes/busy/")
    second_page = html(client, "/themes/busy/?page=2")
    assert "Busy story 24" in second_page and "Busy story 0" not in second_page


def test_an_edit_to_a_live_headline_shows_on_the_next_request(client, story):
    article, sibling = story
    pages_showing_it = [article.get_absolute_url(), "/", "/themes/harbour-bridge/", sibling.get_absolute_url()]
    for path in pages_showing_it:
        assert "Bridge reopens to traffic" in html(client, path)
    article.headline = "Bridge reopens to all traffic"
    article.save()
    for path in pages_showing_it:
        assert "Bridge reopens to all traffic" in html(client, path), path


def test_withdrawing_removes_the_article_everywhere_at_once(client, story):
    article, sibling = story
    url = article.get_absolute_url()
    for path in (url, "/", sibling.get_absolute_url()):
        html(client, path)
    fresh = Article.objects.get(pk=article.pk)
    fresh.status = Status.WITHDRAWN
    with system_gate():  # set as a fixture, not a step
        fresh.save()
    assert client.get(url).status_code == 410
    for path in ("/", sibling.get_absolute_url()):
        assert "Bridge reopens" not in html(client, path), path


def test_a_scheduled_article_appears_on_the_cached_home_page_at_its_second(client, story, make_article, now):
    article, sibling = story
    with time_machine.travel(now, tick=False):
        scheduled = make_article("Tall ship arrives", theme=article.theme, publish_at=now + timedelta(seconds=5))
        for path in ("/", "/themes/harbour-bridge/", sibling.get_absolute_url()):
            assert "Tall ship arrives" not in html(client, path)
            assert client.get(path)["X-Page-Cache"] == "hit"  # warm
    with time_machine.travel(now + timedelta(seconds=4, microseconds=999_000), tick=False):
        assert "Tall ship arrives" not in html(client, "/")
        assert client.get(scheduled.get_absolute_url()).status_code == 404
    with time_machine.travel(now + timedelta(seconds=5), tick=False):
        for path in ("/", "/themes/harbour-bridge/", sibling.get_absolute_url(), scheduled.get_absolute_url()):
            assert "Tall ship arrives" in html(client, path), path


def test_an_expiring_article_leaves_the_cached_pages_at_its_second(client, story, make_article, now):
    article, _ = story
    with time_machine.travel(now, tick=False):
        make_article("Road closed tonight", theme=article.theme, expire_at=now + timedelta(seconds=30))
        assert "Road closed tonight" in html(client, "/")
        assert client.get("/")["X-Page-Cache"] == "hit"
    with time_machine.travel(now + timedelta(seconds=30), tick=False):
        assert "Road closed tonight" not in html(client, "/")


def test_moving_an_article_to_another_theme_invalidates_both_themes(client, story, make_theme):
    article, sibling = story
    make_theme("Council", slug="council")
    assert "Bridge reopens" in html(client, "/themes/harbour-bridge/")
    assert "Bridge reopens" not in html(client, "/themes/council/")
    assert "Bridge reopens" in html(client, sibling.get_absolute_url())
    article.theme = article.theme.__class__.objects.get(slug="council")
    article.save()
    assert "Bridge reopens" not in html(client, "/themes/harbour-bridge/")
    assert "Bridge reopens" in html(client, "/themes/council/")
    assert "Bridge reopens" not in html(client, sibling.get_absolute_url())
    assert "More on Council" in html(client, article.get_absolute_url())


def test_renaming_a_theme_shows_everywhere(client, story):
    article, _ = story
    for path in (article.get_absolute_url(), "/", "/themes/"):
        assert "Harbour bridge" in html(client, path)
    theme = article.theme
    theme.name = "The new harbour bridge"
    theme.save()
    for path in (article.get_absolute_url(), "/", "/themes/"):
        assert "The new harbour bridge" in html(client, path), path


def test_byline_changes_invalidate(client, story, make_author):
    article, _ = story
    url = article.get_absolute_url()
    assert "Ana Reyes" in html(client, url)
    ben = make_author("Ben Okafor", slug="ben-okafor")
    article.authors.add(ben)
    assert "Ben Okafor" in html(client, url)
    assert "Bridge reopens" in html(client, "/authors/ben-okafor/")
    Byline.objects.filter(article=article, author__slug="ana-reyes").delete()
    assert "Ana Reyes" not in html(client, url)
    ben.name = "Benedict Okafor"
    ben.save()
    assert "Benedict Okafor" in html(client, url)


def test_tag_changes_invalidate(client, story):
    article, _ = story
    url = article.get_absolute_url()
    assert "/tags/transport/" in html(client, url)
    assert "/tags/bridges/" not in html(client, url)
    article.tags.add("bridges")
    assert "/tags/bridges/" in html(client, url)
    assert "Bridge reopens" in html(client, "/tags/bridges/")
    article.tags.remove("transport")
    assert "/tags/transport/" not in html(client, url)


def test_an_image_change_invalidates(client, story, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article, _ = story
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    image = Image.objects.create(
        file=SimpleUploadedFile("pier.gif", gif), title="Pier", alt_text="The pier at dawn", caption="Old caption"
    )
    article.lead_image = image
    article.save()
    url = article.get_absolute_url()
    html(client, url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    image.alt_text = "The pier at dusk"
    image.save()
    # The article template shows the lead image's alt text once images render; the page must be re-rendered.
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "The pier at dawn" not in response.content.decode()


def test_logged_in_staff_bypass_the_cache(client, admin_client, story, django_assert_num_queries):
    article, _ = story
    url = article.get_absolute_url()
    html(client, url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    staff_response = admin_client.get(url)
    assert staff_response.status_code == 200 and "X-Page-Cache" not in staff_response
    article.headline = "Bridge reopens at dawn"
    article.save()
    # A preview is never stored: readers still get the live page, not the staff one.
    with system_gate():  # back to a draft, as a fixture
        Article.objects.filter(pk=article.pk).update(status=Status.DRAFT)
    preview = admin_client.get(url)
    assert "private" in preview["Cache-Control"]
    assert client.get(url).status_code == 404


def test_a_session_cookie_alone_bypasses_the_cache(client, story):
    html(client, "/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    client.cookies["sessionid"] = "whatever"
    assert "X-Page-Cache" not in client.get("/")


def test_if_none_match_gets_304(client, story):
    url = story[0].get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"')
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_the_cache_can_be_turned_off(client, story, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_ENABLED = False
    client.get("/")
    with django_assert_max_num_queries(5) as captured:
        response = client.get("/")
    assert len(captured) > 0 and "X-Page-Cache" not in response


@pytest.mark.parametrize(
    ("marked_public", "spoil"),
    [
        (True, lambda response: response.set_cookie("reader", "one")),
        (True, lambda response: response.__setitem__("Cache-Control", "private")),
        (True, lambda response: response.__setitem__("Cache-Control", "no-store")),
        (False, lambda response: None),
    ],
    ids=["set-cookie", "private", "no-store", "unmarked"],
)
def test_answers_that_are_not_for_everyone_are_never_stored(rf, db, marked_public, spoil):
    renders = []

    def view(request):
        renders.append(request)
        response = HttpResponse(f"render {len(renders)}")
        spoil(response)
        return response

    middleware = PageCacheMiddleware(public_page(view) if marked_public else view)
    first = middleware(rf.get("/somewhere/"))
    second = middleware(rf.get("/somewhere/"))
    assert len(renders) == 2 and second.content == b"render 2"
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second


def test_the_same_view_marked_public_is_stored(rf, db):
    renders = []

    def view(request):
        renders.append(request)
        return HttpResponse(f"render {len(renders)}")

    middleware = PageCacheMiddleware(public_page(view))
    middleware(rf.get("/somewhere/"))
    assert middleware(rf.get("/somewhere/")).content == b"render 1"
    assert middleware(rf.get("/somewhere/?page=2")).content == b"render 2"
    assert len(renders) == 2


def test_saves_through_a_proxy_model_invalidate(client, story):
    """The bin and other proxies of Article save with the proxy as the signal's sender."""
    from django.apps import apps as django_apps

    from pagecache import signals

    article, _ = story

    class ArticleProxy(Article):
        class Meta:
            proxy = True
            app_label = "articles"

    try:
        signals.connect()
        html(client, "/")
        assert client.get("/")["X-Page-Cache"] == "hit"
        proxied = ArticleProxy.objects.get(pk=article.pk)
        proxied.headline = "Bridge reopens, via the proxy"
        proxied.save()
        assert "Bridge reopens, via the proxy" in html(client, "/")
    finally:
        del django_apps.all_models["articles"]["articleproxy"]
        django_apps.clear_cache()


def test_regenerated_renditions_invalidate(client, story, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article, _ = story
    picture = io.BytesIO()
    PILImage.new("RGB", (640, 480), "navy").save(picture, "PNG")
    article.lead_image = Image.objects.create(file=SimpleUploadedFile("quay.png", picture.getvalue()), alt_text="Quay")
    article.save()
    url = article.get_absolute_url()
    html(client, url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    article.lead_image.regenerate_renditions()  # an update(), without signals: the old files are deleted
    assert client.get(url)["X-Page-Cache"] == "miss"


# Surrogate keys: an edit drops the pages that show what it touched, and only those -----------------


@pytest.fixture
def unrelated(make_theme, make_author, make_article, now):
    council = make_theme("Council", slug="council")
    ben = make_author("Ben Okafor", slug="ben-okafor")
    return make_article("Council sets the budget", theme=council, authors=[ben], tags=["budget"])


def warm(client, *paths):
    for path in paths:
        client.get(path)
        assert client.get(path)["X-Page-Cache"] == "hit", path


def test_an_edit_drops_the_pages_showing_the_article_and_keeps_the_others(client, story, unrelated):
    article, sibling = story
    kept = [unrelated.get_absolute_url(), "/themes/council/", "/authors/ben-okafor/", "/tags/budget/"]
    dropped = [article.get_absolute_url(), sibling.get_absolute_url(), "/", "/themes/harbour-bridge/"]
    machines = ["/feeds/rss/", "/sitemap-articles.xml", "/sitemap.xml"]
    dropped += ["/authors/ana-reyes/", "/tags/transport/"]
    warm(client, *kept, *dropped, *machines)
    article.headline = "Bridge reopens to all traffic"
    article.save()
    for path in machines:
        assert client.get(path)["X-Page-Cache"] == "miss", path
    for path in kept:
        assert client.get(path)["X-Page-Cache"] == "hit", path
    for path in dropped:
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss", path
        assert b"Bridge reopens to all traffic" in response.content, path


def test_editing_a_draft_drops_no_page(client, story, unrelated, make_article):
    """Not even those naming every article (`article:*`: sitemaps, a home page of 100+ stories):
    writers save drafts all day."""
    draft = make_article("Not yet", status=Status.DRAFT, publish_at=None, theme=story[0].theme)
    pages = ("/", "/themes/harbour-bridge/", story[1].get_absolute_url(), "/sitemap-articles.xml")
    warm(client, *pages)
    for status in (Status.DRAFT, Status.IN_REVIEW):
        draft.headline, draft.status = f"Still not yet ({status})", status
        with system_gate():  # the state as a fixture: what is measured is the page cache
            draft.save()
        for path in pages:
            assert client.get(path)["X-Page-Cache"] == "hit", path
    draft.status, draft.publish_at = Status.APPROVED, story[0].publish_at
    with system_gate():
        draft.save()
    for path in pages:
        assert client.get(path)["X-Page-Cache"] == "miss", path


def test_a_new_article_in_a_theme_drops_its_lists_and_not_other_themes(client, story, unrelated, make_article):
    article, sibling = story
    warm(client, "/", "/themes/harbour-bridge/", sibling.get_absolute_url(), unrelated.get_absolute_url())
    make_article("Tall ship arrives", theme=article.theme)
    for path in ("/", "/themes/harbour-bridge/", sibling.get_absolute_url()):
        response = client.get(path)
        assert b"Tall ship arrives" in response.content, path
    assert client.get(unrelated.get_absolute_url())["X-Page-Cache"] == "hit"


def test_moving_an_article_drops_the_lists_it_left(client, story, unrelated):
    article, sibling = story
    warm(client, "/themes/harbour-bridge/", "/themes/council/", "/tags/transport/")
    article.theme = unrelated.theme
    article.save()
    article.tags.remove("transport")
    assert b"Bridge reopens" not in client.get("/themes/harbour-bridge/").content
    assert b"Bridge reopens" in client.get("/themes/council/").content
    assert b"Bridge reopens" not in client.get("/tags/transport/").content


@pytest.mark.parametrize(("header", "separator"), [("Surrogate-Key", " "), ("xkey", " "), ("Cache-Tag", ",")], ids=str)
def test_responses_name_their_keys_for_a_shared_cache(client, story, settings, header, separator):
    settings.PAGE_CACHE_KEY_HEADER = header
    article, sibling = story
    for hit in ("miss", "hit"):
        response = client.get(article.get_absolute_url())
        assert response["X-Page-Cache"] == hit
        named = set(response[header].split(separator))
        expected = {f"article:{article.pk}", f"article:{sibling.pk}", f"list:theme:{article.theme_id}", "navigation"}
        assert expected <= named


def test_a_page_with_many_articles_names_their_kind(client, make_article, settings):
    settings.PAGE_CACHE_KEY_HEADER = "Surrogate-Key"
    for n in range(3):
        make_article(f"Story {n}")
    settings.PAGE_CACHE_MAX_KEYS_PER_KIND = 2
    named = client.get("/")["Surrogate-Key"].split()
    assert "article:*" in named and not any(key.startswith("article:") and key[8:].isdigit() for key in named)
    warm(client, "/")
    Article.objects.first().save()
    assert client.get("/")["X-Page-Cache"] == "miss"


# The cache key -------------------------------------------------------------------------------------


def test_tracking_and_unknown_parameters_are_not_part_of_the_key(client, story):
    warm(client, "/")
    for query in ("utm_source=x&utm_medium=y", "fbclid=abc", "gclid=1", "nocache=123456", "x=<script>"):
        assert client.get(f"/?{query}")["X-Page-Cache"] == "hit", query
    theme = "/themes/harbour-bridge/"
    assert client.get(f"{theme}?page=1&utm_source=x")["X-Page-Cache"] == "miss"
    assert client.get(f"{theme}?utm_campaign=y&page=1")["X-Page-Cache"] == "hit"
    # A parameter the page does not read (the home page has no pages) keeps no copy under it.
    assert client.get("/?page=1").get("X-Page-Cache") != "hit"
    assert client.get("/?page=1").get("X-Page-Cache") != "hit"


def test_head_gets_the_headers_of_get(client, story):
    url = story[0].get_absolute_url()
    head = client.head(url)
    get = client.get(url)
    assert head.status_code == get.status_code == 200 and head.content == b""
    for header in ("Cache-Control", "ETag", "Last-Modified", "Content-Type", "Vary"):
        assert head[header] == get[header], header
    assert client.head(url)["X-Page-Cache"] == "hit"
    assert client.head("/robots.txt").status_code == 200


def test_one_modification_time_everywhere(client, story, settings):
    import json

    from django.utils.http import parse_http_date

    article, _ = story
    url = article.get_absolute_url()
    Article.objects.filter(pk=article.pk).update(modified_at=article.publish_at + timedelta(minutes=20))
    article.refresh_from_db()
    page = client.get(url)
    text = page.content.decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', text, re.S).group(1))
    meta = re.search(r'property="article:modified_time" content="([^"]+)"', text).group(1)
    sitemap = client.get("/sitemap-articles.xml").content.decode()
    lastmod = re.search(rf"{re.escape(url)}</loc>\s*<lastmod>([^<]+)<", sitemap).group(1)
    from django.utils.dateparse import parse_datetime

    expected = article.modified_at.replace(microsecond=0)
    assert parse_datetime(ld["dateModified"]) == expected
    assert parse_datetime(meta) == expected
    assert parse_datetime(lastmod).replace(microsecond=0) == expected
    assert parse_http_date(page["Last-Modified"]) == int(expected.timestamp())


def test_last_modified_does_not_move_when_another_article_is_edited(client, story, unrelated):
    url = story[0].get_absolute_url()
    first = client.get(url)["Last-Modified"]
    with time_machine.travel(timedelta(minutes=5)):
        story[1].headline = "Ferry timetable changes again"
        story[1].save()
        response = client.get(url)
    assert response["X-Page-Cache"] == "miss" and response["Last-Modified"] == first


# Schedule and lifetimes -----------------------------------------------------------------------------


def test_a_page_cached_before_a_schedule_was_set_changes_at_its_second(client, story, make_article, now):
    article, sibling = story
    with time_machine.travel(now, tick=False):
        warm(client, "/", "/themes/harbour-bridge/", sibling.get_absolute_url())
        draft = make_article("Tall ship arrives", status=Status.DRAFT, publish_at=None, theme=article.theme)
        for path in ("/", "/themes/harbour-bridge/"):
            assert client.get(path)["X-Page-Cache"] == "hit"
        with system_gate():  # approved behind the page cache's back: only the clock tells it
            Article.objects.filter(pk=draft.pk).update(status=Status.APPROVED, publish_at=now + timedelta(seconds=18))
        assert b"Tall ship arrives" not in client.get("/").content
    with time_machine.travel(now + timedelta(seconds=17, microseconds=999_000), tick=False):
        assert b"Tall ship arrives" not in client.get("/").content
    with time_machine.travel(now + timedelta(seconds=18), tick=False):
        for path in ("/", "/themes/harbour-bridge/", sibling.get_absolute_url(), "/feeds/atom/"):
            assert b"Tall ship arrives" in client.get(path).content, path


def test_without_a_purged_shared_cache_lifetimes_end_before_the_next_moment(client, story, make_article, now, settings):
    settings.PAGE_CACHE_BROWSER_MAX_AGE = 30
    settings.PAGE_CACHE_CDN_MAX_AGE = 300
    settings.PAGE_CACHE_STALE_WHILE_REVALIDATE = 60
    with time_machine.travel(now, tick=False):
        response = client.get("/")
        assert response["Cache-Control"] == "public, max-age=30, s-maxage=300, stale-while-revalidate=60"
        vary = {v.strip().lower() for v in response["Vary"].split(",")}
        assert {"cookie", "accept-encoding"} <= vary
        make_article("Soon", publish_at=now + timedelta(seconds=100))
        response = client.get("/")
        assert response["X-Page-Cache"] == "hit"  # the home page does not show a scheduled article
        assert response["Cache-Control"] == "public, max-age=30, s-maxage=100"
    with time_machine.travel(now + timedelta(seconds=90), tick=False):
        response = client.get("/")
        assert response["X-Page-Cache"] == "hit"
        assert response["Cache-Control"] == "public, max-age=10, s-maxage=10"


def test_with_a_purged_shared_cache_it_may_keep_pages_long_and_browsers_do_not(client, story, make_article, settings):
    settings.PAGE_CACHE_PURGE = "tests.test_page_cache.Recorder"
    settings.PAGE_CACHE_CDN_MAX_AGE = 86400
    settings.PAGE_CACHE_BROWSER_MAX_AGE = 10
    make_article("Soon", publish_at=timezone.now() + timedelta(seconds=100))
    assert client.get("/")["Cache-Control"] == "public, max-age=10, s-maxage=3600, must-revalidate"
    article = client.get(story[0].get_absolute_url())
    assert article["Cache-Control"] == "public, max-age=0, s-maxage=3600, must-revalidate"


def test_withdrawn_and_article_pages_are_revalidated_by_browsers(client, story):
    article, _ = story
    assert re.search(r"\bmax-age=0\b", client.get(article.get_absolute_url())["Cache-Control"])
    article.status = Status.WITHDRAWN
    with system_gate():  # withdrawn, as a fixture
        article.save()
    gone = client.get(article.get_absolute_url())
    assert gone.status_code == 410 and re.search(r"\bmax-age=0\b", gone["Cache-Control"])


# Several processes ----------------------------------------------------------------------------------


def test_another_process_invalidation_reaches_this_one_within_the_sync_interval(client, story, settings, tmp_path):
    """Workers and servers share no memory: each trusts its copy of the key versions for at most
    PAGE_CACHE_SYNC_INTERVAL seconds, and no request pays a round trip within it."""
    settings.PAGE_CACHE_VERSIONS_DIR = str(tmp_path / "versions")
    settings.PAGE_CACHE_SYNC_INTERVAL = 1
    url = story[0].get_absolute_url()
    start = time.time()
    with time_machine.travel(start, tick=False):
        warm(client, url, "/")
    other_process = (
        "import django; django.setup(); from pagecache.keys import invalidate_now; "
        f"invalidate_now({{'article:{story[0].pk}'}})"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "PAGE_CACHE_VERSIONS_DIR": str(tmp_path / "versions"),
    }
    subprocess.run([sys.executable, "-c", other_process], check=True, env=env, cwd=settings.BASE_DIR)
    with time_machine.travel(start + 0.9, tick=False):
        assert client.get(url)["X-Page-Cache"] == "hit"  # within the interval: not yet known here
    with time_machine.travel(start + 1.0, tick=False):
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get("/")["X-Page-Cache"] == "miss"  # the home page shows the article too


def test_a_change_committed_later_is_not_hidden_by_a_page_rendered_before_the_commit(client, story):
    article, _ = story
    with transaction.atomic():
        article.headline = "Bridge reopens after midnight"
        article.save()
        # A page rendered now, in another process, may still see the old data.
        html(client, "/")
        assert client.get("/")["X-Page-Cache"] == "hit"
    assert client.get("/")["X-Page-Cache"] == "miss"


@pytest.fixture(params=["directory", "shared cache"])
def store_kind(request, settings, tmp_path, monkeypatch):
    """Both stores of the key versions: the directory (one machine) and the shared cache (Redis,
    here through its Django cache API on local memory)."""
    settings.PAGE_CACHE_VERSIONS_DIR = str(tmp_path / "versions")
    settings.PAGE_CACHE_SYNC_INTERVAL = 0  # every request looks at the store (with Redis: after 1 s)
    if request.param == "directory":
        monkeypatch.setattr(versions, "store", lambda: versions.DirectoryStore(versions.versions_directory()))
    else:
        monkeypatch.setattr(versions, "store", versions.SharedCacheStore)
    return request.param


@pytest.fixture
def version_reads(monkeypatch):
    """The keys this process reads from the store of key versions."""
    read = []
    store_class = type(versions.store())
    original = store_class.versions

    def recording(self, keys):
        read.extend(keys)
        return original(self, keys)

    monkeypatch.setattr(store_class, "versions", recording)
    return read


def other_process_invalidates(*invalidated):
    """Another worker or server records an invalidation: this process learns it only from the store."""
    return versions.store().invalidate(set(invalidated))


def test_another_process_edit_leaves_the_versions_of_other_pages_known(
    client, story, unrelated, store_kind, version_reads
):
    article, _ = story
    kept = unrelated.get_absolute_url()
    warm(client, kept)
    other_process_invalidates(f"article:{article.pk}")
    version_reads.clear()
    assert client.get(kept)["X-Page-Cache"] == "hit"
    assert version_reads == []  # no file or Redis read for the page nobody edited


def test_a_gap_in_the_log_forgets_every_version(client, story, unrelated, store_kind, version_reads, settings):
    article, _ = story
    kept = unrelated.get_absolute_url()
    warm(client, kept)
    counter = other_process_invalidates(f"article:{article.pk}")
    if store_kind == "directory":
        (Path(settings.PAGE_CACHE_VERSIONS_DIR) / "log").unlink()
    else:
        caches["default"].delete(versions.LOG_KEY.format(counter=counter))
    version_reads.clear()
    assert client.get(kept)["X-Page-Cache"] == "hit"  # still current: read again, not assumed
    assert f"article:{unrelated.pk}" in version_reads
    version_reads.clear()
    client.get(kept)
    assert f"article:{unrelated.pk}" in version_reads  # and once more: the log could not say


def test_a_process_further_behind_than_the_log_keeps_forgets_every_version(
    client, story, unrelated, store_kind, version_reads, monkeypatch
):
    article, _ = story
    kept = unrelated.get_absolute_url()
    warm(client, kept)
    monkeypatch.setattr(versions, "LOG_BYTES", 200)
    monkeypatch.setattr(versions, "LOG_SPAN", 3)
    for _ in range(5):
        other_process_invalidates(f"article:{article.pk}", "a-key-with-a-long-name:" + "x" * 60)
    version_reads.clear()
    assert client.get(kept)["X-Page-Cache"] == "hit"
    assert f"article:{unrelated.pk}" in version_reads


def test_an_edit_in_another_process_is_never_served_stale(client, store_kind, story, unrelated, monkeypatch):
    """Two processes, each with its own copy of the versions: the one that did not save learns from
    the log which pages to drop."""
    article, _ = story
    url, kept = article.get_absolute_url(), unrelated.get_absolute_url()
    warm(client, url, "/", kept)
    with monkeypatch.context() as other_process:
        other_process.setattr(versions, "local", versions.LocalCopy())
        article.headline = "Bridge reopens after the storm"
        article.save()
    for path in (url, "/"):
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss" and b"Bridge reopens after the storm" in response.content, path
    assert client.get(kept)["X-Page-Cache"] == "hit"


def test_a_page_another_worker_kept_is_checked_without_reading_versions_once_this_one_follows_the_log(
    client, store_kind, story, unrelated, monkeypatch, version_reads
):
    """A process that has read every invalidation since it looked at the counter first knows every
    version since: a page another worker kept on the machine's disk after that is checked against
    what it knows, and an invalidation logged later still drops it."""
    article, _ = story
    url = article.get_absolute_url()
    client.get(unrelated.get_absolute_url())  # this process follows the log from here
    with monkeypatch.context() as other_process:
        other_process.setattr(versions, "local", versions.LocalCopy())
        assert client.get(url)["X-Page-Cache"] == "miss"  # kept on the disk every worker shares
    pages.local_pages.clear()  # not in this process's memory
    version_reads.clear()
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert version_reads == []
    other_process_invalidates(f"article:{article.pk}")
    pages.local_pages.clear()
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_page_kept_before_the_store_lost_its_counter_under_a_clock_set_back_is_rendered_again(
    client, store_kind, story, monkeypatch
):
    """The counter starts again from the clock when the store loses it (Redis flushed, a directory
    wiped): with the clock set back meanwhile it starts lower than the pages kept on the machine's
    disk were rendered at. Such a page, its keys changed since, is never served."""
    article, _ = story
    url = article.get_absolute_url()

    def store_lost():
        if store_kind == "directory":
            for path in versions.versions_directory().iterdir():
                if path.is_file():
                    path.unlink()
        else:
            versions.shared_cache().clear()
        monkeypatch.setattr(versions, "local", versions.LocalCopy())  # a worker started since
        pages.local_pages.clear()

    with time_machine.travel(timedelta(days=1)):  # the clock a day ahead, then set right
        store_lost()
        assert client.get(url)["X-Page-Cache"] == "miss"  # kept on the disk every worker shares
        rendered_at = versions.local.counter
    store_lost()
    Article.objects.filter(pk=article.pk).update(headline="Bridge closes again")
    assert other_process_invalidates(f"article:{article.pk}") < rendered_at
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss" and b"Bridge closes again" in response.content
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_page_found_current_is_checked_again_once_a_version_known_here_moves(client, story, unrelated):
    """A hit from this process's memory skips checking its keys while nothing this process knows of
    the versions moved (its epoch): an edit anywhere moves it, and a version read again different too."""
    kept = unrelated.get_absolute_url()
    warm(client, kept)
    epoch = versions.local.epoch
    assert client.get(kept)["X-Page-Cache"] == "hit"
    assert versions.local.epoch == epoch
    key = f"article:{unrelated.pk}"
    # A key learnt for the first time, or again the same: no page it checked moves.
    versions.local._learn({"a-key-never-read": 1, key: versions.local.known.get(key, versions.local.counter)})
    assert versions.local.epoch == epoch
    versions.local._learn({key: versions.local.known[key] + 1})
    assert versions.local.epoch == epoch + 1
    assert client.get(kept)["X-Page-Cache"] == "miss"  # checked again: its article's version is later


# Faults: a cache that cannot be invalidated never stops a save and never serves stale ------------


def test_a_full_disk_under_the_key_versions_never_stops_a_save(client, story, settings, tmp_path, monkeypatch, caplog):
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PAGE_CACHE_ALIAS = "default"
    settings.PAGE_CACHE_VERSIONS_DIR = str(tmp_path / "versions")
    article, _ = story
    url = article.get_absolute_url()
    warm(client, url)

    def disk_full(self, path, text):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(versions.DirectoryStore, "_write", disk_full)
        article.headline = "Bridge reopens after the storm"
        article.save()
        assert Article.objects.get(pk=article.pk).headline == "Bridge reopens after the storm"
        response = client.get(url)
        assert response.status_code == 200 and "X-Page-Cache" not in response
        assert b"Bridge reopens after the storm" in response.content
        readiness = client.get("/readyz")
        assert readiness.status_code == 503 and readiness.json()["page_cache"] == "failing"
    assert "could not invalidate" in caplog.text
    # Space again: the cache works, from scratch, and says so (a broken store is tried once a second).
    assert client.get("/readyz").json()["page_cache"] == "ok"
    with time_machine.travel(time.time() + versions.RETRY_BROKEN, tick=False):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"


def test_an_unreachable_redis_loses_no_invalidation(story, settings):
    """Redis down: invalidating logs, keeps the keys in the outbox and stops this process serving."""
    from pagecache.models import PendingPurge

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
    }
    settings.PAGE_CACHE_ALIAS = "default"
    keys.invalidate_now({f"article:{story[0].pk}"})
    assert versions.local.broken and versions.local.current(time.time()) == (None, True)
    kept = PendingPurge.objects.get()
    assert kept.target == "local" and f"article:{story[0].pk}" in kept.keys
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert versions.local.current(time.time()) == (None, True)  # not tried again within RETRY_BROKEN
    counter, _ = versions.local.current(time.time() + versions.RETRY_BROKEN)
    assert counter is not None and not PendingPurge.objects.exists()


class Recorder:
    """A purge backend that records what it was asked to purge."""

    header = "Surrogate-Key"
    separator = " "
    purged = []
    failing = False

    def __init__(self, **options):
        pass

    def purge(self, keys):
        if Recorder.failing:
            raise OSError("connection refused")
        Recorder.purged.append(set(keys))


# A restart forgets nothing it need not ----------------------------------------------------------------


@pytest.fixture
def one_machine(settings, tmp_path):
    """Workers of one machine without Redis: local memory each, key versions in a shared directory."""
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PAGE_CACHE_ALIAS = "default"
    settings.PAGE_CACHE_VERSIONS_DIR = str(tmp_path / "versions")
    keys.reset_process_state()


def restarted_worker():
    """A worker that starts now: nothing in its memory, not even its local-memory cache."""
    keys.reset_process_state()
    caches["default"].clear()


def test_a_restarted_worker_first_save_drops_only_what_it_changed(client, one_machine, story, unrelated):
    article, _ = story
    kept = [unrelated.get_absolute_url(), "/themes/council/", "/authors/ben-okafor/"]
    warm(client, article.get_absolute_url(), "/", *kept)
    restarted_worker()
    article.headline = "Bridge reopens after the repairs"
    article.save()
    assert b"after the repairs" in client.get(article.get_absolute_url()).content
    assert b"after the repairs" in client.get("/").content
    for path in kept:
        assert client.get(path)["X-Page-Cache"] == "hit", path  # before: every page showing the navigation went


def test_no_cached_page_outlives_the_newsrooms_new_year(client, story):
    """The footer shows the year: a page kept at 23:59:50 on 31 December in Helsinki (UTC+2) lives
    ten seconds at most, and the first request of the new year renders it with the new year."""
    article, _ = story
    year = timezone.localtime().year + 1  # a New Year after the story went live, whatever today is
    with time_machine.travel(f"{year}-12-31 21:59:50 +0000", tick=False):
        first = client.get(article.get_absolute_url())
        assert first["X-Page-Cache"] == "miss" and f"© {year}" in first.content.decode()
        assert max_age(first, "max-age") <= 10 and client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    with time_machine.travel(f"{year}-12-31 22:00:00 +0000", tick=False):
        turned = client.get(article.get_absolute_url())
        assert turned["X-Page-Cache"] == "miss" and f"© {year + 1}" in turned.content.decode()


def test_a_lost_counter_restarts_above_itself_even_if_the_clock_went_back(tmp_path, monkeypatch):
    """The directory store restarts its counter from the clock after a failed write; a clock
    stepped back (NTP) must not restart it below versions and pages it numbered before."""
    store = versions.DirectoryStore(tmp_path / "versions")
    with time_machine.travel("2030-06-01 12:00 +0000", tick=False):
        before = store.invalidate({"article:1"})
    with monkeypatch.context() as patched:
        patched.setattr(
            versions.DirectoryStore, "_write", lambda self, path, text: (_ for _ in ()).throw(OSError(28, "full"))
        )
        with pytest.raises(versions.StoreBroken):
            store.invalidate({"article:2"})
    after = store.invalidate({"article:2"})  # today's clock, four years behind
    found = store.versions({"article:1", "article:2", "article:3"})
    assert before < found["article:3"] < after == found["article:2"] and found["article:1"] == before


def test_a_new_release_never_serves_what_the_last_one_kept(client, story, settings):
    """A deploy restarts the workers: pages and fragments kept on disk or in Redis by the code
    before it (its templates, its stylesheet's hashed name) are not served after it."""
    from pagecache import pages, release

    article, _ = story
    client.get(article.get_absolute_url())
    pages.local_pages.clear()
    pages.local_fragments.clear()  # a new process: only what disk or Redis kept
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    settings.PAGE_CACHE_RELEASE = "next"
    release.release.cache_clear()
    pages.local_pages.clear()
    pages.local_fragments.clear()
    try:
        assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
        assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    finally:
        release.release.cache_clear()


def test_the_release_is_the_digest_of_the_code_and_templates(settings, tmp_path):
    from pagecache import release

    (tmp_path / "templates" / "jinja2").mkdir(parents=True)
    page = tmp_path / "templates" / "jinja2" / "home.html"
    page.write_text("<h1>Вести</h1>")
    settings.BASE_DIR = tmp_path
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates" / "jinja2"]}]
    settings.STATIC_ROOT = tmp_path / "static"
    try:
        release.release.cache_clear()
        first = release.release()
        page.write_text("<h1>Вісті</h1>")
        release.release.cache_clear()
        assert release.release() != first
        page.write_text("<h1>Вести</h1>")
        release.release.cache_clear()
        assert release.release() == first
    finally:
        release.release.cache_clear()


def test_a_host_not_allowed_is_refused_before_and_after_an_allowed_one_was_served(client, story, settings):
    """The page cache keeps which Host headers Django allowed: never one it refused, and not past a
    change of ALLOWED_HOSTS."""
    settings.ALLOWED_HOSTS = ["news.example.org", "xn--80ak6aa92e.com"]
    article, _ = story
    url = article.get_absolute_url()
    for host in ("news.example.org", "xn--80ak6aa92e.com", "news.example.org"):
        assert client.get(url, HTTP_HOST=host).status_code == 200
    for host in ("evil.example", "news.example.org.evil.example", "news.example.org:bad", "новини.укр"):
        assert client.get(url, HTTP_HOST=host).status_code == 400
    # Behind a proxy that names the host: the forwarded one is checked, each time.
    settings.USE_X_FORWARDED_HOST = True
    assert client.get(url, HTTP_HOST="news.example.org", HTTP_X_FORWARDED_HOST="evil.example").status_code == 400
    settings.USE_X_FORWARDED_HOST = False
    settings.ALLOWED_HOSTS = ["xn--80ak6aa92e.com"]
    assert client.get(url, HTTP_HOST="news.example.org").status_code == 400
    response = client.get(url, HTTP_HOST="xn--80ak6aa92e.com")
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"


def test_a_worker_sees_every_counter_another_wrote_whatever_happened_to_the_directory(tmp_path):
    """A worker looks at the counter file's identity on every request and reads it only when it was
    replaced: every invalidation, a wiped directory and a lost counter are each seen at once."""
    import shutil

    path = tmp_path / "versions"
    reader, writer = versions.DirectoryStore(path), versions.DirectoryStore(path)
    seen = [reader.counter()]
    for n in range(5):
        assert writer.invalidate({f"article:{n}", "тема:Київ"}) == reader.counter() > seen[-1]
        seen.append(reader.counter())
    shutil.rmtree(path)  # wiped: a new counter, from the clock
    assert reader.counter() == writer.counter() != seen[-1]
    os.replace(path / "counter", path / "counter-lost")  # as a failed write leaves it
    assert writer.invalidate({"article:1"}) == reader.counter() > seen[-1]
    assert reader.versions({"article:1"}) == writer.versions({"article:1"})
