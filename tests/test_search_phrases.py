"""Phrases: the words together and in order, in one field, on SQLite and PostgreSQL alike.

PostgreSQL narrows a phrase by the pairs of consecutive words its articles hold (search_pair) and
confirms it by positions; these tests hold both steps to the same answers as SQLite's FTS5."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from articles.models import Status, system_gate
from search import backends
from search.index import index_articles

from .test_search import found

pytestmark = pytest.mark.django_db


def urls_of(*articles):
    return sorted(article.get_absolute_url() for article in articles)


def test_a_phrase_is_its_words_together_and_in_order(client, make_article):
    in_headline = make_article("Harbour bridge reopens")
    in_body = make_article("Traffic", body="Cars crossed the harbour bridge at dawn.")
    in_standfirst = make_article("Traffic again", standfirst="The Harbour Bridge closes tonight.")
    make_article("Bridge over the harbour", body="A bridge for the harbour, and a harbour with a bridge.")
    make_article("Bridge harbour", body="Words reversed: bridge harbour.")
    assert sorted(found(client, '"harbour bridge"')[0]) == urls_of(in_headline, in_body, in_standfirst)
    assert found(client, '"bridge over the harbour"')[0] != []
    assert found(client, '"harbour bridges"')[0] != []  # the stem, as for single words


def test_three_words_need_all_three_together(client, make_article):
    tolls = make_article("Tolls", body="The harbour bridge tolls rise in May.")
    # Both pairs of the phrase, never the three words in a row: pairs narrow, positions decide.
    make_article("Apart", body="The harbour bridge is old. The bridge tolls are new.")
    assert found(client, '"harbour bridge tolls"')[0] == [tolls.get_absolute_url()]
    assert found(client, '"harbour bridge tolls rise"')[0] == [tolls.get_absolute_url()]
    assert found(client, '"bridge tolls harbour"')[0] == []


def test_phrases_with_exclusions_and_other_words(client, make_article):
    ferry = make_article("Harbour bridge and ferry", body="The ferry runs under the harbour bridge.")
    storm = make_article("Harbour bridge in the storm", body="The storm closed it.")
    elsewhere = make_article("Harbour news", body="A harbour, a storm, a bridge.")
    assert found(client, '"harbour bridge" -storm')[0] == [ferry.get_absolute_url()]
    assert found(client, '"harbour bridge" ferry')[0] == [ferry.get_absolute_url()]
    assert sorted(found(client, 'harbour -"harbour bridge"')[0]) == urls_of(elsewhere)
    assert sorted(found(client, 'storm -"harbour bridge"')[0]) == urls_of(elsewhere)
    assert sorted(found(client, '"harbour bridge" or "ferry runs"')[0]) == urls_of(ferry, storm)
    assert sorted(found(client, '"harbour bridge" or storm')[0]) == urls_of(ferry, storm, elsewhere)


def test_a_phrase_crosses_punctuation_and_paragraphs_but_not_fields(client, make_article, make_theme):
    """Within a field, punctuation and paragraph breaks are not words (as in both databases' full-text
    engines and in web search): "harbour. Bridge" holds the phrase. Separate fields never join into
    one: a headline ending in "harbour" and a deck starting with "Bridge" do not."""
    sentence = make_article("Sentences", body="Boats filled the harbour. Bridge works start today.")
    paragraph = make_article("Paragraphs", body="Boats filled the harbour\n\nBridge works start today.")
    make_article("Storm over the harbour", deck="Bridge works start today", standfirst="Both closed.")
    make_article("Deck and standfirst", deck="Ferries leave the harbour", standfirst="Bridge works wait.")
    make_article("Standfirst and body", standfirst="Ferries leave the harbour", body="Bridge works wait.")
    make_article("Theme and author", theme=make_theme("Old harbour"), body="Bridge works wait.")
    assert sorted(found(client, '"harbour bridge"')[0]) == urls_of(sentence, paragraph)
    assert sorted(found(client, '"harbour bridge works"')[0]) == urls_of(sentence, paragraph)


def test_phrases_of_stop_words_and_of_one_word(client, make_article):
    bank = make_article("Bank of England holds rates")
    make_article("England bank holiday")
    make_article("The bank by the river")
    assert found(client, '"bank of england"')[0] == [bank.get_absolute_url()]
    assert found(client, '"the bank"')[0] != []  # one indexed word: nothing to pair, positions alone


def test_a_phrase_follows_edits_and_deletions(client, make_article):
    article = make_article("Quay", body="The harbour bridge is open.")
    assert found(client, '"harbour bridge"')[0] == [article.get_absolute_url()]
    article.body = "The harbour is open; so is the bridge."
    with system_gate():
        article.save()
    assert found(client, '"harbour bridge"')[0] == []
    assert found(client, '"harbour is open"')[0] == [article.get_absolute_url()]
    article.delete()
    assert found(client, '"harbour is open"')[0] == []


def test_the_newest_live_phrase_matches_are_counted_and_paged(client, make_article, now, monkeypatch):
    monkeypatch.setattr(backends, "CANDIDATES", 4)
    matches = [
        make_article(f"Report {n}", body="Queues at the harbour bridge.", publish_at=now - timedelta(hours=n + 1))
        for n in range(6)
    ]
    # Not live, or holding both words apart: newer than every match, never counted.
    make_article("Draft", body="Queues at the harbour bridge.", status=Status.DRAFT, publish_at=None)
    make_article("Later", body="Queues at the harbour bridge.", publish_at=now + timedelta(days=1))
    make_article("Apart", body="The bridge and the harbour.", publish_at=now)
    urls, html = found(client, '"harbour bridge"', order="newest")
    assert "More than 4 articles found" in html
    assert urls == [article.get_absolute_url() for article in matches[:4]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="word pairs are PostgreSQL's index")
def test_migrate_gives_an_existing_index_its_pairs(client, make_article):
    """An index from before pairs (search_pair empty, documents in place) is filled by `migrate`."""
    articles = [make_article(f"Pier {n}", body="The harbour bridge lights.") for n in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {backends.PostgreSQLBackend.pairs_table}")
    assert found(client, '"harbour bridge"')[0] == []
    call_command("migrate", verbosity=0)
    # Another page than the one answered (and cached) above.
    assert sorted(found(client, '"harbour bridge"', order="newest")[0]) == urls_of(*articles)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="word pairs are PostgreSQL's index")
def test_a_phrase_whose_pairs_are_common_is_found_by_positions_alone(client, make_article, now):
    """Pairs in most articles (boilerplate) are not worth reading: the phrase is found as words are."""
    matches = [
        make_article(f"Notice {n}", body="Sent by the harbour bridge office.", publish_at=now - timedelta(hours=n + 1))
        for n in range(12)
    ]
    reversed_order = make_article("Reversed", body="Sent by the bridge harbour office.", publish_at=now)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {backends.PostgreSQLBackend.pairs_table}")
    urls, _ = found(client, '"harbour bridge office"', order="newest")
    assert urls == [article.get_absolute_url() for article in matches]
    assert found(client, '"bridge harbour"')[0] == [reversed_order.get_absolute_url()]


@pytest.mark.django_db(transaction=True)
def test_an_article_reindexed_by_two_servers_at_once_keeps_one_set_of_pairs(client, make_article):
    """The race: two transactions reindex one article; the second starts while the first holds its
    rows. Had it cleared the pairs before the first committed, it would have missed the first's new
    ones, and the article would come up twice for a phrase."""
    if connection.vendor != "postgresql":
        pytest.skip("two servers share one PostgreSQL database")
    article = make_article("Quay", body="The harbour bridge is open.")
    first_indexed, commit_first = threading.Event(), threading.Event()

    def reindex(before_commit=None):
        try:
            with transaction.atomic():
                index_articles([article.pk])
                if before_commit:
                    before_commit()
        finally:
            connection.close()

    def hold():
        first_indexed.set()
        commit_first.wait(30)

    first = threading.Thread(target=reindex, args=(hold,))
    first.start()
    assert first_indexed.wait(30)
    second = threading.Thread(target=reindex)
    second.start()
    with connection.cursor() as cursor:  # until the second waits for the first's lock
        while not cursor.execute(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone():
            assert second.is_alive()
    commit_first.set()
    first.join(30)
    second.join(30)
    urls, html = found(client, '"harbour bridge"')
    assert urls == [article.get_absolute_url()] and "1 article found" in html
