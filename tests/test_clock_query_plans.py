"""The page cache's clock (PAGE_CACHE_SCHEDULES) runs in readers' requests: each worker looks for
the next moment after every invalidation and at every publication moment. Its queries must seek
an index, never read every article row: at 100,000 articles an ordered walk took 600 ms (4.4 s
cold) and a scan for coverage moments held each worker for about 700 ms after every edit."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string

# Steps of SQLite's EXPLAIN QUERY PLAN that read the article rows one by one.
ROW_WALKS = ("SCAN articles_article", "SCAN U0")


def walks_rows(step):
    return step.startswith(ROW_WALKS) and "COVERING INDEX" not in step


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_the_clock_s_queries_seek_indexes(settings, make_article):
    make_article()  # next_change rides on one article row
    until = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    with CaptureQueriesContext(connection) as queries:
        for hook in settings.PAGE_CACHE_SCHEDULES:
            import_string(hook)(until - timedelta(seconds=30), until)  # a moment passed
            import_string(hook)(until, until)  # after an invalidation: the next moment
    assert queries.captured_queries
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = [row[3] for row in cursor.fetchall()]
            assert not [step for step in plan if walks_rows(step)], (query["sql"], plan)
