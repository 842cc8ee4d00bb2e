"""Let the roles edit bylines, and Editors corrections, in the article form."""

from django.db import migrations

GRANTS = {
    "Writers": [("byline", action) for action in ("add", "change", "delete", "view")],
    "Editors": [(model, action) for model in ("byline", "correction") for action in ("add", "change", "delete", "view")],
}


def grant(apps, schema_editor):
    roles_migration = __import__("articles.migrations.0002_roles", fromlist=["create_roles"])
    roles_migration.create_roles(apps, schema_editor)  # makes the new models' permissions exist
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GRANTS.items():
        group = Group.objects.get(name=name)
        for model, action in grants:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="articles", codename=f"{action}_{model}")
            )


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_revisions_corrections_share_links_bin")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
