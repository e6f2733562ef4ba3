"""Search tokens are now folded (katakana as hiragana: ばり finds バリ). Chunks indexed before
hold the digests of unfolded tokens, so every asset's index is rebuilt by the worker, the
same ``full`` job ``chizai reindex`` queues. Nothing is read or changed here but the queue."""
from django.db import migrations
from django.utils import timezone


def queue_rebuilds(apps, schema_editor):
    asset_model = apps.get_model("register", "Asset")
    job_model = apps.get_model("core", "Job")
    now = timezone.now()
    job_model.objects.bulk_create(
        [job_model(organization_id=org_id, kind="register.index", params={"asset_id": pk, "full": True}, run_after=now)
         for pk, org_id in asset_model.objects.order_by("pk").values_list("pk", "organization_id").iterator()],
        batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0007_incremental_index"),
        ("core", "0006_job_due_index"),  # the Job table as it is queued here
    ]

    operations = [migrations.RunPython(queue_rebuilds, migrations.RunPython.noop)]
