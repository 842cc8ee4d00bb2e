"""`publish_scheduled` on several servers at once: every event exactly once (PostgreSQL)."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Action, ArticleEvent

ROOT = Path(__file__).resolve().parent.parent


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_servers_running_at_once_record_each_event_once(make_article):
    if connection.vendor != "postgresql":
        pytest.skip("runs against PostgreSQL, where app servers share one database (CI runs it)")
    went_live = timezone.now() - timedelta(seconds=5)
    articles = [make_article(f"Scheduled story {n}", publish_at=went_live) for n in range(40)]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    runs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "publish_scheduled"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    recorded = [int(output.strip().splitlines()[-1].split()[0]) for output in outputs]
    assert sum(recorded) == len(articles)
    assert ArticleEvent.objects.filter(action=Action.WENT_LIVE).count() == len(articles)
    for article in articles:
        assert article.events.filter(action=Action.WENT_LIVE).count() == 1
