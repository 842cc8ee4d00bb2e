"""Export the whole newsroom (every database row and media file) to one .tar.gz.

    manage.py backup newsroom-2026-03-01.tar.gz

Reads only; safe to run on any server while the newsroom is in use."""

from django.core.management.base import BaseCommand

from ops.backup import backup


class Command(BaseCommand):
    help = "Write every database row and media file to a .tar.gz that `manage.py restore` loads."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Path of the .tar.gz to write.")

    def handle(self, *args, archive, **options):
        manifest = backup(archive)
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"Backed up {rows} rows and {manifest['media_files']} media files to {archive}.")
