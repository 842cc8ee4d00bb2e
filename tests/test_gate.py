"""The one gate: workflow fields change through a step of the WORKFLOW table or not at all,
whatever path a save takes; who may see or change what is decided on the model."""

import ast
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import reversion
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import (
    WORKFLOW,
    Action,
    Article,
    ArticleEvent,
    Effect,
    Recipients,
    Status,
    WorkflowBypass,
    system_gate,
)
from articles.workflow import EFFECTS, take_step
from audit.models import AuditEntry


@pytest.fixture
def live(make_article, editor):
    article = make_article("Bridge reopens", body="Traffic **flows** again.", created_by=editor)
    with reversion.create_revision():
        article.save()
    return article


def state(article):
    return Article.all_objects.filter(pk=article.pk).values("status", "publish_at", "deleted_at", "version").get()


# Every path that is not a step is refused and leaves the article as it was ------------------


def test_a_save_from_the_shell_that_moves_a_workflow_field_raises_and_changes_nothing(live):
    before = state(live)
    for field, value in [("status", Status.DRAFT), ("publish_at", None), ("deleted_at", timezone.now())]:
        article = Article.objects.get(pk=live.pk)
        setattr(article, field, value)
        article.headline = "Changed too"
        with pytest.raises(WorkflowBypass), transaction.atomic():
            article.save()
        assert state(live) == before
        assert Article.objects.get(pk=live.pk).headline == "Bridge reopens"


def test_a_new_article_outside_a_step_is_a_draft(db):
    with pytest.raises(WorkflowBypass):
        Article.objects.create(headline="Straight to the front page", status=Status.APPROVED, publish_at=timezone.now())
    assert not Article.all_objects.exists()
    assert Article.objects.create(headline="A draft").status == Status.DRAFT


def test_queryset_updates_of_workflow_fields_raise(live):
    before = state(live)
    for change in ({"status": Status.WITHDRAWN}, {"publish_at": None}, {"expire_at": timezone.now()}, {"version": 0}):
        with pytest.raises(WorkflowBypass):
            Article.objects.filter(pk=live.pk).update(**change)
    with pytest.raises(WorkflowBypass):
        Article.objects.bulk_update([live], ["status"])
    assert state(live) == before


def test_loaddata_that_would_move_an_article_raises_and_rolls_back(live, tmp_path):
    row = json.loads(
        json.dumps(
            [{"model": "articles.article", "pk": live.pk, "fields": {"headline": "Reloaded", "status": "DRAFT"}}]
        )
    )
    fixture = tmp_path / "old.json"
    fixture.write_text(json.dumps(row))
    before = state(live)
    with pytest.raises(WorkflowBypass):
        call_command("loaddata", str(fixture), verbosity=0)
    assert state(live) == before and Article.objects.get(pk=live.pk).headline == "Bridge reopens"


def test_django_reversions_own_revert_is_refused(live, editor):
    version = Version.objects.get_for_object(live).first()
    take_step(live, "withdraw", user=editor, note="Wrong bridge.")
    before = state(live)
    with pytest.raises(WorkflowBypass), transaction.atomic():
        version.revision.revert(delete=True)
    assert state(live) == before


# Restoring a revision: content only, through the same permission as the change form ----------


def test_restoring_a_revision_brings_back_content_only(client, live, editor):
    old = Version.objects.get_for_object(live).first()
    live.headline, live.body = "Bridge stays shut", "No traffic."
    with reversion.create_revision():
        live.save()
    take_step(live, "withdraw", user=editor, note="Wrong bridge.")
    before = state(live)
    client.force_login(editor)
    url = reverse("admin:articles_article_revision", args=[live.pk, old.pk])
    assert client.post(url).status_code == 302
    live.refresh_from_db()
    assert live.headline == "Bridge reopens" and "<strong>flows</strong>" in live.body_html
    assert live.status == Status.WITHDRAWN and live.publish_at == before["publish_at"]
    assert live.version > before["version"]
    assert live.events.filter(action="revert", actor=editor).exists()
    assert AuditEntry.objects.filter(action="article.revert", actor=editor, target_id=str(live.pk)).exists()


def test_a_writer_cannot_restore_or_read_revisions_of_a_live_article(client, live, writer):
    live.authors.add(live.authors.model.objects.create(name="W", slug="w", user=writer))
    version = Version.objects.get_for_object(live).first()
    client.force_login(writer)
    before = state(live)
    url = reverse("admin:articles_article_revision", args=[live.pk, version.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert state(live) == before


def test_a_revision_of_another_article_is_not_restored(client, live, editor, make_article):
    other = make_article("Other story")
    with reversion.create_revision():
        other.save()
    version = Version.objects.get_for_object(other).first()
    client.force_login(editor)
    url = reverse("admin:articles_article_revision", args=[live.pk, version.pk])
    assert client.post(url).status_code == 404
    assert Article.objects.get(pk=live.pk).headline == "Bridge reopens"


def test_reversions_recover_views_are_gone(client, editor):
    client.force_login(editor)
    assert client.get("/admin/articles/article/recover/", follow=True).status_code == 404
    assert client.post("/admin/articles/article/recover/1/", follow=True).status_code == 404
    changelist = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "recover" not in changelist.lower()


# The table drives everything ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(WORKFLOW))
def test_every_step_records_an_event_and_an_audit_entry(name, make_article, editor, now):
    step = WORKFLOW[name]
    status = sorted(step.sources)[0]
    with system_gate():
        article = make_article(
            status=status,
            publish_at=now + timedelta(hours=1) if status == Status.APPROVED else None,
            deleted_at=now if step.from_bin else None,
            expire_at=now + timedelta(hours=3) if name == "expiry" else None,
            coverage_start=now if name == "end_live" else None,  # live coverage to end (live/)
            created_by=editor,
        )
    when = now + timedelta(hours=2) if step.time else None
    event = take_step(article, name, user=editor, note="Because." if step.note else "", when=when)
    assert event.action == name and event.actor == editor
    assert AuditEntry.objects.filter(action=f"article.{name}", target_id=str(article.pk), actor=editor).exists()
    if step.target:
        assert article.status == step.target


def test_a_step_added_to_the_table_gets_its_button_and_its_guarded_view(client, editor, make_article, monkeypatch):
    from articles.models import Step

    monkeypatch.setitem(
        WORKFLOW,
        "spike",
        Step("spike", "Spike it", "spiked", frozenset({Status.IN_REVIEW}), Status.DRAFT, "articles.publish_article"),
    )
    article = make_article(status=Status.IN_REVIEW, publish_at=None)
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "Spike it" in page
    assert client.post(reverse("admin:articles_article_transition", args=[article.pk, "spike"])).status_code == 302
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.events.filter(action="spike").exists()


def test_a_refused_step_answers_403_and_changes_nothing(client, writer, live):
    client.force_login(writer)
    before = state(live)
    for name in WORKFLOW:
        response = client.post(reverse("admin:articles_article_transition", args=[live.pk, name]), {"note": "x"})
        assert response.status_code in (403, 404), name
    assert state(live) == before and not ArticleEvent.objects.filter(article=live).exists()


def test_bulk_actions_come_from_the_table_and_go_through_the_gate(client, editor, writer, make_article):
    drafts = [make_article(f"Draft {n}", status=Status.DRAFT, publish_at=None, created_by=writer) for n in range(2)]
    live = make_article("Already live")
    changelist = reverse("admin:articles_article_changelist")
    client.force_login(writer)
    page = client.get(changelist).content.decode()
    assert 'value="step_submit"' in page and 'value="step_approve"' not in page
    selected = {"_selected_action": [a.pk for a in [*drafts, live]], "index": "0"}
    client.post(changelist, {**selected, "action": "step_approve"})
    assert not Article.objects.filter(pk__in=[a.pk for a in drafts], status=Status.APPROVED).exists()
    client.force_login(editor)
    response = client.post(changelist, {**selected, "action": "step_approve"}, follow=True)
    assert Article.objects.filter(pk__in=[a.pk for a in drafts], status=Status.APPROVED).count() == 2
    assert "Not approved: “Already live”" in response.content.decode()
    assert all(AuditEntry.objects.filter(action="article.approve", target_id=str(a.pk)).exists() for a in drafts)


def test_bulk_create_outside_a_step_makes_drafts_only(db, now):
    with pytest.raises(WorkflowBypass):
        Article.objects.bulk_create([Article(headline="Live at once", status=Status.APPROVED, publish_at=now)])
    assert not Article.all_objects.exists()
    Article.objects.bulk_create([Article(headline="A draft", slug="a-draft")])
    assert Article.objects.get().status == Status.DRAFT


# Everything about a step is in its table entry -------------------------------------------------

STEP_NAMES = set(WORKFLOW)
TABLE_OWNER = Path(__file__).resolve().parent.parent / "articles" / "models.py"


def step_names_written_in(path):
    """Where a Python file spells a step's name: a string that is one, or `Action.<NAME>`.
    The WORKFLOW table itself (an assignment in articles/models.py) is where they belong."""
    tree = ast.parse(path.read_text(), str(path))
    table = set()
    if path == TABLE_OWNER:
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "WORKFLOW" for t in node.targets):
                table = {id(inner) for inner in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in table:
            continue
        if isinstance(node, ast.Constant) and node.value in STEP_NAMES:
            yield f"{path.name}:{node.lineno} {node.value!r}"
        if (
            isinstance(node, ast.Attribute)
            and getattr(node.value, "id", "") == "Action"
            and node.attr.lower() in STEP_NAMES
        ):
            yield f"{path.name}:{node.lineno} Action.{node.attr}"


def test_no_step_name_is_written_outside_the_table():
    root = TABLE_OWNER.parent.parent
    found = [
        spelled
        for folder in ("articles", "api", "wordpress")
        for path in sorted((root / folder).rglob("*.py"))
        if "migrations" not in path.parts
        for spelled in step_names_written_in(path)
    ]
    # In templates: a step's name quoted inside a tag or a variable ({% if step.name == 'approve' %}).
    names = "|".join(STEP_NAMES)
    quoted = re.compile(r"""\{[%{][^}]*?['"](""" + names + r""")['"][^}]*?[%}]\}""")
    for path in sorted((root / "templates").rglob("*.html")):
        found += [f"{path.name} {match.group(0)}" for match in quoted.finditer(path.read_text())]
    assert found == []


def test_the_check_above_finds_a_step_name_spelled_again(tmp_path):
    spelled = tmp_path / "spelled.py"
    spelled.write_text('if name == "approve" or event.action == Action.RECALL:\n    pass\n')
    assert len(list(step_names_written_in(spelled))) == 2


def test_every_event_of_a_step_is_named_by_its_table_entry():
    assert {name: Action(name).label for name in WORKFLOW} == {
        name: step.history or step.done.capitalize() for name, step in WORKFLOW.items()
    }
    assert set(EFFECTS) == set(Effect)


def test_a_recalled_submission_says_so_in_the_history_and_on_the_desk(client, writer, make_article):
    article = make_article("Ферзь у порту", status=Status.DRAFT, publish_at=None, created_by=writer)
    client.force_login(writer)
    for step in ("submit", "recall"):
        assert client.post(reverse("admin:articles_article_transition", args=[article.pk, step])).status_code == 302
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "<strong>Recalled to draft</strong>" in page and "<strong>recall</strong>" not in page
    desk = client.get(reverse("admin:index")).content.decode()
    assert "Recalled to draft: <a" in desk and "recall: <a" not in desk


@pytest.mark.parametrize("name", [name for name, step in WORKFLOW.items() if Effect.MAIL in step.effects])
def test_every_step_that_mails_says_what_its_entry_says(
    name, make_article, make_author, make_user, editor, now, django_capture_on_commit_callbacks
):
    from django.core import mail

    step = WORKFLOW[name]
    writer = make_user("mykola", "Writers")
    status = sorted(step.sources)[0]
    article = make_article(
        "Ліхтарі на набережній 🌙",
        status=status,
        publish_at=now + timedelta(hours=1) if status == Status.APPROVED else None,
        authors=[make_author("Mykola", user=writer)],
        coverage_start=now if name == "end_live" else None,  # live coverage to end (live/)
    )
    with django_capture_on_commit_callbacks(execute=True):
        take_step(
            article,
            name,
            user=writer if step.permits(writer, article) else editor,
            note="Тому що.",
            when=(now + timedelta(hours=2) if step.time else None),
        )
    to = ["editor@newsroom.test"] if step.mail_to == Recipients.REVIEWERS else ["mykola@newsroom.test"]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (to, f"[{settings.SITE_NAME}] {step.mail_subject}: Ліхтарі на набережній 🌙")
    ]


def test_bulk_steps_are_offered_to_who_may_take_them_and_say_what_they_did(client, editor, writer, make_article):
    from articles.permissions import article_policy

    changelist = reverse("admin:articles_article_changelist")
    for user in (editor, writer):
        client.force_login(user)
        page = client.get(changelist).content.decode()
        offered = {name for name in WORKFLOW if f'value="step_{name}"' in page}
        assert offered == {
            name
            for name, step in WORKFLOW.items()
            if step.bulk and not step.from_bin and article_policy.user_has_permission(user, name)
        }
        assert 'value="delete_selected"' not in page
    assert "recall" not in offered  # an editor is offered no recall that refuses every article
    drafts = [make_article(f"Чернетка {n}", status=Status.DRAFT, publish_at=None) for n in (1, 2)]
    client.force_login(editor)
    selected = {"_selected_action": [a.pk for a in drafts], "index": "0"}
    into_bin = next(name for name, step in WORKFLOW.items() if step.into_bin)
    page = client.post(changelist, {**selected, "action": f"step_{into_bin}"}, follow=True).content.decode()
    assert "Moved 2 articles to the bin." in page and "Successfully" not in page
    assert not Article.objects.filter(pk__in=[a.pk for a in drafts]).exists()
    bin_list = reverse("admin:articles_articleinbin_changelist")
    out_of_bin = next(name for name, step in WORKFLOW.items() if step.from_bin)
    page = client.post(bin_list, {**selected, "action": f"step_{out_of_bin}"}, follow=True).content.decode()
    assert "Restored 2 articles from the bin." in page
    assert Article.objects.filter(pk__in=[a.pk for a in drafts]).count() == 2
    assert 'value="purge"' not in client.get(bin_list).content.decode()


def test_the_api_offers_the_steps_its_table_entries_offer(client, editor, make_article):
    from api.models import ApiToken

    _token, key = ApiToken.issue(user=editor, name="desk")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listed = [step["step"] for step in client.get("/api/v1/staff/workflow/", **auth).json()]
    assert listed == [name for name, step in WORKFLOW.items() if step.api]
    article = make_article("У кошику", status=Status.DRAFT, publish_at=None)
    for name in set(WORKFLOW) - set(listed):
        url = f"/api/v1/staff/articles/{article.pk}/steps/"
        assert client.post(url, {"step": name}, content_type="application/json", **auth).status_code == 400
