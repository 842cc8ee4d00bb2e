"""Query-planner statistics for SQLite.

SQLite chooses indexes well only with statistics, which it gathers only when asked. Without
them it answered an author page, a tag page or a search by reading every live article:
60–120 ms each at 100,000 articles, against about 20 ms with them. PostgreSQL keeps its own
(autovacuum analyses as the tables change), so this does nothing there.
"""

import time

from django.db import connections

OPTIMIZE_EVERY = 3600  # seconds, per process

_last_optimized = time.monotonic()


def analyze(using="default", **kwargs):
    """After `migrate`: statistics from the start, and fresh ones at every deploy."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def optimize(**kwargs):
    """Now and then after a request, `PRAGMA optimize`, as SQLite advises for long-lived
    connections: it analyses a table again once it has grown much since its statistics, and is
    otherwise a no-op of well under a millisecond."""
    global _last_optimized
    connection = connections["default"]
    if connection.vendor != "sqlite" or time.monotonic() - _last_optimized < OPTIMIZE_EVERY:
        return
    _last_optimized = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA optimize")
