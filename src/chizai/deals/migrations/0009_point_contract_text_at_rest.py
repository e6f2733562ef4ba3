"""The contract wording a negotiation point copies from a review finding is sealed.

``contract_text`` quotes the contract under review, which review 0003 sealed; the copy here
is sealed the same way (``register.atrest``), existing rows in place, and 0010 removes the
plaintext left in freed pages. Going back opens the values into the plain column again.
"""
from django.db import migrations, models

from chizai.register import atrest

BATCH = 500
# The place is bound into every sealed value: it must stay what the model uses.
CONTRACT_TEXT = atrest.SealedField("contract_text_sealed", "deals.NegotiationPoint.contract_text")


def seal_points(apps, schema_editor):
    NegotiationPoint = apps.get_model("deals", "NegotiationPoint")
    with_text = NegotiationPoint.objects.exclude(contract_text="")
    for org_id in list(with_text.order_by().values_list("organization_id", flat=True).distinct()):
        text_keys = atrest.for_organization(org_id)
        last = 0
        while True:
            rows = list(with_text.filter(organization_id=org_id, pk__gt=last).order_by("pk")
                        .only("pk", "contract_text")[:BATCH])
            if not rows:
                break
            for row in rows:
                row.contract_text_sealed = CONTRACT_TEXT.sealed(org_id, row.contract_text, text_keys)
            NegotiationPoint.objects.bulk_update(rows, ["contract_text_sealed"])
            last = rows[-1].pk


def open_points(apps, schema_editor):
    NegotiationPoint = apps.get_model("deals", "NegotiationPoint")
    for row in NegotiationPoint.objects.exclude(contract_text_sealed=b"").only("pk", "organization_id", "contract_text_sealed"):
        row.contract_text = CONTRACT_TEXT.opened(row.organization_id, row.contract_text_sealed)
        row.save(update_fields=["contract_text"])


class Migration(migrations.Migration):
    dependencies = [("deals", "0008_evidence_asset_guards_its_files"), ("register", "0006_purge_plaintext_pages")]

    operations = [
        migrations.AddField("negotiationpoint", "contract_text_sealed", models.BinaryField(default=b"", editable=False)),
        migrations.RunPython(seal_points, open_points),
        migrations.RemoveField("negotiationpoint", "contract_text"),
    ]
