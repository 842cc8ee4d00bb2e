"""Revisions, edit conflicts, previews, share links, corrections, updates and the bin."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from reversion.models import Version

from articles.models import Action, Article, ArticleInBin, Correction, Status
from articles.structured_data import modified_time
from articles.workflow import take_step
from audit.models import AuditEntry


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(client, article, url=None, **changes):
    """The article's change form as the admin would post it, with `changes` typed in."""
    page = client.get(url or change_url(article))
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name not in ("expire_at", "significant_update")}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["tags"] = ", ".join(t.name for t in article.tags.all())
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.formset.forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(formset.formset.initial_form_count())
        for index, inline_form in enumerate(formset.formset.forms):
            for name in inline_form.fields:
                value = inline_form[name].value()
                data[f"{prefix}-{index}-{name}"] = "" if value is None else value
    data.update(changes)
    return data


@pytest.fixture
def story(make_article, make_author):
    return make_article(
        "Ferry strike ends",
        body="Crews return on Monday.",
        authors=[make_author("Ana Reyes", slug="ana")],
        tags=["transport"],
    )


def test_edits_to_different_fields_merge_without_a_question(client, make_user, story):
    maria = make_user("maria", "Editors", first_name="Maria", last_name="Lind")
    jon = make_user("jon", "Editors")
    client.force_login(maria)
    marias_form = form_data(client, story, deck="Nine days of talks")
    jons = client.__class__()
    jons.force_login(jon)
    jons_form = form_data(jons, story, body="Crews return on Monday at 06:00.")
    assert client.post(change_url(story), marias_form).status_code == 302
    assert jons.post(change_url(story), jons_form).status_code == 302  # no question: nothing overlaps
    story.refresh_from_db()
    assert (story.deck, story.body) == ("Nine days of talks", "Crews return on Monday at 06:00.")


def test_both_changing_the_headline_asks_the_second_with_both_shown(client, make_user, story):
    maria = make_user("maria", "Editors", first_name="Maria", last_name="Lind")
    jon = make_user("jon", "Editors")
    client.force_login(maria)
    marias_form = form_data(client, story, headline="Ferry strike ends after nine days", deck="Talks won")
    jons = client.__class__()
    jons.force_login(jon)
    jons_form = form_data(jons, story, headline="Ferry crews back at work", body="Crews return at 06:00.")

    assert client.post(change_url(story), marias_form).status_code == 302
    response = jons.post(change_url(story), jons_form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maria Lind saved this article at" in html
    conflict = html.split('class="conflict"')[1].split("</section>")[0]
    conflict = strip_tags(re.sub(r"<del>.*?</del>", "", conflict))  # each side as it reads, words marked
    assert "Ferry strike ends after nine days" in conflict and "Ferry crews back at work" in conflict
    assert "Talks won" not in conflict and "06:00" not in conflict  # only what both changed is a question
    story.refresh_from_db()
    assert story.headline == "Ferry strike ends after nine days" and story.body == "Crews return on Monday."

    # Jon keeps Maria's headline; his body and her deck both stay: saving again reverts nothing.
    form = response.context["adminform"].form
    again = {name: form[name].value() for name in ("loaded_version", "base", "theirs", "headline", "deck", "body")}
    again = {**jons_form, **{k: "" if v is None else v for k, v in again.items()}, "resolve-headline": "theirs"}
    assert jons.post(change_url(story), again).status_code == 302
    story.refresh_from_db()
    assert story.headline == "Ferry strike ends after nine days"
    assert (story.deck, story.body) == ("Talks won", "Crews return at 06:00.")


def test_others_see_who_is_editing_only_while_their_form_holds_changes(client, make_user, story):
    maria = make_user("maria", "Editors", first_name="Maria", last_name="Lind")
    jon = make_user("jon", "Editors")
    client.force_login(maria)
    client.get(change_url(story))  # only looking
    client.force_login(jon)
    assert "Being edited by" not in client.get(change_url(story)).content.decode()
    client.force_login(maria)
    client.post(reverse("admin:articles_article_editing", args=[story.pk]))  # her form has changes
    client.force_login(jon)
    html = client.get(change_url(story)).content.decode()
    assert re.search(r"Being edited by Maria Lind since \w{3} \d+ \w{3} \d{4}, \d\d:\d\d \w+", html)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert "Being edited by" not in client.get(change_url(story)).content.decode()
    client.force_login(maria)
    client.post(change_url(story), form_data(client, story, deck="Saved"))  # saved: nothing pending
    client.force_login(jon)
    assert "Being edited by" not in client.get(change_url(story)).content.decode()


def test_every_save_keeps_a_revision_that_can_be_compared_and_restored(admin_client, story):
    admin_client.post(change_url(story), form_data(admin_client, story, headline="Ferry strike ends, talks go on"))
    admin_client.post(
        change_url(story), form_data(admin_client, story, headline="Ferry strike over", tags="transport, unions")
    )
    versions = list(Version.objects.get_for_object(story).order_by("pk"))
    assert len(versions) == 2
    history = admin_client.get(reverse("admin:articles_article_history", args=[story.pk])).content.decode()
    assert "compare" in history.lower()
    compare = admin_client.get(
        reverse("admin:articles_article_compare", args=[story.pk]),
        {"version_id1": versions[0].pk, "version_id2": versions[1].pk},
    ).content.decode()
    assert "<del>ends, talks go on</del><ins>over</ins>" in compare
    assert "Added: <ins>unions</ins>" in compare

    revision_url = reverse("admin:articles_article_revision", args=[story.pk, versions[0].pk])
    asked = admin_client.get(revision_url).content.decode()
    assert "Ferry strike over" in asked and "Ferry strike ends, talks go on" in asked  # now, and in the revision
    version_before = Article.objects.get(pk=story.pk).version
    assert admin_client.post(revision_url).status_code == 302
    story.refresh_from_db()
    assert story.headline == "Ferry strike ends, talks go on"
    assert story.version > version_before and "<p>" in story.body_html  # a new save: derived fields made again
    assert Version.objects.get_for_object(story).count() == 3
    assert story.events.filter(action=Action.REVERT).exists()
    assert AuditEntry.objects.filter(action="article.revert", target_id=str(story.pk)).exists()


def test_staff_preview_any_state_never_cached(client, admin_client, make_article):
    draft = make_article("Unfinished story", status=Status.DRAFT, publish_at=None)
    url = reverse("articles:preview", args=[draft.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b'content="noindex, nofollow"' in response.content
    assert client.get(url).status_code == 404  # readers get what a reader gets


def test_share_link_works_until_expiry_or_revocation(client, make_user, make_article):
    editor = make_user("maria", "Editors")
    draft = make_article("Embargoed report", status=Status.IN_REVIEW, publish_at=None)
    staff = client.__class__()
    staff.force_login(editor)
    staff.post(reverse("admin:articles_article_share", args=[draft.pk]))
    link = draft.share_links.get()
    url = link.url()
    response = client.get(url)
    assert response.status_code == 200 and b"Embargoed report" in response.content
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(url[:-3] + "xx/").status_code == 404  # tampered
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert client.get(url).status_code == 404
    staff.post(reverse("admin:articles_article_share", args=[draft.pk]), {"revoke": link.pk})
    assert client.get(url).status_code == 404


def test_writer_cannot_create_share_links(client, writer, make_article):
    draft = make_article(status=Status.DRAFT, publish_at=None, created_by=writer)
    client.force_login(writer)
    assert client.post(reverse("admin:articles_article_share", args=[draft.pk])).status_code == 403
    assert not draft.share_links.exists()


def test_correction_shows_on_the_page_and_in_date_modified(client, editor, story):
    staff = client.__class__()
    staff.force_login(editor)
    data = form_data(staff, story)
    data.update(
        {
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-text": "An earlier version gave the wrong date.",
            "corrections-0-published_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"),
        }
    )
    assert staff.post(change_url(story), data).status_code == 302
    correction = Correction.objects.get()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "An earlier version gave the wrong date." in html.split('id="corrections-heading"')[1]
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    # One modification time (JSON-LD, article:modified_time, sitemap, Last-Modified): the save
    # that published the correction, at or after the correction's own time.
    modified = modified_time(Article.objects.get(pk=story.pk))
    assert ld["dateModified"] == modified.isoformat(timespec="seconds")
    assert modified >= correction.published_at
    assert story.events.filter(action=Action.CORRECT).exists()


def test_significant_update_sets_updated_time_minor_fix_does_not(client, editor, story):
    staff = client.__class__()
    staff.force_login(editor)
    staff.post(change_url(story), form_data(staff, story, body="Crews return on Monday, a day early."))
    story.refresh_from_db()
    assert story.updated_at is None
    assert "Updated" not in client.get(story.get_absolute_url()).content.decode()
    staff.post(change_url(story), form_data(staff, story, body="Crews return on Sunday.", significant_update="on"))
    story.refresh_from_db()
    assert story.updated_at is not None
    assert "Updated " in client.get(story.get_absolute_url()).content.decode()


def test_delete_moves_to_the_bin_editors_restore_superusers_purge(client, editor, admin_user, story):
    staff = client.__class__()
    staff.force_login(editor)
    staff.post(reverse("admin:articles_article_delete", args=[story.pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=story.pk).exists()
    assert ArticleInBin.objects.filter(pk=story.pk).exists()
    assert client.get(story.get_absolute_url()).status_code == 404
    bin_url = reverse("admin:articles_articleinbin_changelist")
    assert "Ferry strike ends" in staff.get(bin_url).content.decode()
    # Editors cannot purge.
    staff.post(bin_url, {"action": "purge", "_selected_action": [story.pk]})
    assert ArticleInBin.objects.filter(pk=story.pk).exists()
    staff.post(bin_url, {"action": "step_undelete", "_selected_action": [story.pk]})
    assert Article.objects.filter(pk=story.pk).exists()
    assert client.get(story.get_absolute_url()).status_code == 200
    # Superusers purge for good.
    staff.post(reverse("admin:articles_article_delete", args=[story.pk]), {"post": "yes"})
    superuser = client.__class__()
    superuser.force_login(admin_user)
    superuser.post(bin_url, {"action": "purge", "_selected_action": [story.pk]})
    assert not Article.all_objects.filter(pk=story.pk).exists()


def test_writers_do_not_see_the_bin(client, writer):
    client.force_login(writer)
    assert client.get(reverse("admin:articles_articleinbin_changelist")).status_code == 403


def test_restoring_a_revision_never_changes_the_workflow_state(client, writer, editor, make_article):
    """Restoring a revision from when the article was approved must not publish it again."""
    article = make_article("Harbour fees rise", status=Status.DRAFT, publish_at=None, created_by=writer)
    take_step(article, "approve", user=editor)  # a revision recorded while approved
    take_step(article, "withdraw", user=editor, note="Wrong figures.")
    take_step(article, "restore", user=editor)
    approved_revision = next(
        v for v in Version.objects.get_for_object(article) if v.field_dict["status"] == Status.APPROVED
    )
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, approved_revision.pk])
    client.force_login(writer)  # the writer's own draft again: theirs to restore, content only
    assert client.post(revision_url).status_code == 302
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert not Article.objects.live().exists()
