"""Writers submit live entries, editors publish them: ROLES (articles/permissions.py) grants
the live app's permissions, synced here once they exist."""

from django.db import migrations

from articles.permissions import sync_roles


class Migration(migrations.Migration):
    dependencies = [("live", "0001_entry"), ("articles", "0017_article_coverage")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
