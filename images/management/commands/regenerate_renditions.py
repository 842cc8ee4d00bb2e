"""Make every image's renditions again from its stored original.

Run it after changing the set of rendition widths or formats. Each image gets
new file names, its row is switched to them, and only then are the old files
deleted, so readers never meet a missing picture. Safe to run again; with
several servers, run it on one."""

from django.core.management.base import BaseCommand

from images.models import Image


class Command(BaseCommand):
    help = "Regenerate the renditions of every image in the library (or only those given by id)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these images (default: all).")
        parser.add_argument("--dry-run", action="store_true", help="List the images without changing anything.")

    def handle(self, *args, ids, dry_run, **options):
        images = Image.objects.order_by("pk")
        if ids:
            images = images.filter(pk__in=ids)
        done = 0
        for image in images.iterator(chunk_size=100):
            if dry_run:
                self.stdout.write(f"Would regenerate {image.pk}: {image.title} ({len(image.renditions)} renditions)")
            else:
                image.regenerate_renditions()
                self.stdout.write(f"Regenerated {image.pk}: {image.title} ({len(image.renditions)} renditions)")
            done += 1
        verb = "would be regenerated" if dry_run else "regenerated"
        self.stdout.write(self.style.SUCCESS(f"{done} images {verb}."))
