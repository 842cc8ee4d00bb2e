"""The editorial desk: queues, recent activity, the week's schedule, the article list."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Status
from articles.workflow import take_step

NOON = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Helsinki


@pytest.fixture
def desk(make_article, writer, editor):
    with time_machine.travel(NOON, tick=False):
        submitted = make_article("Ferry fares rise", status=Status.DRAFT, publish_at=None, created_by=writer)
        take_step(submitted, "submit", user=writer)
        scheduled = make_article("Bridge reopens", status=Status.DRAFT, publish_at=None, created_by=writer)
        take_step(scheduled, "approve", user=editor, when=NOON + timedelta(days=1))
        expiring = make_article("Road closed", publish_at=NOON - timedelta(days=1), expire_at=NOON + timedelta(days=2))
    return {"submitted": submitted, "scheduled": scheduled, "expiring": expiring}


def test_a_writer_sees_what_they_submitted_and_may_recall_it(client, writer, desk):
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        client.force_login(writer)
        page = client.get(reverse("admin:index")).content.decode()
        section = page.split('id="my-in-review"')[1].split("</ul>")[0]
        assert "Ferry fares rise" in section
        article = desk["submitted"]
        change = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
        assert "Recall to draft" in change
        client.post(reverse("admin:articles_article_transition", args=[article.pk, "recall"]))
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_recent_activity_lists_workflow_steps_the_user_may_see(client, editor, writer, desk):
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    activity = page.split('id="recent-activity"')[1].split("</ul>")[0]
    assert "Submitted for review" in activity and "Ferry fares rise" in activity and "Approved" in activity


def test_the_week_shows_what_goes_live_and_leaves_and_moves_it_through_the_gate(client, editor, writer, desk):
    calendar = reverse("admin:articles_article_calendar")
    with time_machine.travel(NOON, tick=False):
        client.force_login(editor)
        page = client.get(calendar, {"week": "2026-12-02"}).content.decode()
        assert "Goes live 12:00 EET" in page and "Bridge reopens" in page
        assert "Leaves the site 12:00 EET" in page and "Road closed" in page
        scheduled = desk["scheduled"]
        response = client.post(
            reverse("admin:articles_article_transition", args=[scheduled.pk, "reschedule"]),
            {"when": "2026-12-04T08:30", "back": "calendar", "week": "2026-11-30"},
        )
        assert response.status_code == 302 and response["Location"] == f"{calendar}?week=2026-11-30"
        scheduled.refresh_from_db()
        assert timezone.localtime(scheduled.publish_at).strftime("%a %H:%M") == "Fri 08:30"
        client.force_login(writer)  # the writer sees the schedule of their own articles, and cannot move it
        page = client.get(calendar, {"week": "2026-12-02"}).content.decode()
        assert "Bridge reopens" in page and "Road closed" not in page and "Move to" not in page
        assert client.get(calendar, {"week": "not-a-date"}).status_code == 200


def test_the_list_shows_bylines_a_link_to_the_live_page_and_finds_words_in_the_body(
    client, editor, make_article, make_author
):
    make_article("Harbour dredging", body="The **silt** is gone.", authors=[make_author("Ana Reyes")])
    client.force_login(editor)
    changelist = reverse("admin:articles_article_changelist")
    page = client.get(changelist).content.decode()
    assert "Ana Reyes" in page and ">View</a>" in page
    assert "Harbour dredging" in client.get(changelist, {"q": "silt"}).content.decode()
    assert "Harbour dredging" not in client.get(changelist, {"q": "sand"}).content.decode()


def test_the_list_searches_through_the_search_index(client, editor, writer, make_article, make_author):
    dredging = make_article("Harbour dredging", body="The silt is gone.", authors=[make_author("Ana Reyes")])
    dredging.tags.add("waterfront")
    make_article("Council budget", body="Silted drains.", status=Status.DRAFT, publish_at=None)
    make_article("Ferry timetable", body="Winter silt.", status=Status.DRAFT, publish_at=None, created_by=writer)
    changelist = reverse("admin:articles_article_changelist")

    def found(query):
        answer = client.get(changelist, {"q": query})
        assert answer.status_code == 200
        return {
            headline
            for headline in ("Harbour dredging", "Council budget", "Ferry timetable")
            if headline in answer.content.decode()
        }

    client.force_login(editor)
    # Stemmed words, tags, bylines and phrases, as readers' search finds them; drafts included.
    assert found("silt") == {"Harbour dredging", "Council budget", "Ferry timetable"}
    assert found("waterfront") == found("Reyes") == {"Harbour dredging"}
    assert found('"silt is gone"') == found("silt -winter -drains") == {"Harbour dredging"}
    assert found("dredg") == {"Harbour dredging"}  # part of a headline, as typed
    for hostile in ('"', "-", "or", "'; drop table", "a" * 5000):
        found(hostile)
    client.force_login(writer)
    assert found("silt") == {"Ferry timetable"}


def test_a_new_article_starts_with_the_writers_own_byline(client, writer, editor, make_author):
    make_author("Wren Hale", user=writer)
    client.force_login(writer)
    assert (
        '<option value="'
        in client.get(reverse("admin:articles_article_add"))
        .content.decode()
        .split('name="bylines-0-author"')[1]
        .split("</select>")[0]
    )
    client.force_login(editor)  # an editor without an author of their own starts with an empty byline
    assert "Wren Hale" not in client.get(reverse("admin:articles_article_add")).content.decode()


def test_moving_an_article_to_the_bin_from_its_page_returns_to_the_list_with_an_undo(client, editor, make_article):
    article = make_article("Ferry timetable for Київ route", status=Status.DRAFT)
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_transition", args=[article.pk, "delete"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:articles_article_changelist")
    page = response.content.decode()
    assert "Moved to the bin “Ferry timetable for Київ route”" in page and ">Undo</button>" in page
    undo = page.split('class="inline-undo"')[0].rsplit("<form", 1)[1]
    assert reverse("admin:articles_articleinbin_changelist") in undo
    client.post(
        reverse("admin:articles_articleinbin_changelist"), {"action": "step_undelete", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.deleted_at is None and article.status == Status.DRAFT


def test_the_history_names_what_a_person_changed_not_the_forms_bookkeeping(client, writer, make_article):
    from django.contrib.admin.models import LogEntry

    from articles.models import Byline

    article = make_article("Night buses", status=Status.DRAFT, created_by=writer)
    client.force_login(writer)
    change = reverse("admin:articles_article_change", args=[article.pk])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        form = client.get(change).context["adminform"].form
        data = {name: form[name].value() or "" for name in form.fields}
        data.update(body="Night buses return on Friday.", tags="")
        data |= {"bylines-TOTAL_FORMS": "0", "bylines-INITIAL_FORMS": "0", "bylines-MIN_NUM_FORMS": "0"}
        clock.shift(90)  # the writer typed for a minute and a half: the base was signed seconds ago
        assert client.post(change, data).status_code == 302
    assert not Byline.objects.filter(article=article).exists()
    assert (
        LogEntry.objects.filter(object_id=str(article.pk)).latest("action_time").get_change_message() == "Changed Body."
    )


def new_article_form(**typed):
    """The add form as posted: the content typed, no bylines yet (the writer's own is added)."""
    return {
        "headline": "Нічний пором до Одеси ⛴️",
        "deck": "",
        "standfirst": "Перший рейс у неділю.",
        "body": "東京からの観光客も.",
        "tags": "Київ, 東京",
        "slug": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        **typed,
    }


def test_a_writer_submits_a_new_article_as_it_is_first_saved(client, writer, editor, make_author):
    make_author("Wren Hale", user=writer)
    client.force_login(writer)
    add = reverse("admin:articles_article_add")
    assert "Submit for review" in client.get(add).content.decode()
    response = client.post(add, new_article_form(_step="submit"))
    article = Article.objects.get(headline="Нічний пором до Одеси ⛴️")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])
    assert article.status == Status.IN_REVIEW and article.created_by == writer
    assert [author.name for author in article.byline] == ["Wren Hale"]
    assert sorted(article.tags.names()) == ["Київ", "東京"]


def test_a_new_article_cannot_be_published_by_a_writer_by_crafting_the_press(client, writer):
    client.force_login(writer)
    for step in ("approve", "reschedule", "withdraw", "nonsense"):
        response = client.post(reverse("admin:articles_article_add"), new_article_form(_step=step))
        assert response.status_code == 200 and "Nothing is saved" in response.content.decode(), step
    assert not Article.all_objects.exists()


def test_an_editors_new_article_is_published_in_one_press_after_seeing_what_goes_live(client, editor):
    client.force_login(editor)
    add = reverse("admin:articles_article_add")
    page = client.get(add).content.decode()
    assert "Submit for review" in page and "Approve &amp; publish now" in page and "Move to the bin" not in page
    asked = client.post(add, new_article_form(_step="approve"))
    assert asked.status_code == 200 and "what goes live now" in asked.content.decode()
    assert not Article.all_objects.exists()  # nothing saved before the confirmation
    client.post(add, new_article_form(_step="approve", _confirmed="approve", _confirmed_when=""))
    article = Article.objects.get(headline="Нічний пором до Одеси ⛴️")
    assert article.is_live() and sorted(article.tags.names()) == ["Київ", "東京"]
