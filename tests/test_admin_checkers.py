"""Every admin page a writer or an editor opens passes the Nu HTML Checker (0 errors) and axe
(0 violations): the desk, the list at 1366 and 390 px, the forms, history, compare, the bin,
the calendar, the picture library, site settings, API keys and the sign-in page."""

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import reversion
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from api.models import ApiToken
from articles.models import Article, Byline, Status, system_gate
from articles.workflow import take_step
from images.models import Image
from tests.test_images import picture_bytes

VNU = Path(__file__).resolve().parent.parent / "node_modules/vnu-jar/build/dist/vnu.jar"
needs_nu = pytest.mark.skipif(
    not (VNU.exists() and shutil.which("java")) and not os.environ.get("CI"),
    reason="the Nu HTML Checker needs Java and `npm ci`",
)


@pytest.fixture
def admin_pages(settings, tmp_path, make_user, make_author, make_theme):
    """(who, address) for every admin page people open, with content in it."""
    settings.MEDIA_ROOT = tmp_path
    editor = make_user("maria", "Editors", first_name="Maria", last_name="Lind")
    writer = make_user("olena", "Writers", first_name="Олена", last_name="Коваль")
    make_author("Maria Lind", slug="maria-lind", user=editor)
    olena = make_author("Олена Коваль", slug="olena-koval", user=writer)
    theme = make_theme("Київ ferries")
    image = Image.objects.create(
        file=ContentFile(picture_bytes(size=(800, 500)), name="quay.jpg"),
        title="Quay",
        alt_text="The quay at dawn",
        uploaded_by=writer,
    )
    with reversion.create_revision():
        draft = Article.objects.create(headline="Ferry timetable changes", body="From Monday.", created_by=writer)
        Byline.objects.create(article=draft, author=olena)
        draft.tags.set(["Київ", "ferries"])
    with reversion.create_revision():
        draft.body = "From Monday, the first ferry leaves at six."
        draft.save()
    with system_gate():
        live = Article.objects.create(
            headline="Harbour bridge reopens",
            body="The bridge reopened.",
            status=Status.APPROVED,
            publish_at="2026-03-09T08:00:00Z",
            theme=theme,
            lead_image=image,
        )
    binned = Article.objects.create(headline="Old story", body="Gone.", created_by=editor)
    take_step(binned, "delete", user=editor)
    ApiToken.issue(user=editor, name="Newsletter export")
    # A story scheduled in two days, for the week's movable entries ("Move to", dragging).
    soon = Article.objects.create(headline="東京の港で新しい航路 🚢", body="Soon.", created_by=editor)
    take_step(soon, "approve", user=editor, when=timezone.now() + timedelta(days=2))
    week = timezone.localdate(soon.publish_at).isoformat()
    versions = list(Version.objects.get_for_object(draft))
    compare = reverse("admin:articles_article_compare", args=[draft.pk])
    compare += f"?version_id1={versions[-1].pk}&version_id2={versions[0].pk}"
    editors = [
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[draft.pk]),
        reverse("admin:articles_article_change", args=[live.pk]),
        reverse("admin:articles_article_history", args=[draft.pk]),
        compare,
        reverse("admin:articles_articleinbin_changelist"),
        reverse("admin:articles_article_calendar"),
        reverse("admin:articles_article_calendar") + f"?week={week}",
        reverse("admin:images_image_changelist"),
        reverse("admin:images_image_add"),
        reverse("admin:images_image_change", args=[image.pk]),
        reverse("admin:sitesettings_sitesettings_changelist"),
        reverse("admin:api_apitoken_changelist"),
        reverse("admin:api_apitoken_add"),
        reverse("admin:themes_theme_changelist"),
        reverse("admin:password_change"),
    ]
    writers = [
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[draft.pk]),
        reverse("admin:images_image_changelist"),
    ]
    return [(None, reverse("admin:login"))] + [("maria", a) for a in editors] + [("olena", a) for a in writers]


def nu_errors(documents):
    """The Nu HTML Checker's errors for each {name: html}, in one run of the checker."""
    folder = Path(documents.pop("_folder"))
    for name, html in documents.items():
        (folder / name).write_text(html)
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},  # the machine's clock
    )
    errors = {}
    for message in json.loads(run.stderr or run.stdout)["messages"]:
        name = Path(message.get("url", "")).name
        errors.setdefault(name, []).append(f"{message.get('lastLine')}: {message['message']}")
    return errors


@needs_nu
def test_admin_pages_have_no_html_errors(client, admin_pages, tmp_path):
    documents = {"_folder": tmp_path / "pages"}
    (tmp_path / "pages").mkdir()
    for n, (who, address) in enumerate(admin_pages):
        client.logout()
        if who:
            client.force_login(User.objects.get(username=who))
        response = client.get(address, follow=True)
        assert response.status_code == 200, address
        documents[f"{n:02d}-{who}-{address.strip('/').replace('/', '_')[:60]}.html"] = response.content.decode()
    errors = nu_errors(documents)
    assert errors == {}, json.dumps(errors, indent=1, ensure_ascii=False)


def axe_summary(results):
    return [(v["id"], [node["target"] for node in v["nodes"]][:3]) for v in results.response["violations"]]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_pages_have_no_axe_violations(admin_pages, live_server, browser):
    axe = Axe()
    violations = {}
    for width, height in ((1366, 900), (390, 844)):
        for who in (None, "maria", "olena"):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            if who:
                page.goto(live_server.url + reverse("admin:login"))
                page.get_by_label("Username").fill(who)
                page.get_by_label("Password").fill("pw")
                page.get_by_role("button", name="Log in").click()
            for person, address in admin_pages:
                if person != who or (width < 1000 and "changelist" not in address and address.count("/") > 3):
                    continue
                page.goto(live_server.url + address)
                results = axe.run(page)
                if results.violations_count:
                    violations[(width, who, address)] = axe_summary(results)
            context.close()
    assert violations == {}, "\n".join(f"{where}: {found}" for where, found in violations.items())
