"""Who may do what: the roles' one table, and the policies every view asks. The three
questions a policy answers (may this user do this to this one; which ones may they; who may)
must agree with each other for every role and every state."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image as PILImage

from articles.models import WORKFLOW, ShareLink, Status, system_gate
from articles.permissions import ROLES, article_policy, sync_roles
from articles.workflow import take_step
from images.models import Image
from images.permissions import image_policy


def granted(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


# The roles -------------------------------------------------------------------------------------


def test_the_migrated_roles_hold_exactly_their_table(db):
    assert {group.name: granted(group) for group in Group.objects.filter(name__in=ROLES)} == {
        name: set(permissions) for name, permissions in ROLES.items()
    }


def test_syncing_puts_back_what_the_table_says(db):
    editors = Group.objects.get(name="Editors")
    editors.permissions.remove(Permission.objects.get(codename="publish_article"))
    writers = Group.objects.get(name="Writers")
    writers.permissions.add(Permission.objects.get(codename="publish_article"))
    Group.objects.filter(name="Writers").delete()
    Group.objects.create(name="Writers").permissions.add(Permission.objects.get(codename="publish_article"))
    sync_roles()
    assert granted(Group.objects.get(name="Editors")) == set(ROLES["Editors"])
    assert granted(Group.objects.get(name="Writers")) == set(ROLES["Writers"])


def test_a_grant_of_a_permission_that_does_not_exist_is_refused(db, monkeypatch):
    monkeypatch.setitem(ROLES, "Writers", [*ROLES["Writers"], "articles.fly_article"])
    with pytest.raises(LookupError, match="articles.fly_article"):
        sync_roles()


# Articles: every role against every state ------------------------------------------------------


@pytest.fixture
def people(make_user, make_author):
    author = make_user("oksana", "Writers")
    people = {
        "author": author,
        "other writer": make_user("kenji", "Writers"),
        "editor": make_user("eleni", "Editors"),
        "superuser": make_user("root", is_superuser=True),
        "former editor": make_user("gone", "Editors", is_active=False),
        "anonymous": AnonymousUser(),
    }
    return people


@pytest.fixture
def articles(make_article, make_author, people, now):
    byline = make_author("Оксана Коваль", user=people["author"])

    def made(state, status, publish_at=None, **fields):
        article = make_article(f"Стаття {state} 東京 📰", status=status, publish_at=publish_at, **fields)
        article.authors.add(byline)
        return article

    return {
        "draft": made("draft", Status.DRAFT),
        "in review": made("in review", Status.IN_REVIEW),
        "scheduled": made("scheduled", Status.APPROVED, now + timedelta(days=1)),
        "live": made("live", Status.APPROVED, now - timedelta(hours=1)),
        "expired": made("expired", Status.APPROVED, now - timedelta(days=2), expire_at=now - timedelta(days=1)),
        "withdrawn": made("withdrawn", Status.WITHDRAWN, now - timedelta(days=1)),
    }


# What DESIGN.md says, spelt out: who sees and who edits an article in each state.
SEES = {
    "author": {"draft", "in review", "scheduled", "live", "expired", "withdrawn"},
    "other writer": {"live"},
    "editor": {"draft", "in review", "scheduled", "live", "expired", "withdrawn"},
    "superuser": {"draft", "in review", "scheduled", "live", "expired", "withdrawn"},
    "former editor": {"live"},
    "anonymous": {"live"},
}
EDITS = {
    "author": {"draft"},
    "other writer": set(),
    "editor": {"draft", "in review", "scheduled", "live", "expired", "withdrawn"},
    "superuser": {"draft", "in review", "scheduled", "live", "expired", "withdrawn"},
    "former editor": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("who", list(SEES))
def test_who_sees_and_edits_what_and_the_questions_agree(who, people, articles):
    user = people[who]
    sees = {state for state, a in articles.items() if article_policy.user_has_permission_for_instance(user, "view", a)}
    edits = {
        state for state, a in articles.items() if article_policy.user_has_permission_for_instance(user, "change", a)
    }
    assert (sees, edits) == (SEES[who], EDITS[who])
    listed = set(article_policy.instances_user_has_permission_for(user, "view").values_list("pk", flat=True))
    assert listed == {articles[state].pk for state in sees}


@pytest.mark.parametrize("action", ["review", *WORKFLOW])
def test_who_may_is_everyone_the_instance_question_allows(action, people, articles):
    """users_with_permission_for_instance (who gets the mail) against the per-user answer, for
    the permission part (a step's state is the article's, not the user's)."""
    accounts = [user for user in people.values() if getattr(user, "pk", None) and user.is_active]
    for state, article in articles.items():
        users = set(article_policy.users_with_permission_for_instance(action, article))
        if action == "review":
            expected = {u for u in accounts if article_policy.user_has_permission_for_instance(u, action, article)}
        else:
            expected = {u for u in accounts if WORKFLOW[action].permits(u, article)}
        assert users == expected, state


def test_the_submit_mail_goes_to_whoever_may_review(
    people, articles, make_user, django_capture_on_commit_callbacks, mailoutbox
):
    silent = make_user("silent", "Editors")
    type(silent).objects.filter(pk=silent.pk).update(email="")  # no address: no mail
    with django_capture_on_commit_callbacks(execute=True):
        take_step(articles["draft"], "submit", user=people["author"])
    assert sorted(mailoutbox[0].to) == ["eleni@newsroom.test", "root@newsroom.test"]


def test_bulk_and_bin_questions_follow_the_roles(people):
    assert article_policy.user_has_permission(people["editor"], "review")
    assert not article_policy.user_has_permission(people["author"], "review")
    assert article_policy.user_has_permission(people["superuser"], "purge")
    assert not article_policy.user_has_permission(people["editor"], "purge")
    with pytest.raises(ValueError):
        article_policy.user_has_permission(people["editor"], "fly")


# Share links ----------------------------------------------------------------------------------


def test_share_links_are_offered_for_unpublished_articles_only(client, people, articles):
    client.force_login(people["editor"])
    for state, article in articles.items():
        page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
        offered = "Create share link" in page
        assert offered == (state in {"draft", "in review", "scheduled", "expired"}), state
        response = client.post(reverse("admin:articles_article_share", args=[article.pk]))
        assert response.status_code == (302 if offered else 403), state
    assert set(ShareLink.objects.values_list("article__status", flat=True)) == {
        Status.DRAFT,
        Status.IN_REVIEW,
        Status.APPROVED,
    }


def test_a_link_made_before_a_withdrawal_no_longer_opens_the_article(client, people, articles, now):
    article = articles["scheduled"]
    link = ShareLink.objects.create(article=article, created_by=people["editor"])
    assert client.get(link.url()).status_code == 200
    with system_gate():  # published since, then withdrawn
        type(article).objects.filter(pk=article.pk).update(publish_at=now - timedelta(minutes=5))
    take_step(article, "withdraw", user=people["editor"], note="Назва школи була хибною.")
    response = client.get(link.url())
    assert response.status_code == 404 and "Стаття" not in response.content.decode()


# Images ---------------------------------------------------------------------------------------


def picture(name):
    buffer = BytesIO()
    PILImage.new("RGB", (320, 240), "navy").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name=name)


def test_an_image_a_live_article_shows_is_the_editors_and_the_questions_agree(media_root, people, make_article):
    writer, editor, other = people["author"], people["editor"], people["other writer"]
    image = Image.objects.create(file=picture("порт.jpg"), title="Порт", alt_text="Порт уночі", uploaded_by=writer)

    def answers():
        per_user = {
            who: image_policy.user_has_permission_for_instance(people[who], "change", image)
            for who in ("author", "other writer", "editor", "superuser")
        }
        listed = {
            who: image_policy.instances_user_has_permission_for(people[who], "change").filter(pk=image.pk).exists()
            for who in ("author", "other writer", "editor", "superuser")
        }
        users = set(image_policy.users_with_permission_for_instance("change", image))
        assert listed == per_user
        assert users == {people[who] for who, may in per_user.items() if may}
        return per_user

    assert answers() == {"author": True, "other writer": False, "editor": True, "superuser": True}
    make_article("Порт уночі", body=f"Текст.\n\n{image.inline_code}")
    assert answers() == {"author": False, "other writer": False, "editor": True, "superuser": True}
    assert not image_policy.user_has_permission_for_instance(other, "delete", image)
    assert image_policy.user_has_permission_for_instance(editor, "delete", image)
