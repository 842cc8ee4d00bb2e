"""Duplicate warnings: a draft very like an article published or scheduled in the last 72 hours."""

from datetime import timedelta

import pytest
from django.urls import reverse

from articles.models import Action, ArticleEvent, Status
from articles.workflow import take_step
from similarity.duplicates import THRESHOLD, similarity

# Rewrites of one story's headline, as two desks might file them.
SAME_STORY = [
    ("Ceasefire talks resume in Geneva", "Ceasefire talks resume in Geneva on Monday"),
    ("Council approves harbour bridge budget", "Harbour bridge budget approved by council"),
    ("Ferry fares to rise by 10% in January", "Ferry fares rise 10 per cent from January"),
    ("Storm closes coastal road near Kestrel Bay", "Coastal road near Kestrel Bay closed by storm"),
    ("Trade dispute: steel tariffs doubled", "Steel tariffs doubled as trade dispute deepens"),
    ("Teachers vote to strike over pay", "Teachers vote for strike over pay"),
]
# The same in the scripts newsrooms write in (Ukrainian, Greek, German, Japanese, Chinese).
SAME_STORY += [
    ("Мер Києва відкрив новий міст через Дніпро", "Новий міст через Дніпро відкрив мер Києва"),
    ("Απεργία στα λιμάνια της Αθήνας σήμερα", "Σήμερα απεργία στα λιμάνια της Αθήνας"),
    ("Bürgermeister eröffnet die neue Brücke in München", "Die neue Brücke in München eröffnet"),
    ("東京湾で新しい橋の開通式", "新しい橋の開通式が東京湾で"),
    ("北京举行新闻发布会", "新闻发布会在北京举行"),
]
# Different stories, most of them from the same running theme: these must not be flagged.
DIFFERENT_STORIES = [
    ("Ceasefire talks resume in Geneva", "Shelling resumes as ceasefire talks stall"),
    ("Ceasefire talks resume in Geneva", "Ceasefire envoy meets refugees at the border"),
    ("Council approves harbour bridge budget", "Council rejects plan for new school"),
    ("Storm closes coastal road near Kestrel Bay", "Kestrel Bay fishermen count storm damage"),
    ("Trade dispute: steel tariffs doubled", "Trade dispute: dairy exporters fear new tariffs"),
    ("Teachers vote to strike over pay", "Nurses vote to accept pay offer"),
    ("Reservoirs fall to a third of capacity", "Hosepipe ban begins on Friday"),
    ("Мер Києва відкрив новий міст через Дніпро", "Мер Одеси закрив порт через шторм"),
    ("東京湾で新しい橋の開通式", "大阪で地下鉄の運賃値上げ"),
]


@pytest.mark.parametrize(("first", "second"), SAME_STORY)
def test_rewrites_of_one_headline_score_above_the_threshold(first, second):
    assert similarity(first, second) >= THRESHOLD
    assert similarity(second, first) >= THRESHOLD


@pytest.mark.parametrize(("first", "second"), DIFFERENT_STORIES)
def test_different_stories_score_below_the_threshold(first, second):
    assert similarity(first, second) < THRESHOLD


def test_the_threshold_separates_the_labelled_pairs_with_a_margin():
    lowest_same = min(similarity(a, b) for a, b in SAME_STORY)
    highest_different = max(similarity(a, b) for a, b in DIFFERENT_STORIES)
    assert highest_different + 0.1 <= THRESHOLD <= lowest_same - 0.1


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def draft(make_article, writer):
    return make_article(
        "Harbour bridge budget approved by council",
        status=Status.DRAFT,
        publish_at=None,
        created_by=writer,
        standfirst="Repairs can start in March.",
    )


def test_editor_is_warned_next_to_the_workflow_buttons_with_a_link(client, editor, draft, make_article, now):
    other = make_article("Council approves harbour bridge budget", publish_at=now - timedelta(hours=30))
    make_article("Council rejects plan for new school", publish_at=now - timedelta(hours=2))
    client.force_login(editor)
    page = client.get(change_url(draft)).content.decode()
    warning = page[page.index('class="duplicate-warning"') : page.index("workflow-actions")]
    assert "Council approves harbour bridge budget" in warning
    assert change_url(other) in warning
    assert "100% alike" in warning
    assert "new school" not in warning


def test_scheduled_articles_count_and_old_ones_do_not(client, editor, draft, make_article, now):
    client.force_login(editor)
    make_article("Council approves harbour bridge budget", publish_at=now - timedelta(hours=73))
    assert "duplicate-warning" not in client.get(change_url(draft)).content.decode()
    make_article("Harbour bridge budget is approved by the council", publish_at=now + timedelta(hours=5))
    assert "duplicate-warning" in client.get(change_url(draft)).content.decode()


def test_a_near_copy_of_the_standfirst_is_flagged(client, editor, draft, make_article, now):
    make_article("Work on the crossing can begin", standfirst="Repairs can start in March.")
    client.force_login(editor)
    page = client.get(change_url(draft)).content.decode()
    assert "Work on the crossing can begin" in page
    assert "standfirst 100% alike" in page


def test_drafts_and_the_article_itself_are_not_duplicates(client, editor, draft, make_article):
    make_article("Council approves harbour bridge budget", status=Status.DRAFT, publish_at=None)
    client.force_login(editor)
    assert "duplicate-warning" not in client.get(change_url(draft)).content.decode()


def test_writer_is_warned_before_submitting_too(client, writer, draft, make_article):
    make_article("Council approves harbour bridge budget")
    client.force_login(writer)
    page = client.get(change_url(draft)).content.decode()
    assert "Possible duplicate" in page
    assert "Submit for review" in page


def test_dismissing_the_warning_is_recorded_and_hides_it(client, editor, draft, make_article):
    other = make_article("Council approves harbour bridge budget")
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_not_duplicate", args=[draft.pk]), {"other": other.pk})
    assert response.status_code == 302
    event = ArticleEvent.objects.get(article=draft, action=Action.NOT_DUPLICATE)
    assert (event.actor, event.other_article) == (editor, other)
    page = client.get(change_url(draft)).content.decode()
    assert "duplicate-warning" not in page
    assert "Duplicate warning dismissed" in page  # in the history
    # A second, different near-copy still warns.
    make_article("Harbour bridge budget approved by the council")
    assert "duplicate-warning" in client.get(change_url(draft)).content.decode()


def test_no_warning_once_approved(client, editor, draft, make_article):
    make_article("Council approves harbour bridge budget")
    take_step(draft, "approve", user=editor)
    client.force_login(editor)
    assert "duplicate-warning" not in client.get(change_url(draft)).content.decode()


def test_someone_who_cannot_edit_the_article_cannot_dismiss(client, make_user, draft, make_article):
    other = make_article("Council approves harbour bridge budget")
    client.force_login(make_user("other-writer", "Writers"))
    response = client.post(reverse("admin:articles_article_not_duplicate", args=[draft.pk]), {"other": other.pk})
    assert response.status_code in (403, 404)
    assert not ArticleEvent.objects.filter(action=Action.NOT_DUPLICATE).exists()


def test_the_form_is_warned_while_typing(client, editor, draft, make_article):
    other = make_article("Council approves harbour bridge budget")
    client.force_login(editor)
    url = reverse("admin:articles_article_suggest_themes")
    found = client.post(url, {"headline": "Council approves the harbour bridge budget"}).json()["duplicates"]
    assert [(d["id"], d["field"]) for d in found] == [(other.pk, "headline")]
    assert found[0]["url"] == change_url(other)
    assert found[0]["similarity"] >= THRESHOLD
    assert client.post(url, {"headline": "Ferry fares rise in January"}).json()["duplicates"] == []
    # Once dismissed for this article, the form stops warning about it.
    client.post(reverse("admin:articles_article_not_duplicate", args=[draft.pk]), {"other": other.pk})
    typed = {"headline": "Council approves the harbour bridge budget", "article": draft.pk}
    assert client.post(url, typed).json()["duplicates"] == []
