"""Purge the shared cache at each schedule moment, to the second, and retry the outbox.

Requests purge at a moment too, but a shared cache (Varnish, a CDN) answers its readers
without asking the site: with one configured (PAGE_CACHE_PURGE), run this on one server
(deploy/newsroom-watch-schedule.service). It wakes at the next moment, or every
PAGE_CACHE_SYNC_INTERVAL seconds to learn about new schedules."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from pagecache import purge
from pagecache.keys import tick

DRAIN_EVERY = 30  # seconds between retries of failed purges


class Command(BaseCommand):
    help = "Purge the shared cache at each publication, expiry and dormancy moment; retry failed purges."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Look once and stop (for cron and tests).")

    def handle(self, *args, once=False, **options):
        drained_at = 0.0
        while True:
            now = time.time()
            moment = tick(now)
            if now - drained_at >= DRAIN_EVERY:
                sent, waiting = purge.drain()
                drained_at = now
                if sent or waiting:
                    self.stdout.write(f"Outbox: {sent} purge(s) sent, {waiting} waiting.")
            if once:
                return
            wake = now + settings.PAGE_CACHE_SYNC_INTERVAL
            if moment is not None:
                wake = min(wake, moment)
            time.sleep(max(0.0, wake - time.time()))
