"""List the media files that no image refers to, and remove them with --delete.

A worker killed during an upload, or a failure between writing a picture and recording it,
leaves files that nothing shows. Files younger than --older-than minutes are left alone:
they may belong to an upload in progress. Dry run by default; safe to run on several
servers at once (a file already removed is skipped)."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from images.orphans import GRACE, orphan_files


class Command(BaseCommand):
    help = "List media files no image refers to (a dry run); --delete removes them."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Remove the files (default: only list them).")
        parser.add_argument(
            "--older-than",
            type=int,
            default=int(GRACE.total_seconds() // 60),
            metavar="MINUTES",
            help="Only files last written at least this many minutes ago (default: %(default)s).",
        )

    def handle(self, *args, delete, older_than, **options):
        count = total = 0
        for name, size in orphan_files(default_storage, grace=timedelta(minutes=max(older_than, 0))):
            if delete:
                default_storage.delete(name)
            self.stdout.write(f"{'Removed' if delete else 'Would remove'} {name} ({size:,} bytes)")
            count += 1
            total += size
        verb = "removed" if delete else "would be removed (dry run: add --delete to remove them)"
        self.stdout.write(self.style.SUCCESS(f"{count} orphan files, {total:,} bytes, {verb}."))
