"""Live coverage through a real Varnish (deploy/varnish.vcl, xkey): the poll answer and the page
stay in Varnish between entries and are purged by `live:<id>` at a scheduled entry's second
(`watch_schedule`) and at a withdrawal."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, system_gate
from live.door import post_entry, withdraw_entry
from tests.test_cache_purge import fetch, varnish  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_varnish_serves_the_poll_until_the_entrys_second(varnish, editor):  # noqa: F811
    now = timezone.now().replace(microsecond=0)
    with system_gate():
        article = Article.objects.create(
            headline="Storm night: live",
            standfirst="Wind and water across the coast.",
            status="APPROVED",
            publish_at=now - timedelta(hours=1),
            coverage_start=now - timedelta(hours=1),
        )
    with time_machine.travel(now, tick=False):
        first = post_entry(article, user=editor, body="Gusts of 90 km/h at the pier.")
        poll = f"{varnish}/live/{article.pk}/since/{first.pk}/"
        page = varnish + article.get_absolute_url()
        for url in (poll, page):
            fetch(url)
            assert fetch(url)[1], url  # the second reader gets Varnish's copy
        later = post_entry(
            article, user=editor, body="Київ-bound ferry held in port.", publish_at=now + timedelta(seconds=18)
        )
        call_command("watch_schedule", once=True)
        body, cached, _ = fetch(poll)
        assert '"count": 0' in body.replace('"count":0', '"count": 0')
    with time_machine.travel(now + timedelta(seconds=18), tick=False):
        call_command("watch_schedule", once=True)  # purges live:<id> at the entry's second
        body, cached, _ = fetch(poll)
        assert not cached and f'id=\\"entry-{later.pk}\\"' in body
        assert "Київ-bound ferry" in fetch(page)[0]
        assert fetch(poll)[1]  # and every reader after is a hit again
        withdraw_entry(later.pk, user=editor, version=later.version, note="Wrong port")
        body, cached, _ = fetch(poll)
        assert not cached and f'"removed": [{later.pk}]' in body.replace(
            f'"removed":[{later.pk}]', f'"removed": [{later.pk}]'
        )
        assert "Київ-bound ferry" not in fetch(page)[0]
