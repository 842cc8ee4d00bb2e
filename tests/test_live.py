"""Live coverage (issue 28): the step that makes an article live, the door entries go through,
the reader's page, the poll and its caching, feeds and structured data."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone
from reversion.models import Version

from articles.models import ArticleEvent, TransitionNotAllowed
from articles.workflow import take_step
from audit.models import AuditEntry
from live.door import EntryConflict, EntryRefused, edit_entry, post_entry, publish_entry, withdraw_entry
from live.models import Entry, EntryStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("away_from_new_year")]


@pytest.fixture
def live_article(make_article, editor):
    article = make_article("Election night in the harbour city")
    take_step(article, "start_live", user=editor)
    article.refresh_from_db()
    return article


def entry_ids(html):
    return [int(pk) for pk in re.findall(r'id="entry-(\d+)"', html)]


# The step ---------------------------------------------------------------------------------


def test_only_an_editor_starts_and_ends_live_coverage(
    make_article, editor, writer, mailoutbox, django_capture_on_commit_callbacks
):
    article = make_article(created_by=writer)
    with pytest.raises(TransitionNotAllowed):
        take_step(article, "start_live", user=writer)
    with django_capture_on_commit_callbacks(execute=True):
        take_step(article, "start_live", user=editor)
    article.refresh_from_db()
    assert article.is_live_coverage()
    with pytest.raises(TransitionNotAllowed, match="already live coverage"):
        take_step(article, "start_live", user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        take_step(article, "end_live", user=editor)
    article.refresh_from_db()
    assert article.has_coverage() and not article.is_live_coverage()
    events = [event.get_action_display() for event in ArticleEvent.objects.filter(article=article)]
    assert events[:2] == ["Live coverage ended", "Live coverage started"]
    assert [mail.subject.split("] ")[1].split(":")[0] for mail in mailoutbox] == [
        "Live coverage started",
        "Live coverage ended",
    ]
    assert AuditEntry.objects.filter(action="article.start_live").count() == 1


def test_the_change_form_offers_the_steps(client, editor, make_article):
    article = make_article()
    client.force_login(editor)
    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Start live coverage" in page
    assert client.post(f"/admin/articles/article/{article.pk}/transition/start_live/", {"when": ""}).status_code == 302
    article.refresh_from_db()
    assert article.is_live_coverage()


# The door ---------------------------------------------------------------------------------


def test_an_editor_publishes_at_once_and_a_writer_submits(live_article, editor, writer, make_user):
    published = post_entry(live_article, user=editor, body="Polls have closed.")
    submitted = post_entry(live_article, user=writer, body="Turnout looks high.")
    assert published.status == EntryStatus.PUBLISHED and submitted.status == EntryStatus.SUBMITTED
    trusted = make_user("night-desk", "Writers")
    trusted.user_permissions.add(Permission.objects.get(codename="publish_entry"))
    assert post_entry(live_article, user=trusted, body="Counting starts.").status == EntryStatus.PUBLISHED
    with pytest.raises(EntryRefused):
        post_entry(live_article, user=writer, body="Pin me", pinned=True)
    publish_entry(submitted.pk, user=editor, version=submitted.version)
    assert Entry.objects.published().count() == 3
    assert AuditEntry.objects.filter(action__startswith="live.").count() == 4
    assert Version.objects.get_for_object(submitted).count() == 2


def test_no_entries_on_an_article_that_is_not_live_coverage(make_article, editor):
    with pytest.raises(EntryRefused):
        post_entry(make_article(), user=editor, body="Nothing to see.")


def test_one_pinned_entry_at_a_time(live_article, editor):
    first = post_entry(live_article, user=editor, body="First", pinned=True)
    second = post_entry(live_article, user=editor, body="Second", pinned=True)
    first.refresh_from_db()
    assert not first.pinned and second.pinned


def test_a_key_event_needs_a_title(live_article, editor):
    with pytest.raises(EntryRefused, match="title"):
        post_entry(live_article, user=editor, body="Big news", key_event=True)


def test_a_stale_edit_is_merged_or_refused(live_article, editor, make_user):
    other = make_user("other-editor", "Editors")
    entry = post_entry(live_article, user=editor, body="One.\n\nTwo.", title="Polls close")
    opened = {"title": entry.title, "body": entry.body}
    edit_entry(entry.pk, user=other, version=entry.version, base=opened, changes={"title": "Polls closed"})
    merged = edit_entry(entry.pk, user=editor, version=entry.version, base=opened, changes={"body": "One.\n\nTwo!"})
    assert (merged.title, merged.body) == ("Polls closed", "One.\n\nTwo!")
    assert merged.updated_at is not None
    with pytest.raises(EntryConflict) as conflict:
        edit_entry(entry.pk, user=other, version=entry.version, base=opened, changes={"title": "Polls shut"})
    assert conflict.value.conflicts == {"title": {"theirs": "Polls closed", "mine": "Polls shut"}}


def test_withdrawing_needs_a_note_and_the_current_version(live_article, editor):
    entry = post_entry(live_article, user=editor, body="A wrong figure.")
    with pytest.raises(EntryRefused, match="note"):
        withdraw_entry(entry.pk, user=editor, version=entry.version, note=" ")
    with pytest.raises(EntryRefused, match="changed"):
        withdraw_entry(entry.pk, user=editor, version=entry.version - 1, note="Wrong")
    withdraw_entry(entry.pk, user=editor, version=entry.version, note="The figure was wrong.")
    assert not Entry.objects.published().exists()


# The reader's page -----------------------------------------------------------------------


def post_at(article, user, moment, **fields):
    with time_machine.travel(moment, tick=False):
        return post_entry(article, user=user, body=fields.pop("body", "An update."), **fields)


def test_the_page_shows_pinned_key_events_and_entries_newest_first(client, live_article, editor, now):
    old = post_at(live_article, editor, now - timedelta(minutes=30), body="Polls open across Київ.")
    key = post_at(
        live_article, editor, now - timedelta(minutes=20), body="東京でも開票。", title="Count begins", key_event=True
    )
    pinned = post_at(live_article, editor, now - timedelta(minutes=10), body="Our rolling summary.", pinned=True)
    page = client.get(live_article.get_absolute_url()).content.decode()
    assert entry_ids(page) == [pinned.pk, key.pk, old.pk]
    assert page.index('class="live-pinned"') < page.index('class="key-events"') < page.index(f'id="entry-{pinned.pk}"')
    assert f'href="{key.get_absolute_url()}"' in page and "Count begins" in page
    assert "Київ" in page and "東京でも開票。" in page


def test_a_scheduled_entry_appears_at_its_second(client, live_article, editor, now):
    with time_machine.travel(now, tick=False):
        later = post_entry(live_article, user=editor, body="Exit poll at nine.", publish_at=now + timedelta(seconds=5))
        assert later.pk not in entry_ids(client.get(live_article.get_absolute_url()).content.decode())
    with time_machine.travel(now + timedelta(seconds=5), tick=False):
        assert later.pk in entry_ids(client.get(live_article.get_absolute_url()).content.decode())


def test_times_are_in_the_newsrooms_zone_on_new_years_eve(client, live_article, editor, settings):
    zone = ZoneInfo(settings.TIME_ZONE)
    last_second = datetime(timezone.now().year - 1, 12, 31, 23, 59, 59, tzinfo=zone)
    entry = post_at(live_article, editor, last_second, body="Fireworks over the harbour 🎆")
    page = client.get(live_article.get_absolute_url()).content.decode()
    utc = last_second.astimezone(ZoneInfo("UTC"))
    assert f'<time datetime="{utc:%Y-%m-%dT%H:%M:%SZ}">23:59 {last_second.tzname()} · ' in page
    assert "31 December</time>" in page
    assert entry.pk in entry_ids(page)


def test_older_entries_by_pages_without_javascript(client, live_article, editor, now):
    entries = [post_at(live_article, editor, now - timedelta(minutes=50 - n), body=f"Update {n}") for n in range(25)]
    first = client.get(live_article.get_absolute_url()).content.decode()
    assert entry_ids(first) == [entry.pk for entry in reversed(entries)][:20]
    assert '?page=2" rel="next"' in first or 'rel="next" href="' in first
    second = client.get(live_article.get_absolute_url() + "?page=2").content.decode()
    assert entry_ids(second) == [entry.pk for entry in reversed(entries)][20:]
    assert client.get(live_article.get_absolute_url() + "?page=9").status_code == 404


def test_an_entrys_address_opens_its_page_with_its_own_card(client, live_article, editor, now):
    entries = [post_at(live_article, editor, now - timedelta(minutes=50 - n), body=f"Update {n}") for n in range(25)]
    shared = entries[2]
    Entry.objects.filter(pk=shared.pk).update(title="Ballot boxes reach the hall")
    response = client.get(shared.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert shared.pk in entry_ids(page)  # on page 2 of the entries
    assert '<meta property="og:title" content="Ballot boxes reach the hall">' in page
    assert (
        f'<link rel="canonical" href="http://testserver{shared.get_absolute_url()}">'
        in page.replace("https://", "http://")
        or shared.get_absolute_url() in page
    )
    withdraw_entry(shared.pk, user=editor, version=Entry.objects.get(pk=shared.pk).version, note="Duplicate")
    assert client.get(shared.get_absolute_url()).status_code == 404


def test_the_poll_lists_new_removed_and_corrected_entries(client, live_article, editor, now):
    first = post_at(live_article, editor, now - timedelta(minutes=3), body="First")
    second = post_at(live_article, editor, now - timedelta(minutes=2), body="Second")
    answer = client.get(f"/live/{live_article.pk}/since/{first.pk}/").json()
    assert (answer["latest"], answer["count"], entry_ids(answer["entries"])) == (second.pk, 1, [second.pk])
    withdraw_entry(first.pk, user=editor, version=first.version, note="Wrong")
    fixed = edit_entry(second.pk, user=editor, version=second.version, base={"body": "Second"}, changes={"body": "2nd"})
    answer = client.get(f"/live/{live_article.pk}/since/{second.pk}/").json()
    assert answer["count"] == 0 and answer["removed"] == [first.pk]
    assert answer["corrected"][str(second.pk)]["version"] == fixed.version
    assert "Updated" in answer["corrected"][str(second.pk)]["html"]


def test_no_poll_for_a_draft(client, make_article, editor):
    draft = make_article(status="DRAFT", publish_at=None)
    take_step(draft, "start_live", user=editor)
    assert client.get(f"/live/{draft.pk}/since/0/").status_code == 404


# Through the page cache ---------------------------------------------------------------------


def test_the_poll_is_one_cache_hit_between_entries_and_changes_at_the_entrys_second(client, live_article, editor, now):
    with time_machine.travel(now, tick=False):
        had = post_entry(live_article, user=editor, body="Already out.")
        scheduled = post_entry(live_article, user=editor, body="Exit poll.", publish_at=now + timedelta(seconds=5))
        poll = f"/live/{live_article.pk}/since/{had.pk}/"
        page_url = live_article.get_absolute_url()
        assert client.get(poll)["X-Page-Cache"] == "miss"
        assert client.get(page_url)["X-Page-Cache"] == "miss"
        for _ in range(3):
            response = client.get(poll)
            assert response["X-Page-Cache"] == "hit" and response.json()["count"] == 0
        assert client.get(page_url)["X-Page-Cache"] == "hit"
        assert f"live:{live_article.pk}" in client.get(poll).get("Surrogate-Key", f"live:{live_article.pk}")
    with time_machine.travel(now + timedelta(seconds=5), tick=False):
        response = client.get(poll)
        assert response.json()["latest"] == scheduled.pk and response["X-Page-Cache"] == "miss"
        page = client.get(page_url)
        assert scheduled.pk in entry_ids(page.content.decode()) and page["X-Page-Cache"] == "miss"
        # The request that handles the moment keeps its answer under the counter from before the
        # moment's invalidation (pagecache/middleware.py), so one more miss, then hits again.
        assert [client.get(poll)["X-Page-Cache"] for _ in range(3)] == ["miss", "hit", "hit"]


def test_a_withdrawn_entry_leaves_the_cached_page_at_once(client, live_article, editor):
    entry = post_entry(live_article, user=editor, body="Wrong result")
    assert entry.pk in entry_ids(client.get(live_article.get_absolute_url()).content.decode())
    withdraw_entry(entry.pk, user=editor, version=entry.version, note="Wrong")
    assert entry.pk not in entry_ids(client.get(live_article.get_absolute_url()).content.decode())


# The desk ---------------------------------------------------------------------------------


def test_the_desk_posts_without_leaving_the_page(client, live_article, editor):
    client.force_login(editor)
    change = f"/admin/articles/article/{live_article.pk}/change/"
    page = client.get(change).content.decode()
    assert 'id="live-desk"' in page and f'action="/admin/live/entry/desk/{live_article.pk}/"' in page
    response = client.post(
        f"/admin/live/entry/desk/{live_article.pk}/",
        {"body": "Турнаут — 61 %.", "title": "Turnout", "key_event": "on"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    answer = response.json()
    entry = Entry.objects.get(pk=answer["id"])
    assert entry.key_event and entry.is_public() and "Турнаут" in answer["html"]
    assert answer["message"].startswith("Entry published at ")
    # Without the script: back to the article.
    response = client.post(f"/admin/live/entry/desk/{live_article.pk}/", {"body": "Second"})
    assert response.status_code == 302 and response["Location"].endswith(f"{live_article.pk}/change/#live-desk")


def test_the_desk_corrects_withdraws_and_says_why_not(client, live_article, editor):
    client.force_login(editor)
    entry = post_entry(live_article, user=editor, body="Count at 40 %", title="Count")
    url = f"/admin/live/entry/{entry.pk}/desk/"
    edit = {"version": entry.version, "base_title": "Count", "base_body": "Count at 40 %", "title": "Count"}
    answer = client.post(url + "correct/", {**edit, "body": "Count at 45 %"}, HTTP_ACCEPT="application/json").json()
    assert "Updated" in answer["html"] and answer["message"] == "Correction saved."
    stale = client.post(url + "correct/", {**edit, "body": "Count at 50 %"}, HTTP_ACCEPT="application/json")
    assert stale.status_code == 409 and stale.json()["conflicts"]["body"]["theirs"] == "Count at 45 %"
    shown = stale.json()
    assert "<del>40</del>" in shown["conflict_html"] and "<ins>45</ins>" in shown["conflict_html"]
    assert "<ins>50</ins>" in shown["conflict_html"] and shown["current"]["body"] == "Count at 45 %"
    # Saving again from the entry as it is now (what the desk's script puts in the form) keeps mine.
    again = {**edit, "version": shown["version"], "base_body": shown["current"]["body"], "body": "Count at 50 %"}
    answer = client.post(url + "correct/", again, HTTP_ACCEPT="application/json").json()
    assert answer["message"] == "Correction saved." and Entry.objects.get(pk=entry.pk).body == "Count at 50 %"
    refused = client.post(url + "remove/", {"version": answer["version"], "note": ""}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and "note" in refused.json()["error"]
    done = client.post(url + "remove/", {"version": answer["version"], "note": "Wrong"}, HTTP_ACCEPT="application/json")
    assert done.status_code == 200 and Entry.objects.get(pk=entry.pk).status == EntryStatus.WITHDRAWN


def test_a_writer_submits_and_an_editor_publishes_from_the_desk(client, live_article, writer, editor):
    client.force_login(writer)
    response = client.post(
        f"/admin/live/entry/desk/{live_article.pk}/", {"body": "From the count hall"}, HTTP_ACCEPT="application/json"
    )
    entry = Entry.objects.get(pk=response.json()["id"])
    assert entry.status == EntryStatus.SUBMITTED and response.json()["message"] == "Entry submitted for review."
    forged = client.post(
        f"/admin/live/entry/{entry.pk}/desk/publish/", {"version": entry.version}, HTTP_ACCEPT="application/json"
    )
    assert forged.status_code == 400 and not entry.is_public()
    assert client.get(f"/admin/live/entry/desk/{live_article.pk}/").status_code == 200  # the desk page of its own
    client.force_login(editor)
    client.post(
        f"/admin/live/entry/{entry.pk}/desk/publish/", {"version": entry.version}, HTTP_ACCEPT="application/json"
    )
    entry.refresh_from_db()
    assert entry.is_public()


def test_the_entry_list_changes_nothing(client, live_article, editor):
    client.force_login(editor)
    entry = post_entry(live_article, user=editor, body="Read only")
    assert client.get("/admin/live/entry/").status_code == 200
    assert client.get("/admin/live/entry/add/").status_code == 403
    response = client.post(f"/admin/live/entry/{entry.pk}/change/", {"body": "Changed"})
    assert response.status_code == 403 and Entry.objects.get(pk=entry.pk).body == "Read only"


# The demo ---------------------------------------------------------------------------------


def test_the_demo_tells_a_day_of_live_coverage(settings, client, media_root):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("loaddemo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    article = Entry.objects.first().article
    entries = Entry.objects.filter(article=article)
    published = entries.published()
    assert published.count() >= 40 and published.filter(pinned=True).count() == 1
    assert published.filter(key_event=True).count() >= 5 and published.filter(updated_at__isnull=False).count() == 1
    assert entries.filter(status=EntryStatus.WITHDRAWN).count() == 1
    assert published.filter(body__contains="[image:").count() == 2
    first, last = published.order_by("publish_at").first(), published.first()
    assert timedelta(hours=12) < last.publish_at - first.publish_at < timedelta(days=1)
    settings.DEBUG = False
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200 and len(entry_ids(page.content.decode())) == 20


# Machines -----------------------------------------------------------------------------------


def json_ld(page, kind):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return next(data for data in map(json.loads, blocks) if data["@type"] == kind)


def test_live_blog_posting(client, live_article, editor, now, settings):
    key = post_at(
        live_article, editor, now - timedelta(minutes=5), body="Polls *closed*.", title="Polls close", key_event=True
    )
    plain = post_at(live_article, editor, now - timedelta(minutes=1), body="Києве, добрий вечір.")
    data = json_ld(client.get(live_article.get_absolute_url()).content.decode(), "LiveBlogPosting")
    assert data["coverageStartTime"] == live_article.coverage_start.isoformat(timespec="seconds")
    assert "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert [update["url"] for update in updates] == [
        settings.SITE_URL + plain.get_absolute_url(),
        settings.SITE_URL + key.get_absolute_url(),
    ]
    assert updates[1]["headline"] == "Polls close" and "headline" not in updates[0]
    assert updates[1]["articleBody"] == "Polls closed." and updates[0]["articleBody"] == "Києве, добрий вечір."
    assert updates[1]["datePublished"] == key.publish_at.isoformat(timespec="seconds")
    take_step(live_article, "end_live", user=editor)
    data = json_ld(client.get(live_article.get_absolute_url()).content.decode(), "LiveBlogPosting")
    assert "coverageEndTime" in data


def test_the_entries_feed(client, live_article, editor, now):
    import feedparser

    entries = [
        post_at(live_article, editor, now - timedelta(minutes=10 - n), body=f"東京 update {n}") for n in range(3)
    ]
    withdraw_entry(entries[1].pk, user=editor, version=entries[1].version, note="Wrong")
    for path in (f"/live/{live_article.pk}/feed/", f"/live/{live_article.pk}/feed/atom/"):
        response = client.get(path)
        feed = feedparser.parse(response.content)
        assert response.status_code == 200 and not feed.bozo
        assert [item.link.split("/entries/")[1] for item in feed.entries] == [f"{entries[2].pk}/", f"{entries[0].pk}/"]
        assert "東京 update 2" in feed.entries[0].summary


def test_the_sitemap_says_when_the_last_entry_came(client, live_article, editor, now):
    later = now + timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        post_entry(live_article, user=editor, body="Latest")
        after = client.get("/sitemap-articles.xml").content.decode()
    assert f"<lastmod>{timezone.localtime(later).isoformat()}</lastmod>" in after


def test_a_search_result_links_to_the_entry_holding_the_words(client, live_article, editor, now):
    early = post_at(live_article, editor, now - timedelta(minutes=30), body="Явка у Харкові 40 %.")
    late = post_at(live_article, editor, now - timedelta(minutes=5), body="Явка у Харкові вже 61 %.", title="Явка")
    post_at(live_article, editor, now - timedelta(minutes=1), body="Count begins in Lviv.")
    page = client.get("/search/", {"q": "явка харкові"}).content.decode()
    assert f'href="{late.get_absolute_url()}"' in page and early.get_absolute_url() not in page
    assert "In the live coverage" in client.get("/search/", {"q": "Lviv"}).content.decode()
    assert "In the live coverage" not in client.get("/search/", {"q": "harbour"}).content.decode()


def test_the_news_sitemap_keeps_a_running_story_while_entries_come(client, make_article, editor, now):
    """Google News reads the last 48 hours: coverage that started days ago is news while it runs."""
    running = make_article("Повінь на Дністрі: онлайн", publish_at=now - timedelta(days=5))
    quiet = make_article("Storm coverage, ended", publish_at=now - timedelta(days=6))
    with time_machine.travel(now - timedelta(days=4), tick=False):
        for article in (running, quiet):
            take_step(article, "start_live", user=editor)
    post_at(quiet, editor, now - timedelta(days=3), body="Last word.")
    post_at(running, editor, now - timedelta(hours=1), body="Вода спадає.")
    post_entry(running, user=editor, body="Later", publish_at=now + timedelta(hours=1))  # not yet public
    urls = xml_urls(client.get("/news-sitemap.xml").content)
    assert list(urls) == [running.get_absolute_url()]
    assert urls[running.get_absolute_url()] == timezone.localtime(now - timedelta(hours=1)).isoformat()


def xml_urls(content):
    """{path: lastmod} of a sitemap."""
    from urllib.parse import urlsplit
    from xml.etree import ElementTree

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = ElementTree.fromstring(content).findall(f"{ns}url")
    return {urlsplit(url.findtext(f"{ns}loc")).path: url.findtext(f"{ns}lastmod") for url in urls}


def test_the_home_page_label_shows_the_latest_entry(client, live_article, editor, now, make_article):
    assert '<span class="live-label">Live</span>' in client.get("/").content.decode()
    make_article("Ferry timetable changes", publish_at=now - timedelta(seconds=1))  # the lead: coverage is a card
    post_at(live_article, editor, now - timedelta(minutes=1), body="Result", title="Harbour party wins")
    home = client.get("/").content.decode()
    local = timezone.localtime(now - timedelta(minutes=1))
    assert '<span class="live-latest"><time datetime="' in home and f"{local:%a %H:%M}" in home  # the day: cached
    assert "Harbour party wins" in home


def test_the_front_pages_live_lead_lists_its_newest_entries(client, live_article, editor, now):
    """The lead story, when it is live coverage, shows its three newest public entries under it
    (a title, or the start of the text), each linking to its entry; a scheduled one is not shown."""
    post_at(live_article, editor, now - timedelta(minutes=40), body="Polls open.")
    post_at(live_article, editor, now - timedelta(minutes=30), body="Turnout at **noon**: 41 %.")
    titled = post_at(live_article, editor, now - timedelta(minutes=20), body="Details.", title="Count begins")
    newest = post_at(live_article, editor, now - timedelta(minutes=10), body="Перші результати з Києва.")
    post_entry(live_article, user=editor, body="Not yet.", publish_at=now + timedelta(minutes=5))
    home = client.get("/").content.decode()
    updates = home.split('<ul class="live-updates"', 1)[1].split("</ul>", 1)[0]
    assert "Перші результати з Києва." in updates and "Count begins" in updates and "Turnout at noon: 41 %." in updates
    assert "Polls open" not in updates and "Not yet" not in updates and "**" not in updates
    assert f'href="{newest.get_absolute_url()}"' in updates and f'href="{titled.get_absolute_url()}"' in updates


# The content API ---------------------------------------------------------------------------


@pytest.fixture
def api_key():
    from api.models import ApiToken

    return lambda user: {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='wire')[1]}"}


def test_the_api_lists_public_entries(client, live_article, editor, now):
    shown = post_at(live_article, editor, now - timedelta(minutes=1), body="Київ: **light** rain", title="Weather")
    post_entry(live_article, user=editor, body="Later", publish_at=now + timedelta(hours=1))
    answer = client.get(f"/api/v1/articles/{live_article.pk}/entries/").json()
    assert [entry["id"] for entry in answer["results"]] == [shown.pk]
    assert answer["results"][0]["url"].endswith(shown.get_absolute_url())
    assert "<strong>light</strong>" in answer["results"][0]["body_html"]
    assert client.get("/api/v1/articles/999999/entries/").status_code == 404


def test_the_api_posts_through_the_door_once_per_key(client, live_article, editor, writer, api_key):
    editor_key, writer_key = api_key(editor), api_key(writer)
    url = f"/api/v1/staff/articles/{live_article.pk}/entries/"
    sent = {"body": "Wire: 東京 results in", "title": "Tokyo", "key_event": True}
    first = client.post(url, sent, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1", **editor_key)
    again = client.post(url, sent, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1", **editor_key)
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"] and first.json()["status"] == "PUBLISHED"
    other = client.post(
        url, {"body": "Other"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1", **editor_key
    )
    assert other.status_code == 409
    submitted = client.post(url, {"body": "From the hall"}, content_type="application/json", **writer_key)
    assert submitted.status_code == 201 and submitted.json()["status"] == "SUBMITTED"
    pinned = client.post(url, {"body": "Pin", "pinned": True}, content_type="application/json", **writer_key)
    assert pinned.status_code == 400
    refused = client.post(url, {"body": "x", "status": "PUBLISHED"}, content_type="application/json", **writer_key)
    assert refused.status_code == 400
    assert Entry.objects.count() == 2
    listed = client.get(url, **editor_key).json()
    assert {entry["status"] for entry in listed["results"]} == {"PUBLISHED", "SUBMITTED"}


def test_the_api_document_describes_entries(client):
    import yaml

    document = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert (
        "/api/v1/articles/{id}/entries/" in document["paths"] or "/api/v1/articles/{pk}/entries/" in document["paths"]
    )
    staff = next(path for path in document["paths"] if path.startswith("/api/v1/staff/articles/") and "entries" in path)
    assert "post" in document["paths"][staff]


# Search ---------------------------------------------------------------------------------------


def search_finds(client, words, article):
    return f'href="{article.get_absolute_url()}"' in client.get("/search/", {"q": words}).content.decode()


def test_search_finds_a_live_article_by_its_public_entries(client, live_article, editor, now, monkeypatch):
    from search import signals

    reindexed, index_articles = [], signals.index_articles
    monkeypatch.setattr(signals, "index_articles", lambda ids: reindexed.append(set(ids)) or index_articles(ids))
    entry = post_entry(live_article, user=editor, body="Екзит-пол у Харкові: явка висока.", title="Явка")
    assert reindexed == [{live_article.pk}]  # one reindex for the entry and the article it touched
    assert search_finds(client, "Харкові", live_article)
    scheduled = post_entry(live_article, user=editor, body="開票結果は深夜に", publish_at=now + timedelta(minutes=5))
    assert not search_finds(client, "開票結果は深夜に", live_article)  # not before its second
    withdraw_entry(entry.pk, user=editor, version=entry.version, note="Wrong town")
    assert not search_finds(client, "Харкові", live_article)
    with time_machine.travel(now + timedelta(minutes=5, seconds=1)):
        # The first request after its second (any page) handles the moment: found from then on.
        assert client.get("/").status_code == 200
        assert search_finds(client, "深夜", live_article)
    assert Entry.objects.get(pk=scheduled.pk).status == EntryStatus.PUBLISHED


def test_a_writer_reads_public_entries_and_their_own_never_a_colleagues_unpublished_one(
    client, live_article, editor, writer, make_user, now
):
    from api.models import ApiToken

    public = post_entry(live_article, user=editor, body="Дільниці закрито: public-entry.")
    scheduled = post_entry(
        live_article, user=editor, body="出口調査: scheduled-entry.", publish_at=now + timedelta(hours=1)
    )
    colleague = post_entry(live_article, user=make_user("colleague", "Writers"), body="colleague-entry 🗳️")
    own = post_entry(live_article, user=writer, body="own-entry, for review.")
    entries = {"public-entry": public, "scheduled-entry": scheduled, "colleague-entry": colleague, "own-entry": own}
    for who, expected in ((writer, {public, own}), (editor, {public, scheduled, colleague, own})):
        client.force_login(who)
        desk = client.get(f"/admin/live/entry/desk/{live_article.pk}/").content.decode()
        listed = client.get("/admin/live/entry/").content.decode()
        _token, key = ApiToken.issue(user=who, name="desk")
        api = client.get(f"/api/v1/staff/articles/{live_article.pk}/entries/", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert {entry for word, entry in entries.items() if word in desk} == expected, who
        assert {row["id"] for row in api.json()["results"]} == {entry.pk for entry in expected}, who
        assert {entry for entry in entries.values() if f"/admin/live/entry/{entry.pk}/change/" in listed} == expected
