"""Search chunks keep no plaintext: the text is sealed, the index holds keyed token digests.

A database backup alone used to disclose what file encryption protects (the text of 極秘
files sat in ``register_searchchunk.text`` and its tokens in the full-text index). Existing
rows are converted in place: their text is sealed and their stored tokens digested under the
organisation's new ``TextKey`` (``register.atrest``), so nothing needs re-extracting. The
index follows through the triggers of 0002/0004. Plaintext left in freed pages is removed by
0006. Irreversible: going back would need the plaintext this migration removes.

The column changes are plain ALTER TABLE on both databases: Django's SQLite schema editor
would rebuild the table and drop the FTS and classification triggers.
"""
import django.db.models.deletion
from django.db import migrations, models

from chizai.core.vendor_sql import per_vendor
from chizai.register import atrest, search

ADD_SEALED = {
    "sqlite": ["ALTER TABLE register_searchchunk ADD COLUMN sealed blob NOT NULL DEFAULT x''"],
    "postgresql": ["ALTER TABLE register_searchchunk ADD COLUMN sealed bytea NOT NULL DEFAULT ''::bytea"],
}
DROP_TEXT = {
    "sqlite": [
        "ALTER TABLE register_searchchunk DROP COLUMN text",
        # Merge the index's segments, so the entries of the plaintext tokens are gone from it.
        "INSERT INTO register_search_fts(register_search_fts) VALUES ('optimize')",
    ],
    "postgresql": ["ALTER TABLE register_searchchunk DROP COLUMN text"],
}
BATCH = 2000


def seal_chunks(apps, schema_editor):
    SearchChunk = apps.get_model("register", "SearchChunk")
    org_ids = SearchChunk.objects.order_by().values_list("organization_id", flat=True).distinct()
    for org_id in list(org_ids):
        text_keys = atrest.for_organization(org_id)
        last = 0
        while True:
            rows = list(SearchChunk.objects.filter(organization_id=org_id, pk__gt=last).order_by("pk")
                        .only("pk", "asset_id", "version_id", "level", "text", "tokens")[:BATCH])
            if not rows:
                break
            for row in rows:
                source = "file" if row.version_id else "known"
                row.sealed = text_keys.seal(row.text, search.chunk_place(row.asset_id))
                row.tokens = text_keys.digests(source, row.tokens.split())
            SearchChunk.objects.bulk_update(rows, ["sealed", "tokens"])
            last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_triggers"), ("register", "0004_chunk_classification")]

    operations = [
        migrations.CreateModel(
            name="TextKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key_id", models.CharField(max_length=32)),
                ("wrapped_key", models.CharField(max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("organization", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                      to="core.organization")),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField("searchchunk", "sealed", models.BinaryField(default=b""))],
            database_operations=[migrations.RunPython(per_vendor(ADD_SEALED))],
        ),
        migrations.RunPython(seal_chunks),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField("searchchunk", "text")],
            database_operations=[migrations.RunPython(per_vendor(DROP_TEXT))],
        ),
    ]
