"""The publication rule: `Article.objects.live()` and what follows from it."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError

from articles.models import Article, State, Status


@pytest.mark.parametrize(
    ("status", "publish_offset", "expire_offset", "live", "state"),
    [
        (Status.DRAFT, -1, None, False, State.DRAFT),
        (Status.DRAFT, None, None, False, State.DRAFT),
        (Status.IN_REVIEW, -1, None, False, State.IN_REVIEW),
        (Status.WITHDRAWN, -1, None, False, State.WITHDRAWN),
        (Status.APPROVED, +1, None, False, State.SCHEDULED),
        (Status.APPROVED, 0, None, True, State.PUBLISHED),
        (Status.APPROVED, -1, None, True, State.PUBLISHED),
        (Status.APPROVED, -1, +1, True, State.PUBLISHED),
        (Status.APPROVED, -1, 0, False, State.EXPIRED),
        (Status.APPROVED, -2, -1, False, State.EXPIRED),
        (Status.APPROVED, +1, +2, False, State.SCHEDULED),
        (Status.WITHDRAWN, -2, +1, False, State.WITHDRAWN),
    ],
)
def test_publication_matrix(make_article, now, status, publish_offset, expire_offset, live, state):
    hour = timedelta(hours=1)
    with time_machine.travel(now, tick=False):
        article = make_article(
            status=status,
            publish_at=None if publish_offset is None else now + publish_offset * hour,
            expire_at=None if expire_offset is None else now + expire_offset * hour,
        )
        assert (article in Article.objects.live()) is live
        assert article.is_live() is live
        assert article.state() == state
        assert list(Article.objects.in_state(state)) == [article]


def test_scheduled_article_goes_live_at_its_second(make_article, now):
    with time_machine.travel(now, tick=False):
        article = make_article(publish_at=now + timedelta(seconds=2))
        assert not Article.objects.live().filter(pk=article.pk).exists()
    with time_machine.travel(now + timedelta(seconds=1, microseconds=999_999), tick=False):
        assert not Article.objects.live().filter(pk=article.pk).exists()
    with time_machine.travel(now + timedelta(seconds=2), tick=False):
        assert Article.objects.live().filter(pk=article.pk).exists()


def test_live_query_uses_the_publication_index(make_article, django_assert_num_queries):
    make_article()
    with django_assert_num_queries(1):
        assert len(list(Article.objects.live())) == 1


def test_an_approved_article_always_has_a_publication_time(make_article):
    with pytest.raises(IntegrityError):
        make_article(status=Status.APPROVED, publish_at=None)
