"""Import a WordPress export (WXR 1.1/1.2): `manage.py import_wordpress EXPORT.xml [--media-dir DIR] [--dry-run]`.

Running it again with the same (or a newer) export updates what it imported before and never
duplicates; old WordPress addresses answer 301 to the new pages. See wordpress/importer.py."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from wordpress.importer import MalformedExport, WordPressImport


class Command(BaseCommand):
    help = "Import posts, categories, tags, authors and images from a WordPress export (WXR) file."

    def add_arguments(self, parser):
        parser.add_argument("export", help="The .xml file from WordPress's Tools → Export.")
        parser.add_argument(
            "--media-dir", help="The site's wp-content/uploads directory, for featured images and pictures."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen and change nothing.")

    def handle(self, *args, export, media_dir, dry_run, **options):
        if media_dir and not os.path.isdir(media_dir):
            raise CommandError(f"--media-dir {media_dir} is not a directory.")
        interactive = sys.stderr.isatty()

        def progress(done, total):
            if interactive or done == total or done % 500 == 0:
                width = 30
                filled = width * done // max(total, 1)
                end = "\n" if done == total or not interactive else ""
                self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} items", ending=end)

        try:
            report = WordPressImport(export, media_dir=media_dir, dry_run=dry_run, progress=progress).run()
        except FileNotFoundError:
            raise CommandError(f"There is no file {export}.") from None
        except MalformedExport as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. This is what the import would do:")
        for line in report.lines():
            self.stdout.write(line)
