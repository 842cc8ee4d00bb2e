"""Addresses that Django and the libraries register, answered by our permissions: taggit's tag
merging, Django's "view on site", and the admin site's own views."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from articles.models import Article, ShareLink, Status


def view_on_site(obj):
    return reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


def test_the_admin_site_serves_only_views_we_decided_on():
    """A library or a Django upgrade that adds a site-wide admin view fails here until someone
    decides whether it is needed and who may use it."""
    decided = {
        "index": "the desk: each panel asks the article policy",
        "login": "sign-in (django-axes throttles it)",
        "logout": "POST only",
        "password_change": "one's own password, zxcvbn-checked",
        "password_change_done": "a message",
        "autocomplete": "Django checks view permission on the model and the field's admin",
        "jsi18n": "static strings",
        "view_on_site": "ours: asks the object's admin (NewsroomAdminSite.view_on_site)",
        "app_list": "lists only what the user may see",
        None: "the catch-all 404",
    }
    assert {getattr(url, "name", None) for url in admin.site.get_urls() if not hasattr(url, "url_patterns")} == set(
        decided
    )
    tag_urls = {url.name for url in admin.site._registry[Tag].get_urls()}
    assert not any("merge" in (name or "") for name in tag_urls)


def test_a_writer_cannot_merge_or_rename_tags_on_others_articles(client, writer, editor, make_article):
    live = make_article("Harbour reopens", tags=["harbour"])
    harbour = Tag.objects.get(name="harbour")
    client.force_login(writer)
    changelist = reverse("admin:taggit_tag_changelist")
    response = client.post(changelist, {"action": "render_tag_form", "_selected_action": [harbour.pk]})
    assert response.status_code in (200, 302)
    # No merge view: the address is read as a tag's id, and Django's old-style redirect answers.
    assert client.post(changelist + "merge-tags/", {"new_tag_name": "Writer's tag"}).status_code in (302, 404)
    change = reverse("admin:taggit_tag_change", args=[harbour.pk])
    assert client.post(change, {"name": "Writer's tag", "slug": "writers-tag"}).status_code == 403
    assert list(live.tags.names()) == ["harbour"] and not Tag.objects.filter(name="Writer's tag").exists()
    client.force_login(editor)  # renaming is an editor's act, and there is no merge for anyone
    assert client.post(changelist + "merge-tags/", {"new_tag_name": "Merged"}).status_code in (302, 404)
    assert not Tag.objects.filter(name="Merged").exists()
    assert client.post(change, {"name": "Harbour", "slug": "harbour"}).status_code == 302
    assert list(live.tags.names()) == ["Harbour"]


def test_the_writers_tag_list_names_only_tags_of_articles_they_may_see(
    client, writer, make_article, make_author, editor
):
    make_article("Live story", tags=["ferries"])
    make_article("Embargoed story", status=Status.DRAFT, tags=["merger-talks"])
    mine = make_article("My draft", status=Status.DRAFT, created_by=writer, tags=["my-beat"])
    assert TaggedItem.objects.filter(object_id=mine.pk).exists()
    client.force_login(writer)
    page = client.get(reverse("admin:taggit_tag_changelist")).content.decode()
    assert "ferries" in page and "my-beat" in page and "merger-talks" not in page
    client.force_login(editor)
    assert "merger-talks" in client.get(reverse("admin:taggit_tag_changelist")).content.decode()


def test_view_on_site_answers_only_what_the_user_may_see_and_never_mints_a_share_token(
    client, writer, editor, make_article
):
    embargoed = make_article("Merger talks collapse", status=Status.DRAFT, created_by=editor)
    link = ShareLink.objects.create(article=embargoed, created_by=editor)
    mine = make_article("My own draft", status=Status.DRAFT, created_by=writer)
    live = make_article("Ferries run again")
    client.force_login(writer)
    for address in (view_on_site(embargoed), view_on_site(link), "/admin/r/999999/1/", "/admin/r/x/y/"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert embargoed.slug not in response.content.decode()
    assert client.get(view_on_site(mine))["Location"] == mine.get_absolute_url()
    assert client.get(view_on_site(live)).status_code == 404  # not in the writer's admin: read it on the site
    client.force_login(editor)
    assert client.get(view_on_site(live))["Location"] == live.get_absolute_url()
    assert client.get(view_on_site(embargoed))["Location"] == embargoed.get_absolute_url()
    assert client.get(view_on_site(link)).status_code == 404  # a token is handed out on the article's page only
    client.logout()
    assert client.get(view_on_site(live)).status_code == 302
    assert client.get(view_on_site(live))["Location"].startswith(reverse("admin:login"))
    assert Article.objects.get(pk=embargoed.pk).status == Status.DRAFT
