"""One edit, one event: a save through the door that changes a headline, two bylines and three
tags reindexes the article once and invalidates its pages once, after the commit, with a
bounded number of queries whatever the article carried before."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.door import save_content
from articles.events import article_changed
from pagecache import keys
from search import index, signals


@pytest.fixture
def counted(monkeypatch):
    calls = {"reindexed": [], "invalidated": [], "events": []}
    real_index, real_invalidate = index.index_articles, keys.invalidate_now

    def reindex(ids):
        calls["reindexed"].append(sorted(ids))
        return real_index(ids)

    def invalidate(found, purge_shared=True):
        if found:  # the callbacks after the first find nothing left: no write
            calls["invalidated"].append(set(found))
        return real_invalidate(found, purge_shared)

    monkeypatch.setattr(signals, "index_articles", reindex)
    monkeypatch.setattr(keys, "invalidate_now", invalidate)

    def heard(sender, ids, fields, **kwargs):
        calls["events"].append((set(ids), set(fields)))

    article_changed.connect(heard, dispatch_uid="test-one-event")
    yield calls
    article_changed.disconnect(dispatch_uid="test-one-event")


@pytest.mark.django_db(transaction=True)
def test_one_save_is_one_reindex_one_invalidation_and_bounded_queries(make_article, make_author, make_user, counted):
    editor = make_user("editor", "Editors")
    article = make_article("Флот повертається", authors=[make_author("Олена Коваль")], tags=["Одеса"])
    authors = [make_author("Ана Рейес"), make_author("佐藤 花子")]
    for calls in counted.values():
        calls.clear()
    with CaptureQueriesContext(connection) as queries:
        save_content(
            article,
            {"headline": "Флот повертається до Одеси", "authors": authors, "tags": ["Одеса", "порт", "東京"]},
            user=editor,
            expected_version=article.version,
        )
    [(ids, fields)] = counted["events"]
    assert ids == {article.pk} and {"headline", "authors", "tags"} <= fields
    assert counted["reindexed"] == [[article.pk]]
    assert len(counted["invalidated"]) == 1
    assert f"article:{article.pk}" in counted["invalidated"][0]
    assert len(queries) <= 100, "\n".join(q["sql"][:120] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_save_sends_nothing(make_article, make_user, counted):
    editor = make_user("editor", "Editors")
    article = make_article("Штиль")
    for calls in counted.values():
        calls.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        save_content(article, {"headline": "Шторм"}, user=editor, expected_version=article.version)
        raise RuntimeError("the request failed after the save")
    assert counted["events"] == [] and counted["reindexed"] == []
