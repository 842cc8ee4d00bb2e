"""Search: live articles only, ranked, highlighted, safe whatever the reader types."""

import importlib
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles.models import Article, Status, system_gate
from search import backends
from search.index import rebuild
from search.query import clean, fts5_expression, parse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("away_from_new_year")]


def found(client, q, **params):
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(r'<h2 class="card-headline"><a href="([^"]+)">', html), html


def test_search_finds_live_articles_over_every_field(client, make_article, make_theme, make_author):
    harbour = make_theme("Harbour bridge", slug="harbour-bridge")
    ana = make_author("Ana Reyesdottir", slug="ana")
    by_headline = make_article("Lighthouse keeper retires")
    by_deck = make_article("Quiet week", deck="The lighthouse keeper says goodbye")
    by_body = make_article("Council news", body="The old **lighthouse** needs paint.")
    by_tag = make_article("Tagged story", tags=["seafront"])
    by_author = make_article("Written story", authors=[ana])
    by_theme = make_article("Themed story", theme=harbour)
    make_article("Draft lighthouse plans", status=Status.DRAFT, publish_at=None)
    make_article("Withdrawn lighthouse story", status=Status.WITHDRAWN)
    make_article("Expired lighthouse story", expire_at=timezone.now() - timedelta(minutes=1))

    urls, html = found(client, "lighthouse")
    assert set(urls) == {a.get_absolute_url() for a in (by_headline, by_deck, by_body)}
    assert urls[0] == by_headline.get_absolute_url()  # headline outranks deck and body
    assert "3 articles found" in html
    assert found(client, "seafront")[0] == [by_tag.get_absolute_url()]
    assert found(client, "reyesdottir")[0] == [by_author.get_absolute_url()]
    assert found(client, "harbour")[0] == [by_theme.get_absolute_url()]
    assert found(client, "harbour", theme="harbour-bridge")[0] == [by_theme.get_absolute_url()]
    assert found(client, "lighthouse", theme="harbour-bridge")[0] == []


def test_relevance_first_then_newest(client, make_article, now):
    older = make_article("Ferry timetable changes", publish_at=now - timedelta(days=2))
    newer = make_article("Ferry timetable changes", publish_at=now - timedelta(days=1))
    weaker = make_article("Ports and harbours", body="A ferry is mentioned once.", publish_at=now)
    urls, _ = found(client, "ferry timetable")
    assert urls == [newer.get_absolute_url(), older.get_absolute_url()]
    urls, _ = found(client, "ferry")
    assert urls == [newer.get_absolute_url(), older.get_absolute_url(), weaker.get_absolute_url()]


def test_snippets_highlight_matches_and_escape_the_text(client, make_article):
    make_article(
        "Market <b>hall</b> reopens",
        body="Traders returned to the market hall on Saturday. <script>alert(1)</script> Fish & chips were sold.",
    )
    _, html = found(client, "market")
    assert "<mark>Market</mark> hall reopens" in html
    assert "<mark>market</mark> hall on Saturday" in html
    assert "<script>alert" not in html and "<b>hall" not in html
    _, html = found(client, "chips")
    assert "Fish &amp; <mark>chips</mark>" in html


def test_edits_reach_the_index(client, make_article, make_author, make_theme):
    article = make_article("Storm warning")
    article.headline = "Gale warning"
    article.save()
    assert found(client, "storm")[0] == []
    assert found(client, "gale")[0] == [article.get_absolute_url()]
    article.tags.add("weather")
    assert found(client, "weather")[0] == [article.get_absolute_url()]
    author = make_author("Maria Quillfeather")
    article.authors.add(author)
    assert found(client, "quillfeather")[0] == [article.get_absolute_url()]
    author.name = "Maria Inkwell"
    author.save()
    assert found(client, "quillfeather")[0] == []
    assert found(client, "inkwell")[0] == [article.get_absolute_url()]
    theme = make_theme("Coastal weather")
    article.theme = theme
    article.save()
    theme.name = "Winter storms"
    theme.save()
    assert found(client, "winter")[0] == [article.get_absolute_url()]
    article.delete()
    assert found(client, "gale")[0] == []


def test_rebuild_indexes_everything(client, make_article):
    article = make_article("Pier lights restored")
    assert rebuild() == 1
    assert found(client, "pier")[0] == [article.get_absolute_url()]


def test_scheduled_article_appears_at_its_second_and_withdrawn_leaves(client, make_article):
    moment = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    article = make_article("Regatta results announced", publish_at=moment)
    with time_machine.travel(moment - timedelta(seconds=1), tick=False):
        assert found(client, "regatta")[0] == []
    with time_machine.travel(moment, tick=False):
        assert found(client, "regatta")[0] == [article.get_absolute_url()]
        article.status = Status.WITHDRAWN
        with system_gate():  # set as a fixture, not a step
            article.save()
        assert found(client, "regatta")[0] == []


HOSTILE = [
    '"',
    '""',
    '"""',
    '"unclosed phrase',
    'lighthouse "',
    "-lighthouse",
    '-"lighthouse keeper"',
    '-"a b"',
    "--lighthouse",
    "- lighthouse",
    '"-lighthouse"',
    "lighthouse -lighthouse",
    'lighthouse -"a b" -"c d"',
    "AND OR NOT",
    "lighthouse NOT keeper",
    "lighthouse AND",
    "OR lighthouse",
    "NEAR",
    "NEAR(lighthouse keeper)",
    "NEAR(lighthouse keeper, 2)",
    "lighthouse NEAR/2 keeper",
    "headline:lighthouse",
    "{headline}: lighthouse",
    "lighthouse*",
    "*",
    "* *",
    "^lighthouse",
    "+lighthouse",
    "-",
    "- - -",
    "or",
    "-or",
    "!!!???...",
    "'; DROP TABLE articles_article; --",
    "%_%",
    "\\",
    "&amp; <script>alert(1)</script>",
    "\x00\x01 nul",
    "\ue000marks\ue001",
    "\u200b\u200d\ufeff",
    "e\u0301cole",
    "ＬＩＧＨＴＨＯＵＳＥ",
    "مرحبا بالعالم",
    "lighthouse " * 1200,
    "x" * 10_000,
    "ñandú 東京 🚢",
    "🚢" * 500,
    "the",
    "the and of",
    "(",
    ")",
    "{}[]<>",
    "12:30",
    "a-b e-mail co-op",
    "lighthouse -",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail(client, make_article, q):
    """Whatever a person can type answers 200: results, "nothing matches" or "nothing to look for"."""
    make_article("Lighthouse keeper retires")
    for params in ({"q": q}, {"q": q, "order": "newest"}):
        response = client.get("/search/", params)
        assert response.status_code == 200, params
        # Only invisible characters: the empty search page, with its form.
        assert ("search-summary" in response.content.decode()) == bool(clean(q))
    # A page past the end is no page (and nothing the page cache keeps): issue 22.
    assert client.get("/search/", {"q": q, "page": "9999999999999999999999"}).status_code == 404


def test_exclusions_alone_ask_for_a_word(client, make_article):
    make_article("Council budget vote")
    for q in ("-council", '-"a b"', "-council -budget"):
        urls, html = found(client, q)
        assert urls == []
        assert "Nothing to look for: add a word to find" in html, q
    assert found(client, "vote -council")[0] == []
    assert len(found(client, "vote -ferry")[0]) == 1


def test_odd_parameters(client, make_article):
    make_article("Lighthouse keeper retires")
    for params in ({"q": ["lighthouse", "keeper"], "order": ["newest", "best"]}, {}, {"q": ""}):
        assert client.get("/search/", params).status_code == 200
    # Made-up pages, themes and orders answer 404: the page cache would keep each made-up value.
    for params in (
        {"q": "lighthouse", "page": "x"},
        {"q": "lighthouse", "page": "-3"},
        {"q": "lighthouse", "theme": "nope"},
        {"q": "lighthouse", "order": "nope"},
    ):
        assert client.get("/search/", params).status_code == 404


def test_query_syntax_is_quoted():
    assert fts5_expression(parse('ferry "harbour bridge" -storm')) == '("ferry") AND ("harbour bridge") NOT "storm"'
    assert fts5_expression(parse("ferry or bus NEAR(x)")) == '("ferry" OR "bus") AND ("near x")'
    assert fts5_expression(parse('*:^-"')) == ""


def test_phrases_exclusions_and_alternatives(client, make_article):
    bridge = make_article("Harbour bridge reopens", body="Cars cross again.")
    other = make_article("Bridge over the harbour", body="A new bridge is planned for the harbour.")
    assert found(client, '"harbour bridge"')[0] == [bridge.get_absolute_url()]
    assert found(client, "bridge -cars")[0] == [other.get_absolute_url()]
    assert set(found(client, "cars or planned")[0]) == {bridge.get_absolute_url(), other.get_absolute_url()}


def test_pagination_keeps_the_query(client, make_article, now):
    for n in range(25):
        make_article(f"Tide report {n}", publish_at=now - timedelta(minutes=n + 1))
    urls, html = found(client, "tide")
    assert len(urls) == 20
    assert "?q=tide&amp;page=2" in html
    urls, html = found(client, "tide", page=2)
    assert len(urls) == 5
    assert "Page 2 of 2" in html


def test_results_page_is_not_indexed_and_header_links_to_it(client):
    html = client.get("/search/", {"q": "anything"}).content.decode()
    assert '<meta name="robots" content="noindex">' in html
    header = client.get("/").content.decode().split("</header>")[0]
    assert '<a class="search-link" href="/search/">' in header and 'name="q"' not in header


@pytest.mark.parametrize("count", [5, 200])
def test_search_runs_a_fixed_number_of_queries(
    client, make_article, make_author, make_theme, count, now, django_assert_max_num_queries
):
    theme = make_theme("Weather")
    author = make_author()
    for n in range(count):
        make_article(
            f"Rain forecast {n}",
            theme=theme,
            authors=[author],
            tags=["rain"],
            publish_at=now - timedelta(minutes=n + 1),
        )
    client.get("/")  # navigation cached, as after any first page view
    with django_assert_max_num_queries(4):
        urls, _ = found(client, "rain", theme=theme.slug)
    assert len(urls) == min(count, 20)


def test_search_uses_the_database_full_text_engine():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_index'")
            assert "fts5" in cursor.fetchone()[0].lower()
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'search_document'")
            assert any("gin" in row[0].lower() for row in cursor.fetchall())


# Ranking, counting and paging a large archive ------------------------------------------------


def test_best_match_puts_articles_about_a_rare_word_first(client, make_article, now):
    """A labelled set: articles about lifeboats (the word in the headline and throughout) come before
    this week's passing mentions, however old they are; among them the newer comes first."""
    about = [
        make_article(
            headline,
            standfirst="The lifeboat crew answered the call.",
            body="The lifeboat launched at dawn. Lifeboat volunteers train every week.",
            publish_at=now - timedelta(days=days),
        )
        for headline, days in (
            ("Lifeboat crew rescues ferry passengers", 3),
            ("New lifeboat station opens at the pier", 400),
            ("Lifeboat volunteers honoured by the council", 3 * 365),
        )
    ]
    mentions = [
        make_article(
            f"Council budget meeting {n}",
            body="Councillors discussed roads, schools, parking, bins and, briefly, the lifeboat appeal.",
            publish_at=now - timedelta(hours=n + 1),
        )
        for n in range(6)
    ]
    make_article("Ferry timetable changes", body="Nothing about boats that save people.")
    expected_about = [article.get_absolute_url() for article in about]
    expected_mentions = [article.get_absolute_url() for article in mentions]

    urls, html = found(client, "lifeboat")
    assert urls == expected_about + expected_mentions
    assert "9 articles found" in html
    urls, html = found(client, "lifeboat", order="newest")
    by_date = sorted(about + mentions, key=lambda article: article.publish_at, reverse=True)
    assert urls == [article.get_absolute_url() for article in by_date]
    assert "<strong>Newest first</strong>" in html and '<a href="?q=lifeboat">Best match</a>' in html


def test_newest_first_follows_publication_time_not_creation_order(client, make_article, now):
    """An archive imported after newer articles were written still lists newest first."""
    recent = make_article("Harbour wall repaired", publish_at=now - timedelta(days=1))
    imported = [make_article(f"Harbour archive story {n}", publish_at=now - timedelta(days=900 + n)) for n in range(3)]
    urls, _ = found(client, "harbour", order="newest")
    assert urls == [article.get_absolute_url() for article in [recent, *imported]]
    rescheduled = imported[2]
    rescheduled.publish_at = now - timedelta(minutes=5)
    with system_gate():  # moved, as a fixture
        rescheduled.save()
    assert found(client, "harbour", order="newest")[0][0] == rescheduled.get_absolute_url()


def test_count_is_exact_up_to_the_cap_then_more_than(client, make_article, now, monkeypatch):
    monkeypatch.setattr(backends, "CANDIDATES", 4)
    old_headline = make_article("Tide tables", publish_at=now - timedelta(days=30))
    newer = [
        make_article(f"Weekend weather {n}", body="High tide at noon.", publish_at=now - timedelta(hours=n + 1))
        for n in range(4)
    ]
    make_article("Tide turns for the ferry", status=Status.DRAFT, publish_at=None)  # not live: never counted

    urls, html = found(client, "tide")
    assert "More than 4 articles found" in html and "These are the newest 4" in html
    # Only the newest matches are ranked: the old headline match is beyond them.
    assert sorted(urls) == sorted(article.get_absolute_url() for article in newer)
    assert old_headline.get_absolute_url() not in urls

    newer[0].status = Status.WITHDRAWN
    with system_gate():  # withdrawn, as a fixture
        newer[0].save()
    urls, html = found(client, "tide")
    assert "4 articles found" in html and "More than" not in html
    assert old_headline.get_absolute_url() in urls


def test_pages_end_at_the_counted_matches(client, make_article, now, monkeypatch):
    monkeypatch.setattr(backends, "CANDIDATES", 30)
    for n in range(35):
        make_article(f"Tide report {n}", publish_at=now - timedelta(minutes=n + 1))
    urls, html = found(client, "tide", order="newest")
    assert len(urls) == 20 and "Page 1 of 2" in html and "More than 30 articles found" in html
    assert "?q=tide&amp;order=newest&amp;page=2" in html
    urls, html = found(client, "tide", order="newest", page=2)
    assert urls[-1].endswith("/tide-report-29/") and len(urls) == 10
    # Past the end, or not a page: 404 (and nothing kept by the page cache).
    for page in (3, 0, "02", "x"):
        assert client.get("/search/", {"q": "tide", "order": "newest", "page": page}).status_code == 404


# Protection: the page cache and a per-client limit ------------------------------------------------


def test_anonymous_answers_are_cached_and_dropped_by_an_edit(client, make_article):
    article = make_article("Pier lights restored")
    first = client.get("/search/", {"q": "pier"})
    assert first["X-Page-Cache"] == "miss" and "public" in first["Cache-Control"]
    assert client.get("/search/", {"q": "pier"})["X-Page-Cache"] == "hit"
    article.headline = "Quay lights restored"
    article.save()
    again = client.get("/search/", {"q": "pier"})
    assert again["X-Page-Cache"] == "miss" and article.get_absolute_url() not in again.content.decode()


def test_a_scheduled_article_is_found_at_its_second_with_a_warm_cache(client, make_article):
    moment = timezone.now().replace(microsecond=0) + timedelta(minutes=10)
    article = make_article("Regatta results announced", publish_at=moment)
    with time_machine.travel(moment - timedelta(seconds=30), tick=False):
        assert found(client, "regatta")[0] == []
    with time_machine.travel(moment - timedelta(seconds=1), tick=False):
        assert client.get("/search/", {"q": "regatta"})["X-Page-Cache"] == "hit"
    with time_machine.travel(moment, tick=False):
        assert found(client, "regatta")[0] == [article.get_absolute_url()]


def test_a_client_searching_too_fast_gets_a_friendly_429(client, make_article, settings):
    settings.SEARCH_RATE_LIMIT = 3
    make_article("Lighthouse keeper retires")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        for q in ("lighthouse", "keeper", "retires"):
            assert client.get("/search/", {"q": q}).status_code == 200
        assert client.get("/search/", {"q": "lighthouse"}).status_code == 200  # cached: costs nothing
        refused = client.get("/search/", {"q": "harbour"})
        assert refused.status_code == 429
        assert "Too many searches" in refused.content.decode() and "try again in 60 seconds" in refused.content.decode()
        assert refused["Retry-After"] == "60" and "no-store" in refused["Cache-Control"]
        assert "X-Page-Cache" not in refused
        assert client.get("/search/", {"q": "harbour"}, REMOTE_ADDR="198.51.100.7").status_code == 200
        assert client.get("/search/", {"q": "harbour"})["X-Page-Cache"] == "hit"  # now cached for everyone
        assert client.get("/search/").status_code == 200  # the empty form costs nothing either
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert client.get("/search/", {"q": "storm"})["Retry-After"] == "1"
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        assert client.get("/search/", {"q": "storm"}).status_code == 200


def test_ipv6_clients_are_limited_by_their_64(client, make_article, settings):
    settings.SEARCH_RATE_LIMIT = 1
    make_article("Lighthouse keeper retires")
    assert client.get("/search/", {"q": "a1"}, REMOTE_ADDR="2001:db8:1:2::10").status_code == 200
    assert client.get("/search/", {"q": "a2"}, REMOTE_ADDR="2001:db8:1:2:ffff::1").status_code == 429
    assert client.get("/search/", {"q": "a3"}, REMOTE_ADDR="2001:db8:1:3::10").status_code == 200


def test_the_search_page_has_one_search_box_and_one_way_to_order(client, make_article):
    make_article("Harbour lights restored")
    make_article("Harbour wall repaired")
    html = client.get("/search/", {"q": "harbour", "order": "newest"}).content.decode()
    labels = re.findall(r'role="search" aria-label="([^"]+)"', html)
    assert labels == ["Search the archive"] and html.count('role="search"') == 1
    assert html.count('name="q"') == 1 and 'name="order" value="newest"' in html  # searching again keeps it
    assert 'id="search-order"' not in html and html.count("Best match") == 1


def test_migrate_indexes_the_articles_the_index_lacks(client, make_article, now):
    """Search installed on an existing newsroom, its tables remade by a migration, rows bulk-created:
    `migrate` indexes what is missing."""
    article = make_article("Pier lights restored")
    backends.get_backend().clear()
    festival = make_article("Pier festival")  # indexed as it is saved: the index is not empty, but lacks two
    with system_gate():  # imported rows, as a fixture
        imported = Article.objects.bulk_create(
            [Article(headline="Pier history", slug="pier-history", body="Old.", status=Status.APPROVED, publish_at=now)]
        )
    call_command("migrate", verbosity=0)
    urls = found(client, "pier")[0]
    assert sorted(urls) == sorted(a.get_absolute_url() for a in (article, festival, imported[0]))


def test_unspaced_scripts_are_found_by_any_part_of_a_sentence(client, make_article):
    """Japanese and Chinese write no spaces between words, Korean none inside a word with its
    particles: a reader types a word from the middle of a sentence."""
    tokyo = make_article("東京湾で新しい橋の開通式", body="開通式は午前十時に始まりました。")
    beijing = make_article("北京举行新闻发布会", body="发布会在下午三点开始。")
    seoul = make_article("서울시청에서 기자회견", body="시민들이 모였다.")
    for words, article in (
        ("開通式", tokyo),
        ("橋の開通", tokyo),
        ("午前", tokyo),
        ("新闻", beijing),
        ("서울시", seoul),
    ):
        links, html = found(client, words)
        assert links == [article.get_absolute_url()], words
        assert "\u200b" not in html
    assert found(client, "開通橋")[0] == []  # the characters, not in this order
    assert "<mark>開通式</mark>" in found(client, "開通式")[1]


def test_migrate_sets_apart_unspaced_text_indexed_before(client, make_article, monkeypatch):
    """An index from before (a Japanese sentence one word) is mended by `migrate`: the article is
    indexed again when it ends; articles in other scripts keep their entries."""
    from search import index, signals

    article = make_article("東京湾で新しい橋の開通式")
    tagged = make_article("Ferry times", tags=["東京"])
    latin = make_article("Harbour bridge opens")
    with monkeypatch.context() as before:
        before.setattr(index, "set_apart", lambda text: text)
        index.index_articles([article.pk, tagged.pk, latin.pk])
    assert found(client, "開通式")[0] == []
    backend_class, removed = backends.get_backend().__class__, []
    remove = backend_class.remove
    monkeypatch.setattr(backend_class, "remove", lambda self, ids: removed.append(set(ids)) or remove(self, ids))
    migration = importlib.import_module("search.migrations.0004_unspaced_scripts")
    migration.forget_unspaced(django_apps, SimpleNamespace(connection=connection))  # all it asks of the schema editor
    assert removed == [{article.pk, tagged.pk}]
    signals.after_migrate(sender=None, app_config=django_apps.get_app_config("articles"), verbosity=0)
    # Another page than the one answered (and cached) above.
    assert found(client, "開通式", order="newest")[0] == [article.get_absolute_url()]
