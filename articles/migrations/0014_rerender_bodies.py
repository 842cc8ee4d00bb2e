"""Stored bodies rendered again by markdown-it-py (articles/body.py), which replaced
Python-Markdown: picture placements, typographic quotes and dashes, the new extensions.

Not atomic: each batch is rendered first and then written in its own short transaction, so
on a large archive the write lock is never held while rendering."""

from django.db import migrations, transaction

BATCH = 200


def rerender(apps, schema_editor):
    from articles.body import render_body

    Article = apps.get_model("articles", "Article")
    rows = Article._base_manager.using(schema_editor.connection.alias)
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        bodies = rows.filter(pk__in=ids[start : start + BATCH]).values_list("pk", "body")
        rendered = [(pk, render_body(body)) for pk, body in bodies]
        with transaction.atomic(using=schema_editor.connection.alias):
            for pk, html in rendered:
                rows.filter(pk=pk).update(body_html=html)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("articles", "0013_body_limit_and_extensions")]

    operations = [migrations.RunPython(rerender, migrations.RunPython.noop, elidable=True)]
