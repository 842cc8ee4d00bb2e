"""One door for an article's content (articles/door.py) and workflow buttons that save what
was typed before the step: through the admin's form, the API and two saves at once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from reversion.models import Version

from api.models import ApiToken
from articles.door import EditConflict, save_content
from articles.models import Action, Article, Status
from articles.workflow import take_step
from tests.test_nothing_lost import change_url, form_data


@pytest.fixture
def draft(make_article, writer):
    return make_article(
        "Київ вночі", status=Status.DRAFT, publish_at=None, created_by=writer, body="Перший абзац.", tags=["Київ"]
    )


def test_submit_pressed_with_unsaved_text_saves_it_first(client, writer, draft):
    client.force_login(writer)
    typed = form_data(client, draft, body="Перший абзац.\n\n新しい段落 — a paragraph typed just now 🌙")
    response = client.post(change_url(draft), {**typed, "_step": "submit"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    assert draft.body.endswith("a paragraph typed just now 🌙")
    assert draft.events.filter(action=Action.SUBMIT).count() == 1
    # The save and the step are one revision each, in order: the typed paragraph is in the one submitted.
    assert "新しい段落" in Version.objects.get_for_object(draft).first().field_dict["body"]


def test_publishing_shows_what_goes_live_then_publishes_what_was_typed(client, editor, writer, draft):
    take_step(draft, "submit", user=writer)
    client.force_login(editor)
    typed = form_data(client, draft, headline="Київ вночі: світло повернулося")
    shown = client.post(change_url(draft), {**typed, "_step": "approve"})
    assert shown.status_code == 200  # asked, not done
    html = shown.content.decode()
    assert "what goes live now" in html and "Київ вночі: світло повернулося" in html
    assert 'name="_confirmed" value="approve"' in html
    draft.refresh_from_db()
    assert (draft.status, draft.headline) == (Status.IN_REVIEW, "Київ вночі")  # nothing saved yet

    confirmed = client.post(change_url(draft), {**typed, "_step": "approve", "_confirmed": "approve"})
    assert confirmed.status_code == 302
    draft.refresh_from_db()
    assert draft.is_live() and draft.headline == "Київ вночі: світло повернулося"


def test_scheduling_on_31_december_keeps_the_typed_time_through_the_confirmation(client, editor, writer, draft):
    take_step(draft, "submit", user=writer)
    client.force_login(editor)
    year = timezone.localtime().year + 1
    typed = form_data(client, draft, deck="Наступного року")
    shown = client.post(change_url(draft), {**typed, "_step_at": "approve", "approve-when": f"{year}-12-31T23:59:59"})
    assert shown.status_code == 200
    assert f'name="_confirmed_when" value="{year}-12-31T23:59:59"' in shown.content.decode()
    client.post(
        change_url(draft),
        {**typed, "_step": "approve", "_confirmed": "approve", "_confirmed_when": f"{year}-12-31T23:59:59"},
    )
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED and draft.deck == "Наступного року"
    local = timezone.localtime(draft.publish_at)
    assert (local.year, local.month, local.day, local.hour, local.minute, local.second) == (year, 12, 31, 23, 59, 59)


def test_a_refused_step_saves_nothing_and_keeps_what_was_typed(client, editor, writer, draft):
    take_step(draft, "submit", user=writer)
    client.force_login(editor)
    past = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    typed = form_data(client, draft, headline="Typed, then refused")
    response = client.post(
        change_url(draft), {**typed, "_step": "approve", "_confirmed": "approve", "_confirmed_when": past}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing is saved" in html and 'value="Typed, then refused"' in html
    draft.refresh_from_db()
    assert (draft.headline, draft.status) == ("Київ вночі", Status.IN_REVIEW)


def test_a_step_the_person_may_not_take_is_refused_with_nothing_saved(client, writer, draft):
    client.force_login(writer)
    typed = form_data(client, draft, headline="A writer tries to publish")
    response = client.post(change_url(draft), {**typed, "_step": "approve", "_confirmed": "approve"})
    assert response.status_code == 200 and "permission" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.headline, draft.status, draft.publish_at) == ("Київ вночі", Status.DRAFT, None)


def test_a_form_posted_without_its_version_overwrites_nothing(client, writer, editor, draft):
    client.force_login(writer)
    typed = form_data(client, draft, body="The writer's old copy.")
    del typed["loaded_version"], typed["base"]
    save_content(draft, {"body": "The editor's fix."}, user=editor, expected_version=draft.version)
    response = client.post(change_url(draft), typed)
    assert response.status_code == 200 and "saved this article at" in response.content.decode()
    draft.refresh_from_db()
    assert draft.body == "The editor's fix."


def test_the_door_refuses_a_stale_version_and_merges_what_does_not_overlap(writer, editor, draft):
    opened = {"headline": draft.headline, "deck": draft.deck, "body": draft.body}
    save_content(draft, {"deck": "Ніч без світла"}, user=editor, expected_version=draft.version)
    stale = draft.version - 1 if draft.version else 0
    with pytest.raises(EditConflict):  # no base: a difference is a question
        save_content(draft, {"headline": "Інший заголовок"}, user=writer, expected_version=stale)
    changed = save_content(
        draft, {**opened, "headline": "Інший заголовок"}, user=writer, expected_version=stale, base=opened
    )
    draft.refresh_from_db()
    assert changed == ["headline"]
    assert (draft.headline, draft.deck) == ("Інший заголовок", "Ніч без світла")


def test_the_door_asks_the_policy(writer, make_user, draft):
    from django.core.exceptions import PermissionDenied

    other = make_user("other-writer", "Writers")
    with pytest.raises(PermissionDenied):
        save_content(draft, {"headline": "Not mine"}, user=other, expected_version=draft.version)
    draft.refresh_from_db()
    assert draft.headline == "Київ вночі"


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_version_at_once_one_wins_the_other_is_asked(make_article, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite takes the whole database's write lock at BEGIN")
    editor = make_user("editor", "Editors")
    article = make_article("Storm over Lviv", body="First.")
    version = article.version
    base = {"headline": "Storm over Lviv"}
    holding, results = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                Article.objects.select_for_update().get(pk=article.pk)  # holds the row while the other arrives
                holding.set()
                second_started.wait(5)
                save_content(
                    article,
                    {"headline": "Storm over Lviv: power back"},
                    user=editor,
                    expected_version=version,
                    base=base,
                )
            results["first"] = "saved"
        finally:
            connections.close_all()

    def second():
        try:
            holding.wait(5)
            second_started.set()
            copy = Article.objects.get(pk=article.pk)
            save_content(copy, {"headline": "Lviv storm passes"}, user=editor, expected_version=version, base=base)
            results["second"] = "saved"
        except EditConflict as conflict:
            results["second"] = conflict.conflicts
        finally:
            connections.close_all()

    second_started = threading.Event()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results["first"] == "saved"
    assert set(results["second"]) == {"headline"}  # asked, not overwritten
    article.refresh_from_db()
    assert article.headline == "Storm over Lviv: power back"


def test_the_api_saves_through_the_door_and_refuses_an_overlapping_stale_save(client, editor, make_article):
    article = make_article("Ferry to Odesa", status=Status.DRAFT, publish_at=None, created_by=editor)
    key = ApiToken.issue(user=editor, name="desk script")[1]
    url = f"/api/v1/staff/articles/{article.pk}/"

    def patch(data):
        return client.patch(url, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert patch({"headline": "Ferry to Odesa resumes", "version": article.version}).status_code == 200
    stale = patch({"headline": "Ferry cancelled", "version": article.version})
    assert stale.status_code == 409 and "headline" in stale.json()["detail"]
    article.refresh_from_db()
    assert article.headline == "Ferry to Odesa resumes"
    assert Version.objects.get_for_object(article).first().revision.comment == "Changed through the API"
