"""Editors keep the static pages; writers do not (articles.permissions.ROLES)."""

from django.db import migrations

from articles.permissions import sync_roles


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_static_pages"), ("articles", "0016_article_dateline_offset_event_imported")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
