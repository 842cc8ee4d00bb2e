"""The search index, one implementation per database behind one interface.

SQLite (the embedded default) keeps an FTS5 virtual table whose rowid is the
article id; PostgreSQL keeps a table with a weighted tsvector and a GIN index.
Every article is indexed whatever its status: the publication rule is applied
when searching, by joining `Article.objects.live()`, so a scheduled article is
found at its second without reindexing."""

from django.db import connection

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

    def count(self, text, live_sql):
        raise NotImplementedError

    def page(self, text, live_sql, offset, limit):
        """[(article_id, highlighted headline, snippet)] best first, newest first among equals.
        `live_sql` selects the live articles' id and publish_at."""
        raise NotImplementedError


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

    def _match(self, text):
        return search_query.fts5_expression(search_query.parse(text))

    def remove_orphans(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE rowid NOT IN (SELECT id FROM articles_article)")

    # The MATCH runs once, materialised, before the publication rule is applied: left to
    # itself SQLite would push `rowid IN (live articles)` into the FTS5 table and
    # evaluate the MATCH once per live article.
    def _hits(self, ranked=False):
        weights = ", ".join(str(weight) for weight in self.weights)
        rank = f", bm25({self.table}, {weights}) AS rank" if ranked else ""
        return f"hits AS MATERIALIZED (SELECT rowid AS id{rank} FROM {self.table} WHERE {self.table} MATCH %s)"

    def count(self, text, live_sql):
        expression = self._match(text)
        if not expression:
            return 0
        sql, params = live_sql
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH {self._hits()} SELECT count(*) FROM hits WHERE hits.id IN ({sql})",
                [expression, *params],
            )
            return cursor.fetchone()[0]

    def page(self, text, live_sql, offset, limit):
        expression = self._match(text)
        if not expression:
            return []
        sql, params = live_sql
        marks = [MARK_START, MARK_END]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH {self._hits(ranked=True)}, live(id, publish_at) AS MATERIALIZED ({sql}), "
                "page AS MATERIALIZED (SELECT hits.id, hits.rank, live.publish_at FROM hits "
                "JOIN live ON live.id = hits.id "
                "ORDER BY hits.rank, live.publish_at DESC, hits.id DESC LIMIT %s OFFSET %s) "
                f"SELECT page.id, highlight({self.table}, 0, %s, %s), snippet({self.table}, 3, %s, %s, %s, 32) "
                f"FROM page JOIN {self.table} ON {self.table}.rowid = page.id WHERE {self.table} MATCH %s "
                "ORDER BY page.rank, page.publish_at DESC, page.id DESC",
                [expression, *params, limit, offset, *marks, *marks, ELLIPSIS, expression],
            )
            return cursor.fetchall()


class PostgreSQLBackend(SearchBackend):
    table = "search_document"
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

    def _tsquery(self, text):
        return search_query.websearch_text(search_query.parse(text))

    def count(self, text, live_sql):
        websearch = self._tsquery(text)
        if not websearch:
            return 0
        sql, params = live_sql
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {self.table} "
                f"WHERE document @@ websearch_to_tsquery('{self.config}', %s) AND article_id IN ({sql})",
                [websearch, *params],
            )
            return cursor.fetchone()[0]

    def page(self, text, live_sql, offset, limit):
        websearch = self._tsquery(text)
        if not websearch:
            return []
        sql, params = live_sql
        marks = f'StartSel="{MARK_START}", StopSel="{MARK_END}"'
        # Headlines are highlighted only for the page's rows: ts_headline is costly.
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH q AS (SELECT websearch_to_tsquery('{self.config}', %s) AS query), "
                f"hits AS (SELECT d.article_id, d.headline, d.body, q.query, "
                f"ts_rank_cd(d.document, q.query, 1) AS rank, a.publish_at "
                f"FROM {self.table} d JOIN articles_article a ON a.id = d.article_id, q "
                f"WHERE d.document @@ q.query AND d.article_id IN ({sql}) "
                f"ORDER BY rank DESC, a.publish_at DESC, a.id DESC LIMIT %s OFFSET %s) "
                f"SELECT article_id, ts_headline('{self.config}', headline, query, %s), "
                f"ts_headline('{self.config}', body, query, %s) FROM hits "
                f"ORDER BY rank DESC, publish_at DESC, article_id DESC",
                [
                    websearch,
                    *params,
                    limit,
                    offset,
                    f"HighlightAll=true, {marks}",
                    f'{marks}, MaxWords=32, MinWords=12, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "',
                ],
            )
            return cursor.fetchall()


def get_backend(vendor=None):
    vendor = vendor or connection.vendor
    if vendor == "postgresql":
        return PostgreSQLBackend()
    if vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"Search supports SQLite and PostgreSQL, not {vendor}.")
