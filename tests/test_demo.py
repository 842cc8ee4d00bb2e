import io

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, State
from themes.models import Theme


def test_loaddemo_builds_the_demo_newsroom_once(db, settings, client):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("loaddemo", stdout=out)
    call_command("loaddemo", stdout=out)  # idempotent
    assert "login: editor / harbour-editor-2026" in out.getvalue()
    assert Theme.objects.count() == 6
    assert Article.objects.count() == 61  # 60 from ops/demo, one live coverage from live/demo.py
    states = [article.state() for article in Article.objects.all()]
    assert states.count(State.SCHEDULED) == 1
    assert states.count(State.DRAFT) >= 1 and states.count(State.IN_REVIEW) >= 1
    assert Article.objects.live().count() >= 50
    settings.DEBUG = False
    assert client.get("/").status_code == 200
    assert client.get(Article.objects.live().first().get_absolute_url()).status_code == 200
    assert client.login(username="editor", password="harbour-editor-2026")
    assert client.get("/admin/").status_code == 200


def test_loaddemo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("loaddemo")
