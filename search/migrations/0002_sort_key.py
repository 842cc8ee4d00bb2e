from django.db import migrations

from search.backends import FIELDS, ID_BITS


def add_sort_keys(apps, schema_editor):
    """Give an index built before sort keys existed its keys, from the articles' publication times
    (a database created since has them from 0001, which installs the current tables)."""
    connection = schema_editor.connection
    tables = connection.introspection.table_names()
    fields = ", ".join(FIELDS)
    if connection.vendor == "sqlite" and "search_key" not in tables:
        seconds = "max(0, coalesce(CAST(strftime('%s', a.publish_at) AS INTEGER), 0))"
        for statement in (
            f"CREATE VIRTUAL TABLE search_index_keyed USING fts5({fields}, "
            "tokenize = 'porter unicode61 remove_diacritics 2')",
            "CREATE TABLE search_key (article_id INTEGER PRIMARY KEY, key INTEGER NOT NULL)",
            f"INSERT INTO search_key (article_id, key) SELECT i.rowid, ({seconds} << {ID_BITS}) | i.rowid "
            "FROM search_index i JOIN articles_article a ON a.id = i.rowid",
            f"INSERT INTO search_index_keyed (rowid, {fields}) SELECT k.key, {fields} "
            "FROM search_index i JOIN search_key k ON k.article_id = i.rowid",
            "DROP TABLE search_index",
            "ALTER TABLE search_index_keyed RENAME TO search_index",
        ):
            schema_editor.execute(statement)
    elif connection.vendor == "postgresql":
        columns = {column.name for column in connection.introspection.get_table_description(
            connection.cursor(), "search_document")}
        if "sort_key" in columns:
            return
        seconds = "greatest(0, coalesce(floor(extract(epoch FROM a.publish_at))::bigint, 0))"
        for statement in (
            "ALTER TABLE search_document ADD COLUMN sort_key bigint",
            f"UPDATE search_document d SET sort_key = ({seconds} << {ID_BITS}) | d.article_id "
            "FROM articles_article a WHERE a.id = d.article_id",
            "DELETE FROM search_document WHERE sort_key IS NULL",
            "ALTER TABLE search_document ALTER COLUMN sort_key SET NOT NULL",
            "CREATE INDEX search_document_sort_key ON search_document (sort_key DESC)",
        ):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    """Searches read their matches newest first from a sort key, instead of reading and ranking every match."""

    dependencies = [("search", "0001_search_index"), ("articles", "0002_roles")]

    operations = [migrations.RunPython(add_sort_keys, migrations.RunPython.noop)]
