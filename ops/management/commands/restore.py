"""Load a backup made by `manage.py backup` into an empty install (after `manage.py migrate`).

    manage.py restore newsroom-2026-03-01.tar.gz

Refuses to mix two newsrooms: the install must have no articles, authors, themes,
images or users, unless --flush is given, which deletes everything first."""

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a `manage.py backup` archive into an empty install."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Path of the .tar.gz to read.")
        parser.add_argument(
            "--flush", action="store_true", help="Delete everything in the database first (cannot be undone)."
        )

    def handle(self, *args, archive, flush, **options):
        try:
            manifest = restore(archive, flush=flush)
        except (BackupError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Restored {rows} rows and {manifest['media_files']} media files from {archive} "
            f"(made {manifest['created_at']})."
        )
