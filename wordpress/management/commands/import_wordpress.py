"""Import a WordPress export (WXR 1.0–1.2):

    manage.py import_wordpress EXPORT.xml [--media-dir DIR] [--fetch-media] [--themes-from categories|tags|none]
        [--map FILE.csv] [--map-authors FILE.csv] [--report FILE.csv] [--dry-run]

Running it again with the same (or a newer) export updates what it imported before and never
duplicates; a run that was stopped resumes. Old WordPress addresses answer 301 to the new pages.
See docs/wordpress.md and wordpress/importer.py."""

import csv
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wordpress.importer import THEMES_FROM, ImportRefused, MalformedExport, WordPressImport, read_mapping
from wordpress.middleware import new_address


class Command(BaseCommand):
    help = "Import posts, pages, categories, tags, authors and pictures from a WordPress export (WXR) file."

    def add_arguments(self, parser):
        parser.add_argument("export", help="The .xml file from WordPress's Tools → Export.")
        parser.add_argument("--media-dir", help="A copy of the site's wp-content/uploads folder (YYYY/MM/file).")
        parser.add_argument(
            "--fetch-media",
            action="store_true",
            help="Download pictures not found in --media-dir from the export's own hosts (size and time limited).",
        )
        parser.add_argument(
            "--themes-from",
            choices=THEMES_FROM,
            default="categories",
            help="What becomes a theme (default: categories).",
        )
        parser.add_argument(
            "--map", dest="theme_map", help="CSV: category slug or path (news/local) → theme slug, or - for none."
        )
        parser.add_argument("--map-authors", help="CSV: WordPress login → slug of an author already in the newsroom.")
        parser.add_argument("--report", help="Write every old address with its new one to this CSV file.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen and change nothing.")

    def handle(self, *args, export, media_dir, fetch_media, themes_from, theme_map, map_authors, report, dry_run, **o):
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
            result = WordPressImport(
                export,
                media_dir=media_dir,
                fetch_media=fetch_media,
                dry_run=dry_run,
                progress=progress,
                themes_from=themes_from,
                theme_map=read_mapping(theme_map, "category") if theme_map else None,
                author_map=read_mapping(map_authors, "author") if map_authors else None,
            ).run()
        except FileNotFoundError as error:
            raise CommandError(f"There is no file {error.filename or export}.") from None
        except (MalformedExport, ImportRefused) as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. This is what the import would do:")
        for line in result.lines():
            self.stdout.write(line)
        if report and not dry_run:
            self.write_report(report, result.addresses)

    def write_report(self, path, addresses):
        """old address, new address, what it is, and whether it redirects now (drafts do not)."""
        seen = set()
        with open(path, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["old address", "new address", "kind", "answers"])
            for address in addresses:
                if address.path in seen:
                    continue
                seen.add(address.path)
                address.refresh_from_db()
                kind = next(name for name in address.TARGETS if getattr(address, f"{name}_id"))
                public = new_address(address)
                target = public or new_address(address, public_only=False)
                writer.writerow(
                    [address.path, settings.SITE_URL + target, kind, "301" if public else "404 until published"]
                )
        self.stdout.write(f"Old addresses: {len(seen)}, listed in {path}.")
