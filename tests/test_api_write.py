"""The content API's writes: per-user keys from the admin, drafts, images and workflow steps
through the same gate as the admin, Idempotency-Key, and hostile input."""

import io

import pytest
import yaml
from PIL import Image as PILImage

from api.models import ApiToken
from articles.models import WORKFLOW, Article, Status
from audit.models import AuditEntry


@pytest.fixture
def key_for():
    def make(user):
        return ApiToken.issue(user=user, name=f"{user.username}'s script")[1]

    return make


@pytest.fixture
def as_user(client, key_for):
    def make(user):
        key = key_for(user)

        class Api:
            def get(self, url, **extra):
                return client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}", **extra)

            def post(self, url, data=None, **extra):
                if "format" not in extra and "content_type" not in extra:
                    extra["content_type"] = "application/json"
                extra.pop("format", None)
                return client.post(url, data, HTTP_AUTHORIZATION=f"Bearer {key}", **extra)

            def patch(self, url, data, **extra):
                return client.patch(
                    url, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}", **extra
                )

        return Api()

    return make


DRAFT = {"headline": "Ferry strike called off", "standfirst": "Crews return at dawn.", "body": "Talks **ended**."}


def test_staff_endpoints_need_a_valid_key(client, writer, key_for):
    assert client.get("/api/v1/staff/articles/").status_code in (401, 403)
    assert client.post("/api/v1/staff/articles/", DRAFT, content_type="application/json").status_code in (401, 403)
    bad = client.get("/api/v1/staff/articles/", HTTP_AUTHORIZATION="Bearer nr_not-a-key")
    assert bad.status_code == 401
    assert "not valid" in bad.json()["detail"]
    assert client.get("/api/v1/staff/articles/", HTTP_AUTHORIZATION="Basic abc").status_code == 401
    key = key_for(writer)
    ApiToken.objects.get().revoke(by=None)
    assert client.get("/api/v1/staff/articles/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    writer.is_staff = False
    writer.save()
    other = key_for(writer)
    assert client.get("/api/v1/staff/articles/", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 401


def test_a_writer_creates_a_draft_and_submits_it_but_cannot_publish(as_user, writer, client):
    api = as_user(writer)
    created = api.post("/api/v1/staff/articles/", DRAFT)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["state"]) == ("DRAFT", "draft")
    assert body["allowed_steps"] == ["submit"]
    article = Article.objects.get(pk=body["id"])
    assert article.created_by == writer
    assert article.body_html == "<p>Talks <strong>ended</strong>.</p>"
    assert client.get(f"/api/v1/articles/{article.pk}/").status_code == 404  # not public

    refused = api.post(f"/api/v1/staff/articles/{article.pk}/steps/", {"step": "approve"})
    assert refused.status_code == 403
    assert "permission" in refused.json()["detail"]
    article.refresh_from_db()
    assert article.status == Status.DRAFT

    submitted = api.post(f"/api/v1/staff/articles/{article.pk}/steps/", {"step": "submit"})
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "IN_REVIEW"
    assert article.events.get().actor == writer


def test_an_editor_approves_through_the_workflow_and_the_article_goes_live(as_user, writer, editor, client):
    draft = as_user(writer).post("/api/v1/staff/articles/", DRAFT).json()
    approved = as_user(editor).post(f"/api/v1/staff/articles/{draft['id']}/steps/", {"step": "approve"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "published"
    assert client.get(f"/api/v1/articles/{draft['id']}/").status_code == 200
    live = as_user(editor).get(f"/api/v1/staff/articles/{draft['id']}/").json()
    edited = as_user(editor).patch(
        f"/api/v1/staff/articles/{draft['id']}/", {"deck": "Crews are back", "version": live["version"]}
    )
    assert edited.status_code == 200
    assert AuditEntry.objects.filter(action="article.edit_live", target_id=str(draft["id"]), actor=editor).exists()
    withdraw = as_user(editor).post(f"/api/v1/staff/articles/{draft['id']}/steps/", {"step": "withdraw"})
    assert withdraw.status_code == 400  # what was sent is the problem, not who sent it
    assert "reason" in withdraw.json()["fields"]["note"][0]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({**DRAFT, "status": "APPROVED"}, "status"),
        ({**DRAFT, "publish_at": "2020-01-01T00:00:00Z"}, "publish_at"),
        ({**DRAFT, "version": 1, "deleted_at": None}, "deleted_at"),
        ({**DRAFT, "colour": "red"}, "colour"),
        ({**DRAFT, "headline": "A <b>bold</b> claim"}, "headline"),
        ({**DRAFT, "headline": ""}, "headline"),
        ({**DRAFT, "headline": "x" * 201}, "headline"),
        ({**DRAFT, "theme": "no-such-theme"}, "theme"),
        ({**DRAFT, "lead_image": 999}, "lead_image"),
        ({**DRAFT, "tags": "not-a-list"}, "tags"),
    ],
)
def test_bad_drafts_are_refused_with_a_clear_message(as_user, writer, payload, field):
    response = as_user(writer).post("/api/v1/staff/articles/", payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Article.objects.exists()


def test_a_body_that_is_not_json_is_a_400(as_user, writer):
    response = as_user(writer).post("/api/v1/staff/articles/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_the_steps_come_from_the_workflow_table(as_user, editor, client):
    steps = as_user(editor).get("/api/v1/staff/workflow/").json()
    assert [s["step"] for s in steps] == [name for name, step in WORKFLOW.items() if not step.from_bin]
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert set(schema["components"]["schemas"]["StepEnum"]["enum"]) == {s["step"] for s in steps}
    draft = as_user(editor).post("/api/v1/staff/articles/", DRAFT).json()
    unknown = as_user(editor).post(f"/api/v1/staff/articles/{draft['id']}/steps/", {"step": "publish_now"})
    assert unknown.status_code == 400
    past = as_user(editor).post(
        f"/api/v1/staff/articles/{draft['id']}/steps/", {"step": "approve", "time": "2020-01-01T09:00:00Z"}
    )
    assert past.status_code == 400  # no backdating through the API
    assert "past" in past.json()["fields"]["time"][0]
    scheduled = as_user(editor).post(
        f"/api/v1/staff/articles/{draft['id']}/steps/", {"step": "approve", "time": "2099-01-01T09:00:00Z"}
    )
    assert scheduled.json()["state"] == "scheduled"


def test_updates_need_the_version_read_and_refuse_a_stale_one(as_user, writer):
    api = as_user(writer)
    draft = api.post("/api/v1/staff/articles/", DRAFT).json()
    url = f"/api/v1/staff/articles/{draft['id']}/"
    assert api.patch(url, {"deck": "A deck"}).status_code == 400
    saved = api.patch(url, {"deck": "A deck", "version": draft["version"]})
    assert saved.status_code == 200, saved.content
    assert saved.json()["deck"] == "A deck"
    stale = api.patch(url, {"deck": "Overwrite", "version": draft["version"]})
    assert stale.status_code == 409
    assert Article.objects.get(pk=draft["id"]).deck == "A deck"
    assert api.patch(url, {"status": "APPROVED", "version": saved.json()["version"]}).status_code == 400


def test_a_writer_cannot_see_or_edit_what_is_not_theirs_or_no_longer_a_draft(as_user, writer, editor, make_user):
    mine = as_user(writer).post("/api/v1/staff/articles/", DRAFT).json()
    other = make_user("other", "Writers")
    assert as_user(other).get(f"/api/v1/staff/articles/{mine['id']}/").status_code == 404
    assert as_user(other).get("/api/v1/staff/articles/").json()["count"] == 0
    as_user(writer).post(f"/api/v1/staff/articles/{mine['id']}/steps/", {"step": "submit"})
    fresh = as_user(writer).get(f"/api/v1/staff/articles/{mine['id']}/").json()
    refused = as_user(writer).patch(f"/api/v1/staff/articles/{mine['id']}/", {"deck": "x", "version": fresh["version"]})
    assert refused.status_code == 403
    assert as_user(editor).get("/api/v1/staff/articles/").json()["count"] == 1


def test_an_idempotency_key_makes_a_retried_create_return_the_same_article(as_user, writer):
    api = as_user(writer)
    first = api.post("/api/v1/staff/articles/", DRAFT, HTTP_IDEMPOTENCY_KEY="wire-4711")
    again = api.post("/api/v1/staff/articles/", DRAFT, HTTP_IDEMPOTENCY_KEY="wire-4711")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert Article.objects.count() == 1
    different = api.post("/api/v1/staff/articles/", {**DRAFT, "headline": "Else"}, HTTP_IDEMPOTENCY_KEY="wire-4711")
    assert different.status_code == 409
    assert api.post("/api/v1/staff/articles/", DRAFT, HTTP_IDEMPOTENCY_KEY="x" * 300).status_code == 400
    assert api.post("/api/v1/staff/articles/", DRAFT, HTTP_IDEMPOTENCY_KEY="wire-4712").status_code == 201
    assert Article.objects.count() == 2


def png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (800, 500), "orange").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "ferry.png"
    return buffer


def test_images_are_uploaded_with_their_renditions(as_user, writer, media_root):
    api = as_user(writer)
    response = api.post(
        "/api/v1/staff/images/", {"file": png(), "alt_text": "The ferry at the quay"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["alt_text"] == "The ferry at the quay"
    assert response.json()["renditions"]
    no_alt = api.post("/api/v1/staff/images/", {"file": png()}, format="multipart")
    assert no_alt.status_code == 400 and "alt_text" in no_alt.json()["fields"]
    fake = io.BytesIO(b"<?php echo 'hi'; ?>")
    fake.name = "photo.png"
    refused = api.post("/api/v1/staff/images/", {"file": fake, "alt_text": "x"}, format="multipart")
    assert refused.status_code == 400
    assert "file" in refused.json()["fields"]


def test_keys_are_made_and_revoked_in_the_admin_and_audited(client, writer, editor):
    client.force_login(writer)
    page = client.post("/admin/api/apitoken/add/", {"user": writer.pk, "name": "Phone app"})
    assert page.status_code == 200
    token = ApiToken.objects.get()
    key = page.context["key"]
    assert key.encode() in page.content
    assert key not in str(ApiToken.objects.values_list())  # only its hash is stored
    assert AuditEntry.objects.filter(action="api_token.create", target_id=str(token.pk), actor=writer).exists()
    assert client.get("/api/v1/staff/articles/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # A writer cannot make a key that acts as someone else.
    assert client.post("/admin/api/apitoken/add/", {"user": editor.pk, "name": "Sneaky"}).status_code == 200
    assert ApiToken.objects.count() == 1
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert AuditEntry.objects.filter(action="api_token.revoke", target_id=str(token.pk)).exists()
    client.logout()
    assert client.get("/api/v1/staff/articles/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
