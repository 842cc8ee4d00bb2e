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
