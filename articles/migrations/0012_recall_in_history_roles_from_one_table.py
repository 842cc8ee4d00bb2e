"""The history names every step of the table (recall was missing), and the roles' grants,
spread over five migrations in four apps until now, come from one table:
articles.permissions.ROLES, synced by sync_roles (which later grants run again)."""

from django.db import migrations, models

from articles.permissions import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_event_action_expiry"),
        ("audit", "0003_action_names_from_recorders"),
        ("images", "0003_image_change_any_image"),
        ("sitesettings", "0002_editors_change_site_settings"),
        ("themes", "0002_theme_summary_lead_article"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.AlterField(
            model_name="articleevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("submit", "Submitted for review"),
                    ("recall", "Recalled to draft"),
                    ("return", "Returned to draft"),
                    ("approve", "Approved"),
                    ("reschedule", "Rescheduled"),
                    ("expiry", "Expiry time set"),
                    ("withdraw", "Withdrawn"),
                    ("restore", "Restored to draft"),
                    ("delete", "Moved to the bin"),
                    ("undelete", "Restored from the bin"),
                    ("went_live", "Went live"),
                    ("expired", "Expired"),
                    ("revert", "Restored an earlier revision"),
                    ("correct", "Correction published"),
                    ("update", "Marked as a significant update"),
                    ("share", "Share link created"),
                    ("unshare", "Share link revoked"),
                    ("not_duplicate", "Duplicate warning dismissed"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
