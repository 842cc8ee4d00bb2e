"""The search index, one implementation per database behind one interface.

SQLite (the embedded default) keeps an FTS5 virtual table whose rowid is the
article id; PostgreSQL keeps a table with a weighted tsvector and a GIN index.
Every article is indexed whatever its status: the publication rule is applied
when searching, by joining `Article.objects.live()`, so a scheduled article is
found at its second without reindexing."""

from django.db import connection
from django.db.models.expressions import RawSQL

from . import query as search_query

# Private-use characters mark matches in snippets; they are removed from the
# indexed text, escaped around, and only then turned into <mark>.
MARK_START = "\ue000"
MARK_END = "\ue001"
ELLIPSIS = "…"

FIELDS = ("headline", "deck", "standfirst", "body", "tags", "authors", "theme")


class SearchBackend:
    def install(self, schema_editor):
        raise NotImplementedError

    def uninstall(self, schema_editor):
        raise NotImplementedError

    def replace(self, documents):
        """Index `documents` ({article_id: {field: text}}), replacing what was indexed for those ids."""
        raise NotImplementedError

    def remove(self, article_ids):
        raise NotImplementedError

    def clear(self):
        raise NotImplementedError

    def remove_orphans(self):
        """Drop entries whose article is gone (after a flush, which does not know this table)."""
        raise NotImplementedError

    def hits(self, text, ranked=False):
        raise NotImplementedError

    def headlines_and_snippets(self, text):
        raise NotImplementedError

    rank_order = "hits.rank"

    # The full-text match runs once, materialised, and the live articles are then
    # looked up among its hits: SQLite would otherwise push "rowid IN (live articles)"
    # into the FTS5 table and evaluate the MATCH once per live article.
    @staticmethod
    def _live_hits(live, *fields):
        return live.filter(pk__in=RawSQL("SELECT id FROM hits", ())).values(*fields).query.sql_with_params()

    def count(self, text, live):
        """How many articles of the `live` queryset match."""
        hits = self.hits(text)
        if hits is None:
            return 0
        live_sql, live_params = self._live_hits(live, "pk")
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {hits[0]} SELECT count(*) FROM ({live_sql}) AS found", [*hits[1], *live_params])
            return cursor.fetchone()[0]

    def page(self, text, live, offset, limit):
        """[(article_id, highlighted headline, snippet)] best first, newest first among equals."""
        hits = self.hits(text, ranked=True)
        if hits is None:
            return []
        live_sql, live_params = self._live_hits(live, "pk", "publish_at")
        final_sql, final_params = self.headlines_and_snippets(text)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH {hits[0]}, found(id, publish_at) AS MATERIALIZED ({live_sql}), "
                "page AS MATERIALIZED (SELECT hits.id, hits.rank, found.publish_at FROM hits "
                f"JOIN found ON found.id = hits.id ORDER BY {self.rank_order}, found.publish_at DESC, hits.id DESC "
                f"LIMIT %s OFFSET %s) {final_sql}",
                [*hits[1], *live_params, limit, offset, *final_params],
            )
            return cursor.fetchall()


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


class SQLiteBackend(SearchBackend):
    table = "search_index"
    # bm25 weight of each column, in FIELDS order: a word in the headline counts most.
    weights = (10.0, 5.0, 4.0, 1.0, 3.0, 3.0, 3.0)

    def install(self, schema_editor):
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {self.table} USING fts5({', '.join(FIELDS)}, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )

    def uninstall(self, schema_editor):
        schema_editor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def replace(self, documents):
        if not documents:
            return
        with connection.cursor() as cursor:
            ids = list(documents)
            cursor.execute(f"DELETE FROM {self.table} WHERE rowid IN ({_placeholders(ids)})", ids)
            cursor.executemany(
                f"INSERT INTO {self.table} (rowid, {', '.join(FIELDS)}) VALUES (%s, {_placeholders(FIELDS)})",
                [(pk, *(doc[name] for name in FIELDS)) for pk, doc in documents.items()],
            )

    def remove(self, article_ids):
        article_ids = list(article_ids)
        if article_ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {self.table} WHERE rowid IN ({_placeholders(article_ids)})", article_ids)

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")

    def remove_orphans(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE rowid NOT IN (SELECT id FROM articles_article)")

    @staticmethod
    def _match(text):
        return search_query.fts5_expression(search_query.parse(text))

    def hits(self, text, ranked=False):
        """The CTE of matching article ids (and their rank), or None when the text has nothing to find."""
        expression = self._match(text)
        if not expression:
            return None
        weights = ", ".join(str(weight) for weight in self.weights)
        rank = f", bm25({self.table}, {weights}) AS rank" if ranked else ""
        sql = f"hits AS MATERIALIZED (SELECT rowid AS id{rank} FROM {self.table} WHERE {self.table} MATCH %s)"
        return sql, [expression]

    def headlines_and_snippets(self, text):
        expression = self._match(text)
        marks = [MARK_START, MARK_END]
        return (
            f"SELECT page.id, highlight({self.table}, 0, %s, %s), snippet({self.table}, 3, %s, %s, %s, 32) "
            f"FROM page JOIN {self.table} ON {self.table}.rowid = page.id WHERE {self.table} MATCH %s "
            "ORDER BY page.rank, page.publish_at DESC, page.id DESC",
            [*marks, *marks, ELLIPSIS, expression],
        )


class PostgreSQLBackend(SearchBackend):
    table = "search_document"
    rank_order = "hits.rank DESC"
    config = "english"

    def install(self, schema_editor):
        schema_editor.execute(
            f"CREATE TABLE {self.table} ("
            "article_id bigint PRIMARY KEY, headline text NOT NULL, body text NOT NULL, document tsvector NOT NULL)"
        )
        schema_editor.execute(f"CREATE INDEX {self.table}_gin ON {self.table} USING gin (document)")

    def uninstall(self, schema_editor):
        schema_editor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def replace(self, documents):
        if not documents:
            return
        weighted = (
            f"setweight(to_tsvector('{self.config}', %s), 'A') || setweight(to_tsvector('{self.config}', %s), 'B') "
            f"|| setweight(to_tsvector('{self.config}', %s), 'C') || setweight(to_tsvector('{self.config}', %s), 'D')"
        )
        rows = []
        for pk, doc in documents.items():
            summary = f"{doc['deck']} {doc['standfirst']}"
            about = f"{doc['tags']} {doc['authors']} {doc['theme']}"
            rows.append((pk, doc["headline"], doc["body"], doc["headline"], summary, about, doc["body"]))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} (article_id, headline, body, document) VALUES (%s, %s, %s, {weighted}) "
                "ON CONFLICT (article_id) DO UPDATE SET headline = EXCLUDED.headline, body = EXCLUDED.body, "
                "document = EXCLUDED.document",
                rows,
            )

    def remove(self, article_ids):
        article_ids = list(article_ids)
        if article_ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {self.table} WHERE article_id = ANY(%s)", [article_ids])

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")

    def remove_orphans(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE article_id NOT IN (SELECT id FROM articles_article)")

    def hits(self, text, ranked=False):
        websearch = search_query.websearch_text(search_query.parse(text))
        if not websearch:
            return None
        rank = ", ts_rank_cd(document, query, 1) AS rank" if ranked else ""
        sql = (
            f"hits AS MATERIALIZED (SELECT article_id AS id{rank} FROM {self.table}, "
            f"websearch_to_tsquery('{self.config}', %s) AS query WHERE document @@ query)"
        )
        return sql, [websearch]

    def headlines_and_snippets(self, text):
        websearch = search_query.websearch_text(search_query.parse(text))
        marks = f'StartSel="{MARK_START}", StopSel="{MARK_END}"'
        return (
            f"SELECT page.id, ts_headline('{self.config}', d.headline, q.query, %s), "
            f"ts_headline('{self.config}', d.body, q.query, %s) "
            f"FROM page JOIN {self.table} d ON d.article_id = page.id, "
            f"(SELECT websearch_to_tsquery('{self.config}', %s) AS query) AS q "
            "ORDER BY page.rank DESC, page.publish_at DESC, page.id DESC",
            [
                f"HighlightAll=true, {marks}",
                f'{marks}, MaxWords=32, MinWords=12, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "',
                websearch,
            ],
        )


def get_backend(vendor=None):
    vendor = vendor or connection.vendor
    if vendor == "postgresql":
        return PostgreSQLBackend()
    if vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"Search supports SQLite and PostgreSQL, not {vendor}.")
