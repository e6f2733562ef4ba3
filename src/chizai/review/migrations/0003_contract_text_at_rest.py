"""Contract text and review reports are sealed with the organisation's text key.

``text`` held the whole contract and ``report`` quotes every clause it found, so a database
backup disclosed contracts the file encryption protects. Existing rows are sealed in place
(``register.atrest``); 0004 removes the plaintext left in freed pages. Irreversible: going
back would need the plaintext this migration removes.
"""
from django.db import migrations, models

from chizai.register import atrest
from chizai.review.models import ContractReview as CurrentReview

BATCH = 500


def seal_reviews(apps, schema_editor):
    ContractReview = apps.get_model("review", "ContractReview")
    for org_id in list(ContractReview.objects.order_by().values_list("organization_id", flat=True).distinct()):
        text_keys = atrest.for_organization(org_id)
        last = 0
        while True:
            rows = list(ContractReview.objects.filter(organization_id=org_id, pk__gt=last).order_by("pk")
                        .only("pk", "text", "report")[:BATCH])
            if not rows:
                break
            for row in rows:
                row.text_sealed = CurrentReview.text.sealed(org_id, row.text, text_keys)
                row.report_sealed = CurrentReview.report.sealed(org_id, row.report, text_keys)
            ContractReview.objects.bulk_update(rows, ["text_sealed", "report_sealed"])
            last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("review", "0002_sealed_source"), ("register", "0006_purge_plaintext_pages")]

    operations = [
        migrations.AddField("contractreview", "text_sealed", models.BinaryField(default=b"", editable=False)),
        migrations.AddField("contractreview", "report_sealed", models.BinaryField(blank=True, editable=False, null=True)),
        migrations.RunPython(seal_reviews),
        migrations.RemoveField("contractreview", "text"),
        migrations.RemoveField("contractreview", "report"),
    ]
