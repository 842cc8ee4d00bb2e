"""The newsroom's roles as groups, so a fresh install has them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Writers": [
        ("articles", "add_article"),
        ("articles", "change_article"),
        ("articles", "view_article"),
        ("articles", "submit_article"),
        ("articles", "view_author"),
        ("themes", "view_theme"),
        ("images", "add_image"),
        ("images", "change_image"),
        ("images", "view_image"),
        ("taggit", "view_tag"),
    ],
    "Editors": [
        ("articles", "add_article"),
        ("articles", "change_article"),
        ("articles", "view_article"),
        ("articles", "delete_article"),
        ("articles", "submit_article"),
        ("articles", "publish_article"),
        ("articles", "withdraw_article"),
        ("articles", "add_author"),
        ("articles", "change_author"),
        ("articles", "view_author"),
        ("themes", "add_theme"),
        ("themes", "change_theme"),
        ("themes", "view_theme"),
        ("images", "add_image"),
        ("images", "change_image"),
        ("images", "view_image"),
        ("images", "delete_image"),
        ("taggit", "add_tag"),
        ("taggit", "change_tag"),
        ("taggit", "view_tag"),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrations; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("themes", "0001_initial"),
        ("images", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
