"""Rebuild the search index from every article. Safe to run at any time; run it once
after installing search on an existing newsroom. Articles are indexed as they are saved."""

from django.core.management.base import BaseCommand

from search.index import rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search index from every article."

    def handle(self, *args, **options):
        total = rebuild()
        self.stdout.write(self.style.SUCCESS(f"Indexed {total} articles."))
