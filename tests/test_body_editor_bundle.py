"""The committed body editor (static/js/body-editor.js) is what its pinned sources build: a
change to assets/body-editor/ without `make assets` fails here, and so would a hand edit."""

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "static/js/body-editor.js"
ESBUILD = ROOT / "node_modules/.bin/esbuild"


@pytest.mark.skipif(
    not (ESBUILD.exists() and shutil.which("node")) and not os.environ.get("CI"),
    reason="the rebuild needs node and `npm ci` (make test runs it)",
)
def test_the_committed_bundle_is_a_rebuild_of_its_sources(tmp_path):
    rebuilt = tmp_path / "body-editor.js"
    build = subprocess.run(
        ["npm", "run", "--silent", "build", "--", f"--outfile={rebuilt}"], cwd=ROOT, capture_output=True, text=True
    )
    assert build.returncode == 0, build.stderr
    assert rebuilt.read_bytes() == BUNDLE.read_bytes(), "static/js/body-editor.js is stale: run `make assets`"


def test_the_bundle_stays_under_250_kb_compressed():
    size = len(gzip.compress(BUNDLE.read_bytes(), compresslevel=9))
    assert size < 250_000, f"{size} bytes gzipped"


@pytest.mark.django_db
def test_the_editors_picture_cards_are_for_the_newsroom_only(client, writer, settings, tmp_path, django_user_model):
    from django.core.files.base import ContentFile

    from images.models import Image
    from tests.test_images import picture_bytes

    settings.MEDIA_ROOT = tmp_path
    quay = Image.objects.create(
        file=ContentFile(picture_bytes(size=(800, 500)), name="quay.jpg"),
        title="Quay",
        alt_text="The quay at dawn",
        caption="Київ, 31 December",
        credit="東京 Photo",
    )
    url = "/admin/articles/article/pictures/"
    assert client.get(url, {"ids": str(quay.pk)}).status_code == 302  # to the sign-in page
    reader = django_user_model.objects.create_user("reader", password="pw", is_staff=True)
    client.force_login(reader)
    assert client.get(url, {"ids": str(quay.pk)}).status_code == 403
    client.force_login(writer)
    found = client.get(url, {"ids": f"{quay.pk},0,x,99999999999999999999"}).json()["pictures"]
    assert [(p["id"], p["alt"], p["caption"]) for p in found] == [(quay.pk, "The quay at dawn", "Київ, 31 December")]
    assert found[0]["thumbnail"].endswith((".webp", ".jpg"))
    assert [p["id"] for p in client.get(url, {"q": "東京"}).json()["pictures"]] == [quay.pk]
    assert client.get(url, {"q": "Harbour"}).json()["pictures"] == []
