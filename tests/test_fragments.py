"""Fragments: a page that misses the cache is assembled from a query or two and pieces kept
under the page cache's rule (the keys they show, the counter before they rendered)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from articles.models import ShareLink, Status, system_gate
from pagecache import versions
from pagecache.pages import local_fragments

pytestmark = pytest.mark.usefixtures("away_from_new_year")


@pytest.fixture
def harbour(make_theme, make_author, make_article, now):
    theme = make_theme("Harbour bridge", slug="harbour-bridge")
    ana = make_author("Ana Reyes", slug="ana-reyes")
    stories = [
        make_article(
            f"Harbour story {n}", theme=theme, authors=[ana], tags=["transport"], publish_at=now - timedelta(hours=n)
        )
        for n in range(1, 5)
    ]
    return theme, stories


def forget_pages(settings):
    """From now on no page is kept or served (as if each had just been invalidated), while the
    fragments stay: wherever pages are kept (memory, disk, Redis)."""
    settings.PAGE_CACHE_KEEP_PAGES = False


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    assert response["X-Page-Cache"] == "miss", path
    return len(captured), response.content.decode()


def test_a_theme_headlines_fragment_is_reused_by_the_next_article_page(client, harbour, settings):
    _, (first, second, third, _) = harbour
    client.get("/themes/")  # the navigation and site settings, as every server has them after its first request
    filled, _ = queries(client, first.get_absolute_url())
    reused, html = queries(client, second.get_absolute_url())
    assert reused == filled - 1
    assert "Harbour story 1" in html and "Harbour story 3" in html
    # An uncached article page whose fragments are kept: the article's own row, nothing else.
    forget_pages(settings)
    alone, html = queries(client, third.get_absolute_url())
    assert alone <= 3
    # And once its own fragments are kept too (its row, its text): no query at all.
    forget_pages(settings)
    assert queries(client, first.get_absolute_url())[0] == 0


def test_an_uncached_home_page_is_no_query_when_its_fragments_are_kept(client, harbour, settings, make_article, now):
    _, (first, *_) = harbour
    client.get(first.get_absolute_url())  # the theme's headlines, the navigation, the site settings
    filled, html = queries(client, "/")
    assert filled == 3  # the latest stories' ids, then their cards' rows and bylines
    assert "Harbour story 1" in html and "Harbour story 4" in html
    forget_pages(settings)
    assert queries(client, "/") == (0, html)
    # The latest rows are kept under `list:latest`: a story going live, now or at its second, moves
    # them (stories of no theme: on the home page only among the latest).
    make_article("Ferry crews vote to strike")
    assert "Ferry crews vote to strike" in queries(client, "/")[1]
    make_article("Тунель відкрито", publish_at=now + timedelta(minutes=5))
    assert "Тунель відкрито" not in queries(client, "/")[1]
    with time_machine.travel(now + timedelta(minutes=5)):
        assert "Тунель відкрито" in queries(client, "/")[1]


def test_an_edit_drops_the_fragments_showing_it_at_once(client, harbour):
    _, (first, second, *_) = harbour
    client.get(first.get_absolute_url())
    first.headline = "Harbour bridge reopens early"
    first.save()
    _, html = queries(client, second.get_absolute_url())
    assert "Harbour bridge reopens early" in html and "Harbour story 1<" not in html
    # And its own text, though the page and the fragment were both kept before the edit.
    _, html = queries(client, first.get_absolute_url())
    assert "<h1>Harbour bridge reopens early</h1>" in html


def test_an_author_renamed_drops_the_article_text_showing_the_byline(client, harbour):
    _, (first, *_) = harbour
    client.get(first.get_absolute_url())
    ana = first.byline[0]
    ana.name = "Ana Reyes-Lopez"
    ana.save()
    _, html = queries(client, first.get_absolute_url())
    assert ">Ana Reyes-Lopez</a>" in html


def test_an_article_going_live_by_the_clock_appears_in_fragments_at_its_second(
    client, harbour, make_article, now, settings
):
    theme, (first, second, *_) = harbour
    with time_machine.travel(now, tick=False):
        make_article("The scheduled story", theme=theme, publish_at=now + timedelta(seconds=2))
        assert "The scheduled story" not in queries(client, first.get_absolute_url())[1]
    with time_machine.travel(now + timedelta(seconds=1), tick=False):
        assert "The scheduled story" not in queries(client, second.get_absolute_url())[1]
    forget_pages(settings)
    with time_machine.travel(now + timedelta(seconds=2), tick=False):
        assert "The scheduled story" in queries(client, second.get_absolute_url())[1]


def test_fragments_never_hold_what_readers_may_not_see(client, harbour, make_article, editor):
    theme, (first, *_) = harbour
    draft = make_article(
        "Secret draft headline", theme=theme, status=Status.DRAFT, publish_at=None, body="Unpublished draft paragraph."
    )
    link = ShareLink.objects.create(article=draft, created_by=editor)
    assert "Unpublished draft paragraph" in client.get(link.url()).content.decode()
    staff = client.__class__()
    staff.force_login(editor)
    assert "Unpublished draft paragraph" in staff.get(f"/preview/{draft.pk}/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404  # its row is not kept either
    _, html = queries(client, first.get_absolute_url())
    assert "Secret draft" not in html
    kept = repr([entry["value"] for entry in local_fragments.entries.values()])
    assert local_fragments.entries and "Secret draft" not in kept and "Unpublished draft" not in kept


@pytest.mark.parametrize("listing", ["theme", "author", "tag"])
def test_a_list_page_from_fragments_queries_nothing_and_never_goes_stale(
    client, harbour, make_article, now, settings, listing
):
    """A theme, author or tag page keeps its subject's row as a fragment under the subject's key,
    and its count and its page's rows as one under the list's key: assembled from fragments it asks
    nothing, and an article joining, leaving or changing the list (a save, a withdrawal, the clock)
    or the subject renamed shows at once."""
    theme, (first, *_) = harbour
    ana = first.byline[0]
    path = {"theme": theme.get_absolute_url(), "author": ana.get_absolute_url(), "tag": "/tags/transport/"}[listing]
    on_it = {"theme": {"theme": theme}, "author": {"authors": [ana]}, "tag": {"tags": ["transport"]}}[listing]
    forget_pages(settings)
    with time_machine.travel(now, tick=False):
        make_article("Ферма на даху: 屋上の農園", publish_at=now + timedelta(seconds=5), **on_it)
        _, html = queries(client, path)
        assert "Harbour story 1" in html and "屋上の農園" not in html
        assert queries(client, path) == (0, html)
    with time_machine.travel(now + timedelta(seconds=5), tick=False):
        assert "Ферма на даху: 屋上の農園" in queries(client, path)[1]  # at its second, with no save
        stays_current_through_an_edit_and_a_withdrawal(client, path, first)
    subject = {"theme": theme, "author": ana, "tag": Tag.objects.get(slug="transport")}[listing]
    subject.name = "Порт і мости 🌉"
    subject.save()
    assert "Порт і мости 🌉" in queries(client, path)[1]


@pytest.mark.parametrize("listing", ["theme", "author"])
def test_a_list_page_at_an_address_with_no_subject_yet_is_found_once_one_is_made_there(
    client, make_theme, make_author, make_article, listing
):
    path = {"theme": "/themes/kyiv-harbour/", "author": "/authors/kyiv-harbour/"}[listing]
    assert client.get(path).status_code == 404
    made = {"theme": make_theme, "author": make_author}[listing]("Київ: гавань", slug="kyiv-harbour")
    make_article("Ferries resume", **{"theme": {"theme": made}, "author": {"authors": [made]}}[listing])
    response = client.get(path)
    assert response.status_code == 200 and "Київ: гавань" in response.content.decode()


def test_a_month_page_from_fragments_queries_nothing_and_never_goes_stale(client, make_article, settings):
    # A month of a 2009 archive, not today's: the path follows the articles' own date.
    may = timezone.make_aware(datetime(2009, 5, 15, 10))
    first = make_article("Harbour story 1", publish_at=may)
    make_article("Harbour story 2", publish_at=may - timedelta(days=1))
    path = f"/archive/{may:%Y}/{may:%m}/"
    forget_pages(settings)
    _, html = queries(client, path)
    assert queries(client, path) == (0, html)
    stays_current_through_an_edit_and_a_withdrawal(client, path, first)


def stays_current_through_an_edit_and_a_withdrawal(client, path, first):
    first.headline = "Harbour story 1, corrected"
    first.save()
    assert "Harbour story 1, corrected" in queries(client, path)[1]
    first.status = Status.WITHDRAWN
    with system_gate():
        first.save()
    html = queries(client, path)[1]
    assert "Harbour story 1" not in html and "Harbour story 2" in html


def test_a_pinned_article_kept_as_a_fragment_appears_and_changes_at_once(client, harbour, make_article, now, settings):
    theme, _ = harbour
    forget_pages(settings)

    def pinned(html):
        return html.partition('id="pinned-heading"')[2].partition("</section>")[0]

    with time_machine.travel(now, tick=False):
        theme.lead_article = make_article("Explainer: the bridge", theme=theme, publish_at=now + timedelta(seconds=3))
        theme.save()
        assert pinned(queries(client, theme.get_absolute_url())[1]) == ""
        assert pinned(queries(client, theme.get_absolute_url())[1]) == ""  # from the fragment
    with time_machine.travel(now + timedelta(seconds=3), tick=False):
        assert "Explainer: the bridge" in pinned(queries(client, theme.get_absolute_url())[1])
        theme.lead_article.headline = "Пояснення: міст"
        theme.lead_article.save()
        assert "Пояснення: міст" in pinned(queries(client, theme.get_absolute_url())[1])


def test_a_fragment_found_current_is_checked_again_only_once_a_version_known_here_moves(
    client, harbour, settings, monkeypatch
):
    """As a kept page: a fragment found current is not checked again while nothing this process
    knows of the key versions moved (its epoch); an edit moves it, and the fragment showing it goes."""
    _, (first, *_) = harbour
    url = first.get_absolute_url()
    client.get(url)
    forget_pages(settings)
    checked = []
    is_current = versions.LocalCopy.is_current
    monkeypatch.setattr(
        versions.LocalCopy, "is_current", lambda copy, keys, at: checked.append(keys) or is_current(copy, keys, at)
    )
    queries(client, url)
    assert checked
    checked.clear()
    assert queries(client, url)[0] == 0 and checked == []
    first.headline = "Мост відкрито о 5:00 🌉"
    first.save()
    assert "Мост відкрито о 5:00 🌉" in queries(client, url)[1]
    assert checked
