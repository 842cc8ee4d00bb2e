"""Record "went live" and "expired" events and send their notifications.

It also rebuilds the theme-suggestion model before it goes stale, so no editor waits
for it. Visibility never waits for this command: `Article.objects.live()` decides what is
public to the second. Run it every minute for the history and the emails; it is
idempotent and safe to run on several servers at once (a unique constraint makes
each event happen once). It also retries page-cache purges that failed."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from articles.workflow import publish_scheduled
from pagecache.purge import drain
from similarity.suggestions import refresh_theme_model


class Command(BaseCommand):
    help = "Record went-live/expired events for moments that have passed, and notify authors."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be recorded; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        events = publish_scheduled(dry_run=dry_run)
        for event in events:
            moment = timezone.localtime(event.moment).strftime("%Y-%m-%d %H:%M:%S %Z")
            prefix = "would record" if dry_run else "recorded"
            self.stdout.write(f"{prefix}: {event.get_action_display().lower()} at {moment}: {event.article}")
        if not dry_run and refresh_theme_model():
            self.stdout.write("Theme suggestions rebuilt.")
        if not dry_run:
            sent, waiting = drain()  # purges of the page cache that failed, retried
            if sent or waiting:
                self.stdout.write(f"Page cache purges: {sent} sent, {waiting} still waiting.")
        # Last, on a line of its own: scripts read the count from it.
        self.stdout.write(f"{len(events)} event(s) {'due' if dry_run else 'recorded'}.")
