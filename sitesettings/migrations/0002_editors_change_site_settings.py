"""Editors change the site settings; writers cannot."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    "view_sitesettings",
    "change_sitesettings",
    "view_followlink",
    "add_followlink",
    "change_followlink",
    "delete_followlink",
]


def grant_editors(apps, schema_editor):
    app_config = apps.get_app_config("sitesettings")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="sitesettings", codename__in=CODENAMES)
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("sitesettings", "0001_site_settings_and_follow_links"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
