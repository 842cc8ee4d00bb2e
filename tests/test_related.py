""" "Related" for articles without a theme: precomputed, live-only, a fixed number of queries."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Status, system_gate


def approve(client, article):
    response = client.post(reverse("admin:articles_article_transition", args=[article.pk, "approve"]))
    assert response.status_code == 302
    article.refresh_from_db()
    return article


def related_section(page):
    if 'id="related-heading"' not in page:
        return ""
    start = page.index('id="related-heading"')
    return page[start : page.index("</aside>", start)]


@pytest.fixture
def orphan(make_article):
    """A theme-less draft about the lighthouse, tagged like two older live stories."""
    return make_article(
        "Lighthouse keepers relight the old lamp",
        standfirst="The lamp on the headland shines again after forty years.",
        body="Volunteers restored the lighthouse lens and the lamp.",
        status=Status.DRAFT,
        publish_at=None,
        tags=["lighthouse", "heritage"],
    )


def test_a_theme_less_article_shows_related_live_stories(client, editor, orphan, make_article, now):
    lens = make_article("Lighthouse lens goes back on the headland", tags=["lighthouse"])
    museum = make_article("Museum opens a heritage trail", tags=["heritage"], body="Old buildings on the coast.")
    unrelated = make_article("Council sets the parking charges", body="Parking costs more from June.")
    client.force_login(editor)
    approve(client, orphan)
    client.logout()
    page = client.get(orphan.get_absolute_url()).content.decode()
    section = related_section(page)
    assert "More on" not in page
    assert lens.headline in section and museum.headline in section
    assert unrelated.headline not in section
    assert section.index(lens.headline) < section.index(museum.headline)  # most alike first


def test_without_shared_tags_the_words_decide(client, editor, make_article):
    """Stories are alike when they share what they are about, not a word in passing."""
    drought = make_article(
        "Hosepipe ban as the reservoirs fall",
        standfirst="The council said reservoirs are at their lowest in decades.",
        body="Farmers and gardeners face a **hosepipe** ban; the <em>reservoirs</em> are a third full.",
        status=Status.DRAFT,
        publish_at=None,
    )
    reservoirs = make_article(
        "Reservoir levels keep falling in the heat",
        standfirst="Water companies warn that a hosepipe ban may follow.",
        body="The reservoirs on the moor are lower than at any time since 1976.",
    )
    parking = make_article(
        "Parking will cost more from June",
        standfirst="The council said the charges rise by a third.",
        body="The money pays for the buses, drivers said.",
    )
    client.force_login(editor)
    approve(client, drought)
    assert drought.related_ids == [reservoirs.pk]
    assert parking.pk not in drought.related_ids
    client.logout()
    assert reservoirs.headline in related_section(client.get(drought.get_absolute_url()).content.decode())


def test_without_shared_tags_japanese_words_decide_too(client, editor, make_article):
    """Japanese writes no spaces: its words are found as pairs of neighbouring characters."""
    bridge = make_article(
        "新しい橋の開通式が行われた",
        body="東京湾の新しい橋は来月から通行できる。",
        status=Status.DRAFT,
        publish_at=None,
    )
    opening = make_article("東京湾の橋、来月開通へ", body="新しい橋の工事が終わった。")
    fares = make_article("地下鉄の運賃が上がる", body="大阪の地下鉄は四月から値上げする。")
    client.force_login(editor)
    approve(client, bridge)
    assert bridge.related_ids == [opening.pk] and fares.pk not in bridge.related_ids


def test_related_is_live_only(client, editor, orphan, make_article, now):
    shown = make_article("Lighthouse lamp test lit tonight", tags=["lighthouse"])
    later = make_article("Lighthouse tours start in spring", tags=["lighthouse"], publish_at=now + timedelta(days=2))
    gone = make_article("Lighthouse keeper retires", tags=["lighthouse"])
    expiring = make_article("Lighthouse open day", tags=["lighthouse"], expire_at=now + timedelta(hours=1))
    client.force_login(editor)
    approve(client, orphan)
    assert {shown.pk, later.pk, gone.pk, expiring.pk} <= set(orphan.related_ids)
    with system_gate():  # withdrawn, as a fixture
        Article.objects.filter(pk=gone.pk).update(status=Status.WITHDRAWN)
    client.logout()
    with time_machine.travel(now + timedelta(hours=2)):
        section = related_section(client.get(orphan.get_absolute_url()).content.decode())
    assert shown.headline in section
    for hidden in (later, gone, expiring):
        assert hidden.headline not in section
    with time_machine.travel(now + timedelta(days=3)):
        assert later.headline in related_section(client.get(orphan.get_absolute_url()).content.decode())


def warm_up(client):
    """What every server has done before the measured request: the navigation cached, and the page
    cache's look at the schedule after the last change. The first home page may itself record a
    changed navigation (an invalidation), so a second request makes that look once more."""
    client.get("/")
    client.get("/")


def test_related_costs_a_fixed_number_of_queries(client, editor, orphan, make_article, django_assert_max_num_queries):
    make_article("Lighthouse lamp test lit tonight", tags=["lighthouse"])
    client.force_login(editor)
    approve(client, orphan)
    client.logout()
    warm_up(client)
    with django_assert_max_num_queries(4):
        small = client.get(orphan.get_absolute_url())
    assert related_section(small.content.decode()).count("<li>") == 1
    for n in range(15):
        make_article(f"Lighthouse story {n} from the headland", tags=["lighthouse", "heritage"])
    client.force_login(editor)
    orphan.refresh_from_db()
    with system_gate():  # back to a draft, as a fixture
        Article.objects.filter(pk=orphan.pk).update(status=Status.DRAFT, publish_at=None)
    approve(client, orphan)
    client.logout()
    # One instant: a second turning between the warm-up and the page would make the page cache
    # look at the schedule again (a query per schedule hook), which is not what is measured here.
    with time_machine.travel(timezone.now(), tick=False):
        warm_up(client)
        with django_assert_max_num_queries(4):
            large = client.get(orphan.get_absolute_url())
    assert 'id="related-heading"' in large.content.decode()
    assert related_section(large.content.decode()).count("<li>") == 5


def test_an_article_with_a_theme_keeps_more_on_theme(client, editor, make_theme, make_article):
    lights = make_theme("Coast lights")
    make_article("Lighthouse lamp test lit tonight", tags=["lighthouse"], theme=lights)
    themed = make_article("Lighthouse keepers count ships", tags=["lighthouse"], theme=lights, status=Status.DRAFT)
    client.force_login(editor)
    approve(client, themed)
    assert themed.related_ids == []
    page = client.get(themed.get_absolute_url()).content.decode()
    assert "More on Coast lights" in page
    assert 'id="related-heading"' not in page


def test_going_live_on_schedule_works_out_related_stories(client, editor, make_article, now):
    with time_machine.travel(now - timedelta(days=1)):
        scheduled = make_article("Lighthouse ball at the harbour", tags=["lighthouse"], publish_at=now)
    lamp = make_article("Lighthouse lamp test lit tonight", tags=["lighthouse"])
    assert scheduled.related_ids == []
    with time_machine.travel(now + timedelta(minutes=1)):
        call_command("publish_scheduled", stdout=StringIO())
        page = client.get(scheduled.get_absolute_url()).content.decode()
    assert lamp.headline in related_section(page)


def test_an_older_story_shows_a_newer_one_like_it_once_that_goes_live(client, editor, orphan, make_article):
    older = make_article("Lighthouse lamp test lit tonight", tags=["lighthouse"], body="The lamp and the lens.")
    assert related_section(client.get(older.get_absolute_url()).content.decode()) == ""  # and now cached
    client.force_login(editor)
    approve(client, orphan)
    client.logout()
    older.refresh_from_db()
    assert orphan.pk in older.related_ids
    assert orphan.headline in related_section(client.get(older.get_absolute_url()).content.decode())


def test_a_page_cached_before_the_schedule_job_ran_gets_the_new_related_story(client, make_article, now):
    older = make_article("Lighthouse lamp test lit tonight", tags=["lighthouse"], body="The lamp and the lens.")
    with time_machine.travel(now - timedelta(days=1)):
        scheduled = make_article("Lighthouse ball at the harbour", tags=["lighthouse"], publish_at=now)
    with time_machine.travel(now + timedelta(seconds=5)):
        assert related_section(client.get(older.get_absolute_url()).content.decode()) == ""  # cached
        call_command("publish_scheduled", stdout=StringIO())
        assert scheduled.headline in related_section(client.get(older.get_absolute_url()).content.decode())
