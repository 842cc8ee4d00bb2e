"""Editors may read the audit log (nobody may change it)."""

from django.db import migrations


def grant(apps, schema_editor):
    roles_migration = __import__("articles.migrations.0002_roles", fromlist=["create_roles"])
    roles_migration.create_roles(apps, schema_editor)  # makes sure the permission exists
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name="Editors").permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename="view_auditentry")
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_auditentry"), ("articles", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
