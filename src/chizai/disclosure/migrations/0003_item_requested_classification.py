"""The classification of each disclosed asset as recorded when the disclosure was requested.

Items recorded before this migration kept that value in ``classification`` (written at
request time and never changed), so it is copied over.
"""
from django.db import migrations, models
from django.db.models import F


def copy_recorded(apps, schema_editor):
    apps.get_model("disclosure", "DisclosureItem").objects.update(requested_classification=F("classification"))


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0002_agreements_disclosures")]

    operations = [
        migrations.AddField(model_name="disclosureitem", name="requested_classification",
                            field=models.CharField(blank=True, max_length=20)),
        migrations.RunPython(copy_recorded, migrations.RunPython.noop),
    ]
