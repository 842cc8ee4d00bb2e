"""`manage.py backup` and `manage.py restore`: a whole newsroom survives the round trip."""

import io
import json
import os
import re
import stat
import tarfile
from collections import Counter

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image as Picture

from articles.models import Article, Status, system_gate
from audit.models import Action, AuditEntry
from images.models import Image
from ops.backup import NOT_BACKED_UP
from themes.models import Theme


def png(colour):
    buffer = io.BytesIO()
    Picture.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clean_content_types():
    """Flushing re-creates content types under new ids, and the test's teardown
    restores the old ones, so the cache must forget both."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def newsroom(media_root, make_theme, make_author, make_article):
    desk = User.objects.create_user("desk", "desk@example.org", "pw-desk-1234", is_staff=True, first_name="Ana")
    night = Group.objects.create(name="Night desk")
    night.permissions.add(Permission.objects.get(codename="change_article"))
    desk.groups.add(night)
    desk.user_permissions.add(Permission.objects.get(codename="view_theme"))
    theme = make_theme("Harbour bridge", slug="harbour-bridge", description="The rebuild.")
    author = make_author("Ana Reyes", slug="ana-reyes", user=desk)
    picture = Image.objects.create(
        file=SimpleUploadedFile("bridge.png", png("navy")), title="Bridge", alt_text="The bridge at dawn"
    )
    live = make_article(
        "Bridge reopens", theme=theme, authors=[author], tags=["transport", "bridge"], lead_image=picture
    )
    make_article("Draft about ferries", status=Status.DRAFT, publish_at=None, body="Ferries **soon**.")
    live.status = Status.WITHDRAWN
    with system_gate():  # set as a fixture, not a step
        live.save()
    AuditEntry.record(desk, Action.LOGIN, desk)
    return {"desk": desk, "picture": picture, "live": live}


WHOLE_SECOND = re.compile(r'(T\d{2}:\d{2}:\d{2})\.000(?=Z|[+-]\d{2}:\d{2}")')


def everything():
    """Every backed-up row, serialised with natural keys, as a comparable multiset. Times are
    kept to the millisecond, as the backup's JSON keeps them: Django's encoder writes
    "12:00:01.000Z" for 1–999 µs past a second but "12:00:01Z" for none."""
    out = io.StringIO()
    call_command("dumpdata", natural_foreign=True, natural_primary=True, exclude=NOT_BACKED_UP, stdout=out)
    text = WHOLE_SECOND.sub(r"\1", out.getvalue())
    return Counter(json.dumps(row, sort_keys=True) for row in json.loads(text))


def media(root):
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


# Flushing for real needs committed data (PostgreSQL refuses TRUNCATE with deferred checks
# pending); serialized_rollback puts back the rows the migrations made, for the tests after.
flushes = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@flushes
def test_backup_and_restore_into_an_empty_install_loses_nothing(newsroom, media_root, tmp_path, clean_content_types):
    before, files_before = everything(), media(media_root)
    labels = {json.loads(row)["model"] for row in before}
    for label in ["articles.article", "articles.author", "articles.byline", "themes.theme", "images.image"]:
        assert label in labels
    assert {"taggit.tag", "taggit.taggeditem", "auth.user", "auth.group", "audit.auditentry"} <= labels
    archive = tmp_path / "newsroom.tar.gz"

    call_command("backup", str(archive), stdout=io.StringIO())

    # An empty install: no rows, no files.
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert not Article.objects.exists() and not User.objects.exists() and media(media_root) == {}

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    assert everything() == before
    assert media(media_root) == files_before
    assert "media files" in out.getvalue()
    # Restored, it works: passwords, permissions through groups, files behind images.
    desk = User.objects.get(username="desk")
    assert desk.check_password("pw-desk-1234")
    assert desk.has_perm("articles.change_article") and desk.has_perm("themes.view_theme")
    assert Image.objects.get().file.read() == png("navy")
    assert Article.objects.get(headline="Bridge reopens").tags.count() == 2
    # Restoring changed nobody's rights, so it added nothing to the audit log.
    assert AuditEntry.objects.count() == before_count(before, "audit.auditentry")


def before_count(rows, label):
    return sum(count for row, count in rows.items() if json.loads(row)["model"] == label)


def test_restore_refuses_an_install_that_has_content(newsroom, tmp_path):
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))


@flushes
def test_restore_with_flush_replaces_what_is_there(newsroom, tmp_path, clean_content_types):
    archive = tmp_path / "newsroom.tar.gz"
    before = everything()
    call_command("backup", str(archive), stdout=io.StringIO())
    Theme.objects.create(name="Added after the backup", slug="added")
    call_command("restore", str(archive), flush=True, stdout=io.StringIO())
    assert everything() == before


def test_backup_archive_says_what_it_holds(newsroom, tmp_path):
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format"] == 1
    assert manifest["rows"]["articles.article"] == 2
    assert manifest["media_files"] == len([n for n in names if n.startswith("media/")]) >= 1
    assert not (tmp_path / "newsroom.tar.gz.partial").exists()


def test_the_archive_is_readable_by_its_owner_only(newsroom, tmp_path):
    """It holds password hashes and unpublished articles: 0600 whatever the umask, even over an older file."""
    archive = tmp_path / "newsroom.tar.gz"
    archive.write_bytes(b"an older backup")
    archive.chmod(0o644)
    previous = os.umask(0o022)
    try:
        call_command("backup", str(archive), stdout=io.StringIO())
    finally:
        os.umask(previous)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        assert "manifest.json" in tar.getnames()


def test_restore_refuses_archives_that_write_outside_the_media_folder(db, tmp_path, media_root):
    archive = tmp_path / "hostile.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in [
            ("manifest.json", b'{"format": 1, "rows": {}, "media_files": 1, "created_at": "now"}'),
            ("data.json", b"[]"),
            ("keyed.json", b"[]"),
            ("media/../../etc/cron.d/evil", b"* * * * * root true"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="Unexpected entry"):
        call_command("restore", str(archive))
