"""Index state per version and per asset's fields, so an index job extracts only what is new.

What the full rebuilds of earlier releases indexed is marked as indexed: the newest version
of each file whose chunks exist, and the fields of each asset that has field chunks. The
rest (files with no text, assets never indexed) is picked up by the next index job.
"""
from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone


def mark_indexed(apps, schema_editor):
    Asset = apps.get_model("register", "Asset")
    FileVersion = apps.get_model("register", "FileVersion")
    SearchChunk = apps.get_model("register", "SearchChunk")
    has_chunks = SearchChunk.objects.filter(version=OuterRef("pk"))
    newest = FileVersion.objects.filter(file=OuterRef("file")).order_by("-number").values("number")[:1]
    FileVersion.objects.filter(Exists(has_chunks), number=Subquery(newest)).update(indexed_at=timezone.now())
    field_chunks = SearchChunk.objects.filter(asset=OuterRef("pk"), version__isnull=True)
    Asset.objects.filter(Exists(field_chunks)).update(meta_indexed_for=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [("register", "0006_purge_plaintext_pages")]

    operations = [
        migrations.AddField(model_name="asset", name="meta_indexed_for",
                            field=models.DateTimeField(blank=True, editable=False, null=True)),
        migrations.AddField(model_name="fileversion", name="indexed_at",
                            field=models.DateTimeField(blank=True, editable=False, null=True)),
        migrations.RunPython(mark_indexed, migrations.RunPython.noop),
    ]
