"""Whole-newsroom backups: one .tar.gz with every database row (as Django fixtures with
natural keys, so they load into any empty install) and every media file.

Layout of the archive:
    manifest.json   format version, when, row counts per model, media file count
    data.json       `dumpdata --natural-foreign --natural-primary` of every model but…
    keyed.json      …those whose natural key does not identify a row, with their primary keys
    media/…         the files of the default storage (disk or object storage), as stored
"""

import io
import json
import os
import tarfile
import tempfile
from collections import Counter
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from articles.models import system_gate
from audit.context import paused
from images.orphans import media_files

FORMAT = 1

# Rebuilt by `migrate` (contenttypes, permissions) or worthless in another install
# (sessions, sign-in throttling counters).
NOT_BACKED_UP = ["contenttypes", "auth.permission", "sessions", "axes"]

# django-taggit's TaggedItem "natural key" is the tagged object's id alone: two tags on one
# article would load as one. These keep their primary keys instead.
KEEP_PRIMARY_KEYS = ["taggit.taggeditem"]

# Any of these holding rows means the install is not empty: restoring over it would mix two newsrooms.
CONTENT_MODELS = ["articles.Article", "articles.Author", "themes.Theme", "images.Image", "auth.User"]


class BackupError(Exception):
    pass


def dump_data(data_path, keyed_path):
    """Every row, in one consistent snapshot of the database."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=NOT_BACKED_UP + KEEP_PRIMARY_KEYS,
            output=str(data_path),
            verbosity=0,
        )
        call_command("dumpdata", *KEEP_PRIMARY_KEYS, natural_foreign=True, output=str(keyed_path), verbosity=0)


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup(out_path):
    """Write the archive to `out_path` (atomically: a half-written backup never has the final name).
    Returns the manifest."""
    out_path = Path(out_path)
    with tempfile.TemporaryDirectory() as scratch:
        data_path, keyed_path = Path(scratch) / "data.json", Path(scratch) / "keyed.json"
        dump_data(data_path, keyed_path)
        rows = [row for path in (data_path, keyed_path) for row in json.loads(path.read_text(encoding="utf-8"))]
        files = list(media_files())
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "rows": dict(sorted(Counter(row["model"] for row in rows).items())),
            "media_files": len(files),
        }
        partial = out_path.with_name(out_path.name + ".partial")
        partial.unlink(missing_ok=True)
        # 0600 from the first byte: the archive holds password hashes and unpublished articles.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            archive.add(data_path, "data.json")
            archive.add(keyed_path, "keyed.json")
            for name in files:
                with default_storage.open(name, "rb") as stored:
                    _add_bytes(archive, f"media/{name}", stored.read())
        partial.replace(out_path)
    return manifest


def _safe_media_name(member):
    path = PurePosixPath(member.name)
    if not member.isfile() or path.is_absolute() or ".." in path.parts or path.parts[0] != "media":
        raise BackupError(f"Unexpected entry in the archive: {member.name}")
    return str(PurePosixPath(*path.parts[1:]))


def content_present():
    return [label for label in CONTENT_MODELS if apps.get_model(label)._default_manager.exists()]


def restore(in_path, *, flush=False):
    """Load an archive made by `backup()` into this install. Refuses unless the install
    is empty (or `flush`, which first deletes everything in the database). Returns the manifest."""
    with tarfile.open(in_path, "r:gz") as archive:
        members = {member.name: member for member in archive.getmembers()}
        if not {"manifest.json", "data.json", "keyed.json"} <= members.keys():
            raise BackupError("Not a newsroom backup: manifest.json, data.json or keyed.json is missing.")
        manifest = json.load(archive.extractfile(members["manifest.json"]))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Backup format {manifest.get('format')} is not supported (expected {FORMAT}).")
        fixed = {"manifest.json", "data.json", "keyed.json"}
        media = [(member, _safe_media_name(member)) for name, member in members.items() if name not in fixed]

        if flush:
            call_command("flush", interactive=False, verbosity=0)
        elif present := content_present():
            raise BackupError(
                f"This install is not empty ({', '.join(present)} exist). "
                "Restore into an empty install, or pass --flush."
            )

        with tempfile.TemporaryDirectory() as scratch:
            fixtures = []
            for name in ("data.json", "keyed.json"):
                fixtures.append(Path(scratch) / name)
                fixtures[-1].write_bytes(archive.extractfile(members[name]).read())
            # Restoring re-creates group memberships; it changes nobody's rights, so it is not audited.
            # It brings back the newsroom as it was, so articles arrive in their states, not through steps.
            with paused(), system_gate(), transaction.atomic():
                call_command("loaddata", *map(str, fixtures), verbosity=0)

        for member, name in media:
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, ContentFile(archive.extractfile(member).read()))
            if saved != name:
                raise BackupError(f"Media file {name} was stored as {saved}.")
    cache.clear()
    return manifest
