"""Crafted requests against every address the admin site registers (every ModelAdmin's
get_urls(), third-party ones included) and every staff address outside it, as a writer
and as an anonymous visitor, against other people's articles in every state and images
that live articles show. An address added later is walked automatically.

After each request: no article, image, share link or account moved; nothing new is
public; no unpublished text was shown. A refusal that redirected is allowed only because
nothing changed behind it."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from PIL import Image as PILImage
from reversion.models import Version

from articles.models import WORKFLOW, Article, Byline, ShareLink, Status, system_gate
from articles.workflow import take_step
from images.models import Image
from live.door import post_entry
from live.models import Entry, EntryStatus

SECRET = "UNPUBLISHED-{}"  # in the text of every article that is not live
STATES = ["draft", "in_review", "scheduled", "live", "expired", "withdrawn", "in_bin"]


def picture():
    buffer = BytesIO()
    PILImage.new("RGB", (400, 300), "teal").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="harbour.jpg")


@pytest.fixture
def newsroom(settings, tmp_path, make_user, make_author):
    """An editor's articles in every state, each with revisions, and two images that a live
    article shows, one of them uploaded by the writer who attacks."""
    settings.MEDIA_ROOT = tmp_path
    editor = make_user("maria", "Editors")
    writer = make_user("writer", "Writers")
    author = make_author("Maria Lind", slug="maria", user=editor)
    editors_image = Image.objects.create(file=picture(), title="Quay", alt_text="The quay", uploaded_by=editor)
    writers_image = Image.objects.create(file=picture(), title="Boats", alt_text="Boats", uploaded_by=writer)
    now = timezone.now()
    articles = {}
    for state in STATES:
        text = "Published story." if state == "live" else SECRET.format(state)
        # A withdrawn article's 410 page names it (its headline was public): only its text stays unseen.
        headline = f"Story {state}" if state == "withdrawn" else f"Story {state} {text}"
        article = Article.objects.create(headline=headline, body=text, created_by=editor)
        Byline.objects.create(article=article, author=author)
        article.tags.set(["harbour"])
        article.headline += " (edited)"
        article.save()
        if state == "in_review":
            take_step(article, "submit", user=editor)
        elif state in ("scheduled", "live", "expired", "withdrawn"):
            take_step(article, "approve", user=editor)
            with system_gate():  # its moments set as a fixture: an hour ago, tomorrow
                publish_at = now + timedelta(days=1) if state == "scheduled" else now - timedelta(hours=2)
                expire_at = now - timedelta(hours=1) if state == "expired" else None
                Article.objects.filter(pk=article.pk).update(publish_at=publish_at, expire_at=expire_at)
            if state == "withdrawn":
                take_step(article, "withdraw", user=editor, note="It named the wrong school.")
        elif state == "in_bin":
            take_step(article, "delete", user=editor)
        article.refresh_from_db()
        articles[state] = article
    live = articles["live"]
    live.lead_image = editors_image
    live.body = f"Published story.\n\n{writers_image.inline_code}"
    live.save()
    ShareLink.objects.create(article=articles["draft"], created_by=editor)
    # The live article is live coverage: the editor's entries, public, scheduled and submitted.
    take_step(live, "start_live", user=editor)
    entries = [
        post_entry(live, user=editor, body="Published entry."),
        post_entry(live, user=editor, body=SECRET.format("scheduled entry"), publish_at=now + timedelta(days=1)),
        post_entry(live, user=make_user("colleague", "Writers"), body=SECRET.format("submitted entry")),
    ]
    return {
        "editor": editor,
        "writer": writer,
        "articles": articles,
        "images": [editors_image, writers_image],
        "entries": entries,
    }


# What a request may touch without moving anything: bookkeeping of who signed in and when.
VOLATILE = {"auth.user": {"last_login"}, "api.apitoken": {"last_used_at"}}
IGNORED = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
IGNORED |= {"axes.accessattemptexpiration", "pagecache.pendingpurge"}
# Where a writer's own new draft leaves rows, and records of what was refused.
MAY_GROW = {"articles.article", "articles.byline", "taggit.taggeditem", "taggit.tag", "reversion.revision"}
MAY_GROW |= {"reversion.version", "admin.logentry", "audit.auditentry", "api.idempotencykey"}
# A writer may submit entries to live coverage for an editor's review (issue 28): new, never public.
MAY_GROW |= {"live.entry", "live.entry_authors"}
# A person's own unsaved copy of what they type (desk/views.py writes only request.user's,
# tests/test_draft_copies.py proves it): it may appear and change.
OWN_COPIES = "articles.draftcopy"


def snapshot():
    """The whole database, every model and every field (what a crafted request must not move),
    and the set of live articles."""
    tables = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.proxy or not model._meta.managed or label in IGNORED:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE.get(label, ())]
        manager = getattr(model, "all_objects", model._base_manager)
        tables[label] = {row[0]: row for row in manager.order_by("pk").values_list("pk", *fields)}
    tables["live"] = dict.fromkeys(Article.objects.live().values_list("pk", flat=True))
    return tables


def only_new_drafts(before, after):
    """A writer may create drafts of their own, and submit live entries for review; nothing that
    existed may move."""
    for label, rows in before.items():
        if label == OWN_COPIES:
            continue
        if any(after[label].get(pk) != row for pk, row in rows.items()):
            return False
        if set(after[label]) - set(rows) and label not in MAY_GROW:
            return False
    new = set(after["articles.article"]) - set(before["articles.article"])
    entries = set(after["live.entry"]) - set(before["live.entry"])
    if Entry.objects.filter(pk__in=entries).exclude(status=EntryStatus.SUBMITTED).exists():
        return False
    return all(
        article.status == Status.DRAFT and article.deleted_at is None
        for article in Article.all_objects.filter(pk__in=new)
    ) and all(
        row_article in new or row_article is None
        for label in ("articles.byline",)
        for pk, (_, _, row_article, *_) in after[label].items()
        if pk not in before[label]
    )


# Addresses -----------------------------------------------------------------------------------

CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def fill(route, values):
    """Every address `route` (a path() route or a regex) takes with the given values per parameter."""
    if route.startswith("^"):  # a regex: fill its groups in order with object ids
        route = re.sub(r"\([^)]*\)", "<object_id>", route.strip("^$"))
    names = [match["name"] for match in CONVERTER.finditer(route)]
    addresses = [route]
    for name in names:
        addresses = [
            address.replace(CONVERTER.search(address).group(0), str(value), 1)
            for address in addresses
            for value in values.get(name, ["1"])
        ]
    return addresses


def admin_addresses(newsroom):
    """(address, article or None) for every view every ModelAdmin and the admin site register."""
    root = reverse("admin:index")
    targets = list(newsroom["articles"].values())
    for model, model_admin in admin.site._registry.items():
        prefix = f"{root}{model._meta.app_label}/{model._meta.model_name}/"
        if model._meta.concrete_model is Article:
            objects = targets
        else:
            objects = list(model._default_manager.order_by("pk")[:2]) or [None]
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            for obj in objects:
                versions = Version.objects.get_for_object(obj) if isinstance(obj, Article) else []
                values = {
                    "object_id": [obj.pk if obj else 1],
                    "version_id": [v.pk for v in versions] or [1],
                    "name": [*WORKFLOW, "publish"],
                    # The live desk: every article's, every entry and every change to one.
                    "article_id": [article.pk for article in targets],
                    "entry_id": [entry.pk for entry in newsroom["entries"]],
                    "change": ["correct", "remove", "publish"],
                }
                for address in fill(route, values):
                    if "compare" in address and len(versions) > 1:
                        address += f"?version_id1={versions[0].pk}&version_id2={versions[1].pk}"
                    yield prefix + address, obj if isinstance(obj, Article) else None
                if "<" not in route and not route.startswith("^("):
                    break  # an address without an object is walked once
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLPattern) and "logout" not in str(pattern.pattern):
            for address in fill(str(pattern.pattern), {"app_label": ["articles", "images", "auth"]}):
                yield root + address, None


def staff_addresses(newsroom):
    for article in newsroom["articles"].values():
        yield reverse("articles:preview", args=[article.pk]), article
        yield article.get_absolute_url(), article
    yield reverse("articles:share", args=["not-a-token"]), None
    yield "/search/?q=UNPUBLISHED", None
    yield "/feeds/rss/", None


def api_addresses(newsroom):
    """Every content API address (the API's own URLconf and what it includes, live's entries, so
    a new endpoint is walked too)."""
    from api import urls as api_urls

    root = reverse("api:article-list").removesuffix("articles/")
    targets = list(newsroom["articles"].values())
    for route in routes(api_urls.urlpatterns):
        for article in targets if "<" in route else [None]:
            values = {"pk": [article.pk if article else 1], "slug": ["maria", "harbour"]}
            for address in fill(route, values):
                yield root + address, article


def routes(patterns, prefix=""):
    """The routes of a URLconf, those of its includes joined to theirs."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def hostile_payload(newsroom, article):
    """A replayed form: the article's fields as an editor's form would send them, rewritten,
    with every workflow field a crafted request could add, and every bulk action."""
    others = [a.pk for a in newsroom["articles"].values()]
    payload = {
        "headline": "Taken over",
        "deck": "",
        "standfirst": "Rewritten.",
        "body": "Rewritten.",
        "tags": "harbour",
        "slug": "taken-over",
        "status": Status.APPROVED,
        "publish_at": "2020-01-01T00:00",
        "when": "",
        "expire_at": "",
        "deleted_at": "",
        "version": "0",
        "loaded_version": str(article.version) if article else "",
        "note": "Replayed.",
        "other": str(others[0]),
        "revoke": str(ShareLink.objects.first().pk),
        "post": "yes",
        "_save": "Save",
        "_selected_action": [str(pk) for pk in others],
        "alt_text": "Replaced",
        "caption": "Replaced",
        "title": "Replaced",
        "new_tag_name": "Replaced",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
    }
    return payload


# Django's own, the bin's, taggit's, and one per step of the table (offered or not).
BULK_ACTIONS = ["delete_selected", "purge", "render_tag_form", *(f"step_{name}" for name in WORKFLOW)]


def requests_for(newsroom):
    for address, article in [*admin_addresses(newsroom), *staff_addresses(newsroom)]:
        yield "get", address, None
        yield "post", address, {}
        yield "post", address, hostile_payload(newsroom, article)
        if address.endswith("/") and address.count("/") == 4:  # a changelist: its bulk actions
            for action in BULK_ACTIONS:
                yield "post", address, {**hostile_payload(newsroom, article), "action": action}


def unpublished_text_in(response):
    if response.get("Content-Type", "").startswith(("image/", "application/octet")):
        return None
    body = b"".join(response) if response.streaming else response.content
    found = re.search(rb"UNPUBLISHED-[\w ]+", body)
    return found and found.group(0).decode()


def checked(response, where, before, who):
    """Assert a crafted request failed cleanly and moved nothing; the snapshot to compare with next."""
    assert response.status_code < 500, where
    assert unpublished_text_in(response) is None, where
    after = snapshot()
    if after != before:
        assert who == "writer" and only_new_drafts(before, after), where
    return after


@pytest.mark.parametrize("who", ["writer", "anonymous"])
def test_no_crafted_api_request_moves_the_workflow_or_shows_unpublished_work(client, newsroom, who):
    from api.models import ApiToken

    headers = {}
    if who == "writer":
        _token, key = ApiToken.issue(user=newsroom["writer"], name="crafted")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    before = snapshot()
    for address, article in api_addresses(newsroom):
        payload = {**hostile_payload(newsroom, article), "step": "approve", "time": "2020-01-01T00:00:00Z"}
        del payload["_selected_action"]
        for method, data in [("get", None), ("post", {}), ("post", payload), ("patch", payload), ("delete", None)]:
            kwargs = {"content_type": "application/json"} if data is not None else {}
            response = getattr(client, method)(address, data, **kwargs, **headers)
            before = checked(response, f"{method.upper()} {address}", before, who)


@pytest.mark.parametrize("who", ["writer", "anonymous"])
def test_no_crafted_request_moves_the_workflow_or_shows_unpublished_work(client, newsroom, who):
    public_before = {a.pk: client.get(a.get_absolute_url()).status_code for a in newsroom["articles"].values()}
    before = snapshot()
    walked = set()
    for method, address, data in requests_for(newsroom):
        if who == "writer":
            client.force_login(newsroom["writer"])
        response = getattr(client, method)(address, data)
        walked.add(address.split("?")[0])
        before = checked(response, f"{method.upper()} {address} {sorted(data or {})[:3]}", before, who)
    client.logout()
    assert {a.pk: client.get(a.get_absolute_url()).status_code for a in newsroom["articles"].values()} == public_before
    # The walk reached the libraries' views too: reversion's history and compare, auth, taggit.
    assert any("/history/compare/" in address for address in walked)
    assert any("/auth/user/" in address for address in walked)
    assert any("/taggit/tag/" in address for address in walked)


def test_the_writer_still_does_their_own_work(client, newsroom):
    """The matrix above refuses; the same gate lets a writer write, and submit, their own draft."""
    writer = newsroom["writer"]
    client.force_login(writer)
    response = client.post(
        reverse("admin:articles_article_add"),
        {"headline": "Ferry timetable changes", "body": "From Monday.", "bylines-TOTAL_FORMS": "0"}
        | {"bylines-INITIAL_FORMS": "0", "tags": ""},
    )
    assert response.status_code == 302
    mine = Article.objects.get(headline="Ferry timetable changes")
    assert mine.created_by == writer and mine.status == Status.DRAFT
    assert client.post(reverse("admin:articles_article_transition", args=[mine.pk, "submit"])).status_code == 302
    mine.refresh_from_db()
    assert mine.status == Status.IN_REVIEW
    assert client.post(reverse("admin:articles_article_transition", args=[mine.pk, "approve"])).status_code == 403
    assert not Article.objects.live().filter(pk=mine.pk).exists()
