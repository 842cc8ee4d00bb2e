from django.db import migrations


def reinstall(apps, schema_editor):
    """An index made before sort keys is made again, empty (a database created since got the current
    tables from 0001); `migrate` refills it when it ends (search.signals.after_migrate): about
    3 minutes per 100,000 articles on SQLite."""
    from search.backends import get_backend

    connection = schema_editor.connection
    backend = get_backend(connection.vendor)
    if connection.vendor == "sqlite":
        current = {"search_key", "search_title"} <= set(connection.introspection.table_names())
    else:
        with connection.cursor() as cursor:
            columns = {column.name for column in connection.introspection.get_table_description(cursor, backend.table)}
        current = {"sort_key", "title"} <= columns
    if not current:
        backend.uninstall(schema_editor)
        backend.install(schema_editor)


class Migration(migrations.Migration):
    """Searches read their matches newest first from a sort key, instead of reading and ranking every match."""

    dependencies = [("search", "0001_search_index")]

    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
