"""The anonymous page cache: served without SQL, never stale after a change or past the schedule."""

import io
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from PIL import Image as PILImage

from articles.models import Article, Byline, Status, system_gate
from images.models import Image
from pagecache import pages
from pagecache.decorators import public_page
from pagecache.middleware import PageCacheMiddleware


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
    first = client.get("/")
    etag = first["ETag"]
    assert etag.startswith('"')
    not_modified = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert client.get("/", HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    since = client.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_headers_suit_a_cdn_and_end_before_the_next_scheduled_moment(client, story, make_article, now, settings):
    settings.PAGE_CACHE_BROWSER_MAX_AGE = 30
    settings.PAGE_CACHE_CDN_MAX_AGE = 300
    settings.PAGE_CACHE_STALE_WHILE_REVALIDATE = 60
    with time_machine.travel(now, tick=False):
        response = client.get("/")
        control = response["Cache-Control"]
        assert control.startswith("public") and max_age(response, "max-age") == 30
        assert max_age(response, "s-maxage") == 300 and max_age(response, "stale-while-revalidate") == 60
        vary = {v.strip().lower() for v in response["Vary"].split(",")}
        assert {"cookie", "accept-encoding"} <= vary
        make_article("Soon", publish_at=now + timedelta(seconds=100))
        for hit in ("miss", "hit"):
            response = client.get("/")
            assert response["X-Page-Cache"] == hit
            assert max_age(response, "s-maxage") == 100 and max_age(response, "max-age") == 30
            assert "stale-while-revalidate" not in response["Cache-Control"]
    with time_machine.travel(now + timedelta(seconds=90), tick=False):
        response = client.get("/")
        assert response["X-Page-Cache"] == "hit"
        assert max_age(response, "max-age") == 10 and max_age(response, "s-maxage") == 10


def test_the_next_schedule_moment_is_one_query(story, make_article, now, django_assert_num_queries):
    make_article("Later", publish_at=now + timedelta(hours=3))
    make_article("Sooner", publish_at=now + timedelta(hours=2))
    make_article("Going", publish_at=now - timedelta(hours=1), expire_at=now + timedelta(minutes=90))
    make_article("Draft", status=Status.DRAFT, publish_at=now + timedelta(minutes=5))
    with django_assert_num_queries(1):
        assert pages.next_schedule_moment(now) == now + timedelta(minutes=90)
    assert pages.next_schedule_moment(now + timedelta(minutes=90)) == now + timedelta(hours=2)
    assert pages.next_schedule_moment(now + timedelta(hours=3)) is None


def test_the_cache_can_be_turned_off(client, story, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_ENABLED = False
    client.get("/")
    with django_assert_max_num_queries(5) as captured:
        response = client.get("/")
    assert len(captured) > 0 and "X-Page-Cache" not in response


def test_a_change_committed_later_is_not_hidden_by_a_page_rendered_before_the_commit(
    client, story, django_capture_on_commit_callbacks
):
    article, _ = story
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article.headline = "Bridge reopens after midnight"
        article.save()
    generation = pages.current_generation()
    # A page rendered now, in another process, may still see the old data; the commit bumps again.
    html(client, "/")
    for callback in callbacks:
        callback()
    assert pages.current_generation() != generation
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_a_change_in_another_process_invalidates_this_ones_pages(client, story, settings, tmp_path):
    """Gunicorn workers and app servers do not share memory: the generation must live outside it."""
    settings.PAGE_CACHE_GENERATION_FILE = str(tmp_path / "generation")
    html(client, "/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    other_process = (
        "import django; django.setup(); from django.conf import settings; "
        f"settings.PAGE_CACHE_GENERATION_FILE = {str(tmp_path / 'generation')!r}; "
        "from pagecache.pages import bump_generation; bump_generation()"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    subprocess.run([sys.executable, "-c", other_process], check=True, env=env, cwd=settings.BASE_DIR)
    assert client.get("/")["X-Page-Cache"] == "miss"


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
