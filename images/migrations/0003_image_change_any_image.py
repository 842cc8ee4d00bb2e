from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_editors(apps, schema_editor):
    app_config = apps.get_app_config("images")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="images", codename="change_any_image")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0002_image_renditions"),
        ("articles", "0002_roles"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="image",
            options={
                "ordering": ["-uploaded_at"],
                "permissions": [("change_any_image", "Can change any image, including those live articles show")],
            },
        ),
        migrations.RunPython(grant_editors, migrations.RunPython.noop),
    ]
