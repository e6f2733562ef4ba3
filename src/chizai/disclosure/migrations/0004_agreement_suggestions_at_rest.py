"""The suggestions the reviewer pre-fills on an agreement are sealed.

``suggestions`` quotes the contract (and its findings) that review 0003 sealed; the copy here
is sealed the same way (``register.atrest``), existing rows in place, and 0005 removes the
plaintext left in freed pages. Going back opens the values into the plain column again.
"""
from django.db import migrations, models

from chizai.register import atrest

BATCH = 500
# The place is bound into every sealed value: it must stay what the model uses.
SUGGESTIONS = atrest.SealedField("suggestions_sealed", "disclosure.Agreement.suggestions", kind="json")


def seal_suggestions(apps, schema_editor):
    Agreement = apps.get_model("disclosure", "Agreement")
    for org_id in list(Agreement.objects.order_by().values_list("organization_id", flat=True).distinct()):
        text_keys = None
        last = 0
        while True:
            rows = list(Agreement.objects.filter(organization_id=org_id, pk__gt=last).order_by("pk")
                        .only("pk", "suggestions")[:BATCH])
            if not rows:
                break
            changed = [row for row in rows if row.suggestions]  # empty reads back as {} unsealed
            for row in changed:
                text_keys = text_keys or atrest.for_organization(org_id)
                row.suggestions_sealed = SUGGESTIONS.sealed(org_id, row.suggestions, text_keys)
            if changed:
                Agreement.objects.bulk_update(changed, ["suggestions_sealed"])
            last = rows[-1].pk


def open_suggestions(apps, schema_editor):
    Agreement = apps.get_model("disclosure", "Agreement")
    for row in Agreement.objects.exclude(suggestions_sealed=None).only("pk", "organization_id", "suggestions_sealed"):
        row.suggestions = SUGGESTIONS.opened(row.organization_id, row.suggestions_sealed) or {}
        row.save(update_fields=["suggestions"])


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0003_item_requested_classification"), ("register", "0006_purge_plaintext_pages")]

    operations = [
        migrations.AddField("agreement", "suggestions_sealed", models.BinaryField(blank=True, editable=False, null=True)),
        migrations.RunPython(seal_suggestions, open_suggestions),
        migrations.RemoveField("agreement", "suggestions"),
    ]
