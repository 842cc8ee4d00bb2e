"""Theme pages as timelines, and dormant themes leaving the navigation by themselves."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from articles.models import Status, system_gate
from articles.workflow import take_step
from pagecache.keys import reset_process_state
from tests.conftest import clear_disk_pages

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # Helsinki is UTC+2 then


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def nav(client):
    page = client.get("/").content.decode()
    header = page[page.index("<nav") : page.index("</nav>")]
    return header


def test_theme_page_tells_the_story_by_day(client, clock, make_theme, make_article):
    talks = make_theme("Ceasefire talks", slug="talks", summary="Both sides agreed a truce.\n\nMonitors arrive Friday.")
    make_article("Envoys arrive", theme=talks, publish_at=NOW - timedelta(days=3))
    make_article("Late-night deal", theme=talks, publish_at=datetime(2026, 3, 8, 22, 30, tzinfo=UTC))  # 9 March local
    make_article("Morning reactions", theme=talks, publish_at=datetime(2026, 3, 9, 6, 0, tzinfo=UTC))
    make_article("Not yet", theme=talks, publish_at=NOW + timedelta(hours=1))
    page = client.get("/themes/talks/").content.decode()
    assert "What we know" in page and "<p>Both sides agreed a truce.</p>" in page
    days = page[page.index('class="timeline-days"') :]
    assert days.index("Monday 9 March 2026") < days.index("Saturday 7 March 2026")
    monday = days[days.index("Monday 9 March 2026") : days.index("Saturday 7 March 2026")]
    assert "Late-night deal" in monday and "Morning reactions" in monday
    assert "Not yet" not in page
    assert "Followed since" in page
    assert 'datetime="2026-03-07T12:00:00Z"' in page[: page.index("What we know")]  # first
    assert 'datetime="2026-03-09T06:00:00Z"' in page[: page.index("What we know")]  # latest


def test_pinned_lead_article_is_shown_first_only_while_live(client, clock, make_theme, make_article):
    talks = make_theme("Ceasefire talks", slug="talks")
    explainer = make_article("What the truce means", theme=talks, publish_at=NOW - timedelta(days=2))
    make_article("Envoys arrive", theme=talks)
    talks.lead_article = explainer
    talks.save()
    page = client.get("/themes/talks/").content.decode()
    pinned = page[page.index('id="pinned-heading"') : page.index('class="timeline-days"')]
    assert "What the truce means" in pinned
    assert "What the truce means" not in page[page.index('class="timeline-days"') :]  # shown once
    explainer.status = Status.WITHDRAWN
    with system_gate():  # set as a fixture, not a step
        explainer.save()
    page = client.get("/themes/talks/").content.decode()
    assert 'id="pinned-heading"' not in page
    assert "What the truce means" not in page


def test_a_pinned_lead_article_in_the_bin_is_not_shown(client, clock, make_theme, make_article):
    talks = make_theme("Ceasefire talks", slug="talks")
    talks.lead_article = make_article("What the truce means", theme=talks)
    talks.save()
    assert 'id="pinned-heading"' in client.get("/themes/talks/").content.decode()
    talks.lead_article.deleted_at = NOW
    with system_gate():  # set as a fixture, not a step
        talks.lead_article.save()
    page = client.get("/themes/talks/").content.decode()
    assert 'id="pinned-heading"' not in page and "What the truce means" not in page


def test_theme_page_runs_a_fixed_number_of_queries(
    client, clock, make_theme, make_article, django_assert_max_num_queries, settings
):
    talks = make_theme("Ceasefire talks", slug="talks", summary="A truce.")
    for n in range(30):
        make_article(f"Day {n} of the talks", theme=talks, publish_at=NOW - timedelta(hours=5 * n + 1))
    talks.lead_article = make_article("Explainer", theme=talks)
    talks.save()
    client.get("/")  # warm the navigation cache, as every server does after its first request
    # The theme, its pinned article, the count, the page's rows, then the cards: articles and bylines.
    with django_assert_max_num_queries(6):
        assert client.get("/themes/talks/").status_code == 200
    # Missing the cache again (a page not kept), with the fragments kept: the theme alone; the pinned
    # article, the count and the rows are fragments under their keys, as the cards are.
    settings.PAGE_CACHE_KEEP_PAGES = False
    with django_assert_max_num_queries(1):
        assert "Day 0 of the talks" in client.get("/themes/talks/").content.decode()


def test_a_quiet_theme_turns_dormant_and_leaves_the_navigation(client, clock, make_theme, make_article):
    talks = make_theme("Ceasefire talks", slug="talks")
    drought = make_theme("Drought", slug="drought")
    make_article("Envoys arrive", theme=talks, publish_at=NOW - timedelta(days=29, hours=23, minutes=58))
    make_article("Rain at last", theme=drought, publish_at=NOW - timedelta(days=2))
    assert "Ceasefire talks" in nav(client)
    assert "quiet" not in client.get("/themes/talks/").content.decode()
    # Three minutes later the talks have had no live article for 30 days: no one saved anything.
    clock.shift(timedelta(minutes=3))
    header = nav(client)
    assert "Ceasefire talks" not in header and "Drought" in header
    assert "This story has gone quiet" in client.get("/themes/talks/").content.decode()
    listing = client.get("/themes/").content.decode()
    listing = listing[listing.index('class="theme-list"') :]
    talks_item = listing[listing.index("Ceasefire talks") : listing.index("Drought")]
    assert "Dormant" in talks_item


def test_a_scheduled_article_brings_a_dormant_theme_back_on_time(client, clock, make_theme, make_article):
    talks = make_theme("Ceasefire talks", slug="talks")
    make_article("Envoys arrive", theme=talks, publish_at=NOW - timedelta(days=40))
    make_article("Talks resume", theme=talks, publish_at=NOW + timedelta(seconds=90))
    assert "Ceasefire talks" not in nav(client)
    clock.shift(timedelta(seconds=91))
    assert "Ceasefire talks" in nav(client)


def test_an_article_going_live_now_revives_the_theme_at_once(client, clock, make_theme, make_article, editor):
    talks = make_theme("Ceasefire talks", slug="talks")
    make_article("Envoys arrive", theme=talks, publish_at=NOW - timedelta(days=40))
    draft = make_article("Talks resume", theme=talks, status=Status.DRAFT, publish_at=None)
    assert "Ceasefire talks" not in nav(client)
    take_step(draft, "approve", user=editor)
    assert "Ceasefire talks" in nav(client)


def test_themes_without_live_articles_are_dormant(client, clock, make_theme, make_article):
    make_theme("Empty theme", slug="empty")
    make_article("Draft only", theme=make_theme("Drafts theme"), status=Status.DRAFT, publish_at=None)
    header = nav(client)
    assert "Empty theme" not in header and "Drafts theme" not in header


def test_the_dormancy_period_is_a_setting(client, clock, settings, make_theme, make_article):
    talks = make_theme("Ceasefire talks", slug="talks")
    make_article("Envoys arrive", theme=talks, publish_at=NOW - timedelta(days=10))
    assert "Ceasefire talks" in nav(client)
    settings.THEME_DORMANT_DAYS = 7
    # Cached pages were rendered under the old setting; deploying a new one restarts the servers
    # and clears the kept pages (docs/production.md).
    cache.clear()
    reset_process_state()
    clear_disk_pages()
    assert "Ceasefire talks" not in nav(client)
