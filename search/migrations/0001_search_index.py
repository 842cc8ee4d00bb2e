from django.db import migrations


def install(apps, schema_editor):
    from search.backends import get_backend

    get_backend(schema_editor.connection.vendor).install(schema_editor)


def uninstall(apps, schema_editor):
    from search.backends import get_backend

    get_backend(schema_editor.connection.vendor).uninstall(schema_editor)


class Migration(migrations.Migration):
    """The full-text index: an FTS5 table on SQLite, a tsvector with a GIN index on PostgreSQL.
    Fill it with `manage.py rebuild_search_index` (new articles are indexed as they are saved)."""

    dependencies = [("articles", "0002_roles")]

    operations = [migrations.RunPython(install, uninstall)]
