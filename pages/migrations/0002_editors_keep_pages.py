"""Editors keep the static pages; writers do not."""

from django.db import migrations


def grant(apps, schema_editor):
    roles_migration = __import__("articles.migrations.0002_roles", fromlist=["create_roles"])
    roles_migration.create_roles(apps, schema_editor)  # makes the new model's permissions exist
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.get(name="Editors")
    for action in ("add", "change", "delete", "view"):
        editors.permissions.add(Permission.objects.get(content_type__app_label="pages", codename=f"{action}_page"))


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_static_pages"), ("articles", "0005_roles_bylines_corrections")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
