"""The outbox: invalidations and purges that failed, kept in the database (`PendingPurge`) and
retried, so that a cache fault never loses an editorial save.

A row names its target: "local" (the key versions could not be written, versions.py) or
"shared" (the shared cache's purge failed, purge.py). This module keeps and drains rows and
knows neither target: whoever drains passes in how each target is delivered, so the key
versions replay their own rows when their store comes back without knowing the purge backends.
"""

import logging

from django.db import DatabaseError
from django.utils import timezone

from .models import PendingPurge

logger = logging.getLogger(__name__)


def keep(keys, *, target, error):
    try:
        PendingPurge.objects.create(keys=sorted(keys), target=target, last_error=str(error)[:500])
    except DatabaseError:
        logger.exception("Page cache: could not keep %d keys for a later purge", len(keys))


def drain(deliver, limit=500, target=None):
    """Retry what waits (or only its `target` part): `deliver[row's target](keys)` sends one
    row's keys and raises if it cannot. Returns (sent, still waiting)."""
    sent = 0
    waiting = PendingPurge.objects.order_by("created_at")
    if target:
        waiting = waiting.filter(target=target)
    for pending in waiting[:limit]:
        try:
            deliver[pending.target](set(pending.keys))
        except Exception as error:  # noqa: BLE001
            PendingPurge.objects.filter(pk=pending.pk).update(
                attempts=pending.attempts + 1, last_error=str(error)[:500], last_attempt_at=timezone.now()
            )
            continue
        pending.delete()
        sent += 1
    return sent, waiting.count()
