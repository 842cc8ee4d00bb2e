from urllib.parse import unquote

from django.db import migrations


def decode(apps, schema_editor):
    """Old addresses kept percent-encoded, as WordPress exports slugs in other scripts, are kept
    decoded, as Django reads the addresses readers ask for (/tag/київ/): until now they answered
    404. Where both spellings were kept, the decoded one stays."""
    LegacyAddress = apps.get_model("wordpress", "LegacyAddress")
    for address in LegacyAddress.objects.filter(path__contains="%"):
        decoded = unquote(address.path)
        if decoded == address.path:
            continue
        if LegacyAddress.objects.filter(path=decoded).exists():
            address.delete()
        else:
            address.path = decoded
            address.save(update_fields=["path"])


class Migration(migrations.Migration):
    dependencies = [("wordpress", "0002_legacy_addresses_of_authors_and_pages")]

    operations = [migrations.RunPython(decode, migrations.RunPython.noop)]
