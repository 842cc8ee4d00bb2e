"""Draft copies (issue 27, item 4): what a person typed and did not save, kept on the server
for them alone. Crafted requests: nobody keeps a copy of an article they may not change, a
refusal changes nothing in the database, and a copy is bounded like a body."""

import pytest
from django.core import serializers
from django.urls import reverse

from articles.body import BODY_LIMIT
from articles.models import Article, DraftCopy, Status
from articles.workflow import take_step

pytestmark = pytest.mark.django_db


def everything():
    """The rows a refusal must leave as they were."""
    return serializers.serialize("json", [*Article.all_objects.order_by("pk"), *DraftCopy.objects.order_by("pk")])


def copy_url(article=None):
    if article is None:
        return reverse("admin:articles_article_draft_copy_new")
    return reverse("admin:articles_article_draft_copy", args=[article.pk])


@pytest.fixture
def olena_draft(make_article, make_user, make_author):
    olena = make_user("olena", "Writers")
    article = make_article("Київ ferries", status=Status.DRAFT, publish_at=None, body="Old body.")
    article.bylines.create(author=make_author("Олена Коваль", user=olena))
    return olena, article


def test_a_writer_keeps_a_copy_of_her_draft_and_finds_it_in_another_browser(client, olena_draft):
    olena, article = olena_draft
    client.force_login(olena)
    typed = {"headline": "Київ ferries 🚢", "body": "Typed on 29 February, not saved.", "tags": "Київ, 東京"}
    assert client.post(copy_url(article), typed).status_code == 200
    assert client.post(copy_url(article), {**typed, "body": "Later words."}).status_code == 200
    copy = DraftCopy.objects.get()
    assert (copy.user, copy.article, copy.fields["body"], copy.fields["tags"]) == (
        olena,
        article,
        "Later words.",
        "Київ, 東京",
    )
    assert Article.objects.get(pk=article.pk).body == "Old body."  # not a save, not a revision

    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert b"Restore my draft" in page.content and "Later words." in page.content.decode()

    client.post(copy_url(article), {"discard": "1"})
    assert not DraftCopy.objects.exists()


def test_a_new_article_has_one_copy_per_person_and_a_save_clears_it(client, writer, make_author):
    make_author("Wren", user=writer)
    client.force_login(writer)
    client.post(copy_url(), {"headline": "Night buses", "body": "First words."})
    client.post(copy_url(), {"headline": "Night buses", "body": "More words."})
    assert DraftCopy.objects.get(article=None).fields["body"] == "More words."
    assert b"Restore my draft" in client.get(reverse("admin:articles_article_add")).content
    saved = client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Night buses",
            "standfirst": "Three routes.",
            "body": "More words.",
            "slug": "night-buses",
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
        },
    )
    assert saved.status_code == 302, saved.content[:2000]
    assert not DraftCopy.objects.exists()


def test_no_copy_of_an_article_one_may_not_change(client, olena_draft, make_user, django_user_model):
    olena, article = olena_draft
    other = make_user("taras", "Writers")
    before = everything()
    client.force_login(other)
    assert client.post(copy_url(article), {"body": "Taras writes into Olena's draft."}).status_code == 403
    assert client.post(copy_url(Article(pk=99_999_999)), {"body": "No such article."}).status_code == 403
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))  # not staff
    assert client.post(copy_url(article), {"body": "A reader."}).status_code == 302  # to the sign-in page
    client.logout()
    assert client.post(copy_url(), {"body": "Nobody."}).status_code == 302
    assert everything() == before


def test_no_copy_once_the_draft_is_submitted_and_no_copy_over_the_body_limit(client, olena_draft, editor):
    olena, article = olena_draft
    client.force_login(olena)
    before = everything()
    refused = client.post(copy_url(article), {"body": "x" * (BODY_LIMIT + 1)})
    assert refused.status_code == 400 and "at most" in refused.json()["error"]
    assert client.get(copy_url(article)).status_code == 405
    assert everything() == before
    take_step(article, "submit", user=olena)  # submitted: the writer's hands are off it
    before = everything()
    assert client.post(copy_url(article), {"body": "After submitting."}).status_code == 403
    assert everything() == before
    client.force_login(editor)  # an editor may change it, and keeps a copy of her own
    assert client.post(copy_url(article), {"body": "The editor's words."}).status_code == 200
    assert DraftCopy.objects.get().user == editor
