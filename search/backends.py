"""The search index, one implementation per database behind one interface.

SQLite (the embedded default) keeps an FTS5 virtual table; PostgreSQL keeps a
table with a weighted tsvector and a GIN index. Every article is indexed whatever
its status: the publication rule is applied when searching, by asking
`Article.objects.live()` about each match, so a scheduled article is found at its
second without reindexing.

A search never reads every match. Each indexed article carries a *sort key* that
orders by publication time (`sort_key()`), and a search reads its matches newest
first from an index on that key, stopping after `CANDIDATES + 1` live ones: that
bounds the work by a constant, whether a word is in three articles or in all of
them. The count is exact up to `CANDIDATES` ("more than 1,000" beyond), and
"best match" ranks those candidates only (`search.results`)."""

from contextlib import nullcontext

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from . import query as search_query

# Private-use characters mark matches in snippets; they are removed from the
# indexed text, escaped around, and only then turned into <mark>.
MARK_START = "\ue000"
MARK_END = "\ue001"
ELLIPSIS = "…"

FIELDS = ("headline", "deck", "standfirst", "body", "tags", "authors", "theme")

# The newest matches a search reads: the exact count's cap, and what "best match" ranks.
CANDIDATES = 1000

# A phrase is narrowed by its word pairs unless they are in this share of articles or more (PostgreSQL).
COMMON_PAIR_SHARE = 0.3

ID_BITS = 31
ID_MASK = (1 << ID_BITS) - 1


def relevance(in_headline, in_summary, in_about):
    """How well an article matches, from where the whole query is found: in the headline, in the deck
    or standfirst, in the tags, authors or theme, or (every match) anywhere, the body included.
    Where, not how often: a word repeated in a long body does not outrank a headline."""
    return 1 + 6 * bool(in_headline) + 3 * bool(in_summary) + bool(in_about)


def sort_key(article_id, publish_at):
    """An integer that orders articles by publication time (then id), and holds the id in its low bits.
    Unscheduled drafts sort oldest; they are not live anyway, and reindexed when they are scheduled."""
    if not 0 < article_id <= ID_MASK:
        raise ValueError(f"Article id {article_id} does not fit the search index's sort key.")
    seconds = max(0, int(publish_at.timestamp())) if publish_at else 0
    return (seconds << ID_BITS) | article_id


class SearchBackend:
    def install(self, schema_editor):
        raise NotImplementedError

    def uninstall(self, schema_editor):
        raise NotImplementedError

    def replace(self, documents):
        """Index `documents` ({article_id: {field: text, "sort_key": int}}), replacing those ids' entries."""
        raise NotImplementedError

    def remove(self, article_ids):
        raise NotImplementedError

    def clear(self):
        raise NotImplementedError

    def remove_orphans(self):
        """Drop entries whose article is gone (after a flush, which does not know this table)."""
        raise NotImplementedError

    def indexed_article_ids(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT article_id FROM {self.ids_table}")
            return {article_id for (article_id,) in cursor.fetchall()}

    def candidates(self, parsed, live, ranked):
        """[(sort_key, relevance() if ranked else None)] of the newest `CANDIDATES + 1` live matches,
        newest first."""
        raise NotImplementedError

    def highlights(self, parsed, keys):
        """{sort_key: (highlighted headline, snippet)} for a page of results."""
        raise NotImplementedError

    @staticmethod
    def _is_live(live, article_id_sql):
        """`EXISTS (…)`: is the article whose id is `article_id_sql` (an outer column) in `live`?"""
        sql, params = live.filter(pk=RawSQL(article_id_sql, ())).values("pk").order_by().query.sql_with_params()
        return f"EXISTS ({sql})", params


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


class SQLiteBackend(SearchBackend):
    """FTS5 with the sort key as rowid: FTS5 reads a match's rowids in descending order natively,
    so "the newest 1,001 live matches" is the head of its doclists, however long they are."""

    table = "search_index"
    ids_table = "search_key"  # article id → rowid, to replace or remove an article's entry
    # The same articles without their bodies: "is the query in the headline?" reads short
    # documents only (for 1,001 candidates at 100,000 articles: 13 → 1.5–3.5 ms).
    titles = "search_title"

    def install(self, schema_editor):
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {self.table} USING fts5({', '.join(FIELDS)}, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {self.titles} USING fts5(headline, summary, about, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        schema_editor.execute(f"CREATE TABLE {self.ids_table} (article_id INTEGER PRIMARY KEY, key INTEGER NOT NULL)")

    def uninstall(self, schema_editor):
        for table in (self.table, self.titles, self.ids_table):
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")

    def replace(self, documents):
        if not documents:
            return
        self.remove(documents)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.ids_table} (article_id, key) VALUES (%s, %s)",
                [(pk, doc["sort_key"]) for pk, doc in documents.items()],
            )
            cursor.executemany(
                f"INSERT INTO {self.table} (rowid, {', '.join(FIELDS)}) VALUES (%s, {_placeholders(FIELDS)})",
                [(doc["sort_key"], *(doc[name] for name in FIELDS)) for doc in documents.values()],
            )
            cursor.executemany(
                f"INSERT INTO {self.titles} (rowid, headline, summary, about) VALUES (%s, %s, %s, %s)",
                [
                    (
                        doc["sort_key"],
                        doc["headline"],
                        f"{doc['deck']} {doc['standfirst']}",
                        f"{doc['tags']} {doc['authors']} {doc['theme']}",
                    )
                    for doc in documents.values()
                ],
            )

    def remove(self, article_ids):
        article_ids = list(article_ids)
        if article_ids:
            ids = _placeholders(article_ids)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT key FROM {self.ids_table} WHERE article_id IN ({ids})", article_ids)
                self._remove_keys(cursor, [key for (key,) in cursor.fetchall()])
                cursor.execute(f"DELETE FROM {self.ids_table} WHERE article_id IN ({ids})", article_ids)

    def _remove_keys(self, cursor, keys):
        # Keys as values: FTS5 looks each one up, where "rowid IN (SELECT …)" reads the whole table.
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            for table in (self.table, self.titles):
                cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({_placeholders(batch)})", batch)

    def clear(self):
        with connection.cursor() as cursor:
            for table in (self.table, self.titles, self.ids_table):
                cursor.execute(f"DELETE FROM {table}")

    def remove_orphans(self):
        orphans = f"FROM {self.ids_table} WHERE article_id NOT IN (SELECT id FROM articles_article)"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT key {orphans}")
            self._remove_keys(cursor, [key for (key,) in cursor.fetchall()])
            cursor.execute(f"DELETE {orphans}")

    def candidates(self, parsed, live, ranked):
        expression = search_query.fts5_expression(parsed)
        if not expression:
            return []
        is_live, live_params = self._is_live(live, f"{self.table}.rowid & {ID_MASK}")
        found = (
            f"SELECT rowid AS key FROM {self.table} WHERE {self.table} MATCH %s AND {is_live} "
            f"ORDER BY rowid DESC LIMIT {CANDIDATES + 1}"
        )
        with connection.cursor() as cursor:
            if not ranked:
                cursor.execute(found, [expression, *live_params])
                return [(key, None) for (key,) in cursor.fetchall()]
            # Which candidates hold the query in a group of columns: a column-filtered match of their
            # titles, over the candidates' range of keys only.
            required = search_query.fts5_required(parsed)
            within = (
                f"key IN (SELECT rowid FROM {self.titles} WHERE {self.titles} MATCH %s "
                "AND rowid >= (SELECT min(key) FROM found))"
            )
            cursor.execute(
                f"WITH found AS MATERIALIZED ({found}) SELECT key, {within}, {within}, {within} "
                "FROM found ORDER BY key DESC",
                [
                    expression,
                    *live_params,
                    f"{{headline}} : ({required})",
                    f"{{summary}} : ({required})",
                    f"{{about}} : ({required})",
                ],
            )
            return [(key, relevance(*where)) for key, *where in cursor.fetchall()]

    def highlights(self, parsed, keys):
        if not keys:
            return {}
        marks = [MARK_START, MARK_END]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, highlight({self.table}, 0, %s, %s), snippet({self.table}, 3, %s, %s, %s, 32) "
                f"FROM {self.table} WHERE {self.table} MATCH %s AND rowid IN ({_placeholders(keys)})",
                [*marks, *marks, ELLIPSIS, search_query.fts5_expression(parsed), *keys],
            )
            return {key: (headline, snippet) for key, headline, snippet in cursor.fetchall()}


# ts_headline parses all the text it is given: a snippet from the body's opening (where news puts
# what matters) costs a fifth of one from the whole body (20 results at 100,000 articles: 19 → 5 ms).
SNIPPET_FROM_CHARACTERS = 2000


class PostgreSQLBackend(SearchBackend):
    """A GIN index finds the matches and a btree on the sort key orders them; the planner walks
    the btree newest first for common words and sorts the few matches of rare ones. `title` is the
    document without the body: small enough to stay in the row, so ranking reads no large value.

    Phrases are narrowed by pairs of words. Walking newest first, `"harbour bridge"` (in 8 % of
    100,000 articles, each word in all of them) read the positions of about 12 documents per match:
    77 ms. `search_pair` keeps each article's pairs of consecutive words, field by field, as the
    keys of a GIN index on a narrow table (834 pages for 100,000 articles): the articles holding
    every pair of a phrase come from that index, their sort keys from those few pages (8,289 in
    4 ms), and only the newest of them have their positions read, in order, until enough match:
    18 ms for the query. Pairs held by 30 % of the articles or more are not read (_narrowing)."""

    table = "search_document"
    ids_table = pairs_table = "search_pair"  # an article without its pairs is indexed again
    config = "english"
    # Fields are joined with a gap of positions wider than any phrase a reader can type (a query
    # has at most query.MAX_QUERY_LENGTH characters): no phrase runs from the end of a headline into
    # the deck, as none does on SQLite, and no pair of words spans two fields.
    gap = 256
    # The searchable fields, in order, and the weight `title` gives each (the body is not in it).
    weights = {"headline": "A", "deck": "B", "standfirst": "B", "tags": "C", "authors": "C", "theme": "C", "body": "D"}

    def install(self, schema_editor):
        schema_editor.execute(
            f"CREATE TABLE {self.table} (article_id bigint PRIMARY KEY, sort_key bigint NOT NULL, "
            "headline text NOT NULL, body text NOT NULL, title tsvector NOT NULL, document tsvector NOT NULL)"
        )
        schema_editor.execute(f"CREATE INDEX {self.table}_gin ON {self.table} USING gin (document)")
        schema_editor.execute(f"CREATE INDEX {self.table}_sort_key ON {self.table} (sort_key DESC)")
        self.install_pairs(schema_editor)

    def install_pairs(self, schema_editor):
        # A pair is a lexeme and the next one indexed after it, closer than the gap between fields.
        # Stop words leave holes ("bank of england" pairs bank with england): pairs only narrow, and
        # positions confirm.
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION search_pairs(vector tsvector) RETURNS text[] "
            "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
            "WITH word AS (SELECT w.lexeme, unnest(w.positions) AS at FROM unnest(vector) AS w), "
            "step AS (SELECT at, lead(at) OVER (ORDER BY at) AS next FROM (SELECT DISTINCT at FROM word) AS place) "
            "SELECT coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}') FROM step "
            f"JOIN word a ON a.at = step.at JOIN word b ON b.at = step.next WHERE step.next - step.at < {self.gap} $$"
        )
        # No btree here, only a hash index to find an article's row: with sequential scans off,
        # the GIN index is then the only way to read pairs (see candidates()). The pairs themselves
        # go out of line, so the table's pages hold sort keys only.
        schema_editor.execute(
            f"CREATE TABLE {self.pairs_table} (article_id bigint NOT NULL REFERENCES {self.table} "
            'ON DELETE CASCADE, sort_key bigint NOT NULL, pairs text[] COLLATE "C" NOT NULL) '
            "WITH (toast_tuple_target = 128)"
        )
        schema_editor.execute(f"CREATE INDEX {self.pairs_table}_article ON {self.pairs_table} USING hash (article_id)")
        schema_editor.execute(f"CREATE INDEX {self.pairs_table}_gin ON {self.pairs_table} USING gin (pairs)")

    def uninstall(self, schema_editor):
        schema_editor.execute(f"DROP TABLE IF EXISTS {self.pairs_table}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {self.table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS search_pairs(tsvector)")

    def _joined(self, vectors):
        """The vectors one after the other, `gap` positions apart: a placeholder lexeme (a space, which
        no text gives) is put between them, then taken out."""
        placeholder = f" || ''' '':{self.gap}'::tsvector || "
        return f"ts_delete({placeholder.join(vectors)}, ' ')"

    def replace(self, documents):
        if not documents:
            return
        vectors = [f"setweight(to_tsvector('{self.config}', %s), '{weight}')" for weight in self.weights.values()]
        rows = [
            (pk, doc["sort_key"], doc["headline"], doc["body"], *(doc[name] for name in self.weights))
            for pk, doc in documents.items()
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} (article_id, sort_key, headline, body, title, document) "
                f"SELECT id, sort_key, headline, body, title, {self._joined(['title', 'body_vector'])} FROM (SELECT "
                f"%s::bigint AS id, %s::bigint AS sort_key, %s::text AS headline, %s::text AS body, "
                f"{self._joined(vectors[:-1])} AS title, {vectors[-1]} AS body_vector) AS new "
                "ON CONFLICT (article_id) DO UPDATE SET sort_key = EXCLUDED.sort_key, headline = EXCLUDED.headline, "
                "body = EXCLUDED.body, title = EXCLUDED.title, document = EXCLUDED.document",
                rows,
            )
            # After the documents, whose rows the upsert keeps locked until commit: an article indexed
            # by two transactions at once has its pairs replaced by one, then by the other.
            ids = [list(documents)]
            cursor.execute(f"DELETE FROM {self.pairs_table} WHERE article_id = ANY(%s)", ids)
            cursor.execute(
                f"INSERT INTO {self.pairs_table} (article_id, sort_key, pairs) SELECT article_id, sort_key, "
                f"search_pairs(document) FROM {self.table} WHERE article_id = ANY(%s)",
                ids,
            )

    def remove(self, article_ids):
        article_ids = list(article_ids)
        if article_ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {self.table} WHERE article_id = ANY(%s)", [article_ids])

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {self.pairs_table}, {self.table}")

    def remove_orphans(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE article_id NOT IN (SELECT id FROM articles_article)")

    def _query(self):
        return f"websearch_to_tsquery('{self.config}', %s)"

    def _narrowing(self, parsed):
        """[[pairs of each alternative]] for every required group made of phrases only, from the
        database's own parser and stemmer. A group is left to the positions alone when it has a
        single word, a phrase of one indexed word ("the harbour"), or a phrase whose pairs are common:
        reading and sorting every article that holds them then costs more than walking the newest
        articles' positions. At 100,000 articles, for a pair in a quarter of them: 18 ms through
        pairs, 33 ms by walking (measured); in all of them, as boilerplate would be: about 55 ms
        against 10 ms (estimated from the parts: sorting 100,000 sort keys alone takes 25–35 ms)."""
        phrases = list({words: None for group in parsed.groups for words in group if len(words) > 1})
        if not phrases:
            return []
        with connection.cursor() as cursor:
            # The share of articles holding a phrase's rarest pair, from the planner's statistics
            # (the most common pairs and their frequencies; any other pair is rarer than those).
            cursor.execute(
                "WITH common AS (SELECT e.pair, e.share FROM pg_stats s, unnest(s.most_common_elems::text::text[], "
                "s.most_common_elem_freqs) AS e(pair, share) WHERE s.schemaname = current_schema() "
                f"AND s.tablename = '{self.pairs_table}' AND s.attname = 'pairs'), "
                f"phrase AS (SELECT n, search_pairs(to_tsvector('{self.config}', text)) AS pairs "
                "FROM unnest(%s::text[]) WITH ORDINALITY AS p(text, n)) "
                "SELECT pairs, (SELECT coalesce(min(coalesce(common.share, 0)), 0) FROM unnest(pairs) AS wanted(pair) "
                "LEFT JOIN common ON common.pair = wanted.pair) FROM phrase ORDER BY n",
                [[" ".join(words) for words in phrases]],
            )
            found = {
                words: pairs if share < COMMON_PAIR_SHARE else []
                for words, (pairs, share) in zip(phrases, cursor.fetchall(), strict=True)
            }
        return [alternatives for group in parsed.groups if all(alternatives := [found.get(words) for words in group])]

    def candidates(self, parsed, live, ranked):
        websearch = search_query.websearch_text(parsed)
        if not websearch:
            return []
        narrowing = self._narrowing(parsed)
        if narrowing:
            # The articles with the phrases' pairs, newest first (OFFSET 0 keeps the conditions
            # below out of this scan); positions and liveness are then read for the head only.
            paired = " AND ".join("(" + " OR ".join(["p.pairs @> %s"] * len(group)) + ")" for group in narrowing)
            source = (
                f"(SELECT p.article_id, p.sort_key FROM {self.pairs_table} p WHERE {paired} "
                f"ORDER BY p.sort_key DESC OFFSET 0) AS m JOIN {self.table} d ON d.article_id = m.article_id"
            )
            source_params = [pairs for group in narrowing for pairs in group]
            order = "m.sort_key"
        else:
            source, source_params, order = f"{self.table} d", [], "d.sort_key"
        is_live, live_params = self._is_live(live, "d.article_id")
        # Where the query is found, from the candidates' small titles only, after the limit.
        where = ", ".join(f"ts_filter(d.title, '{{{weight}}}') @@ q.query" for weight in "abc")
        # Outside a phrase search, no transaction: it would cost two more round trips.
        with transaction.atomic() if narrowing else nullcontext(), connection.cursor() as cursor:
            if narrowing:
                # Estimated common (or with stale statistics), the planner would read pairs by a scan
                # of every article's (100,000 out-of-line values: 2.9 s), not from the index (the
                # sort keys of a pair's holders: 4 ms for 8 % of 100,000 articles, 6 ms for 25 %).
                cursor.execute("SET LOCAL enable_seqscan = off")
            # The query is spelled out in `found` (not taken from `q`), so that the planner sees the
            # words: it walks the sort key newest first for common ones, sorts the matches of rare ones.
            cursor.execute(
                f"WITH found AS MATERIALIZED (SELECT d.article_id, {order} AS sort_key FROM {source} "
                f"WHERE d.document @@ {self._query()} AND {is_live} ORDER BY {order} DESC LIMIT {CANDIDATES + 1}) "
                f"SELECT found.sort_key, {where if ranked else 'NULL, NULL, NULL'} FROM found "
                f"JOIN {self.table} d ON d.article_id = found.article_id, (SELECT {self._query()} AS query) AS q "
                "ORDER BY found.sort_key DESC",
                [*source_params, websearch, *live_params, websearch],
            )
            rows = cursor.fetchall()
            if narrowing:
                cursor.execute("RESET enable_seqscan")
        return [(key, relevance(*where) if ranked else None) for key, *where in rows]

    def highlights(self, parsed, keys):
        if not keys:
            return {}
        marks = f'StartSel="{MARK_START}", StopSel="{MARK_END}"'
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.sort_key, ts_headline('{self.config}', d.headline, q.query, %s), "
                f"ts_headline('{self.config}', left(d.body, {SNIPPET_FROM_CHARACTERS}), q.query, %s) "
                f"FROM {self.table} d, (SELECT {self._query()} AS query) AS q WHERE d.sort_key = ANY(%s)",
                [
                    f"HighlightAll=true, {marks}",
                    f'{marks}, MaxWords=32, MinWords=12, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "',
                    search_query.websearch_text(parsed),
                    list(keys),
                ],
            )
            return {key: (headline, snippet) for key, headline, snippet in cursor.fetchall()}


def get_backend(vendor=None):
    vendor = vendor or connection.vendor
    if vendor == "postgresql":
        return PostgreSQLBackend()
    if vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"Search supports SQLite and PostgreSQL, not {vendor}.")
