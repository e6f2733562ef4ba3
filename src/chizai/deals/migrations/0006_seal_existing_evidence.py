"""Seal the evidence files stored in plaintext before evidence went through
``register.sealed``, and remove the plaintext.

Each file named by ``evidence_file`` is encrypted under its organisation's key (created
here if the organisation has none yet), recorded in the sealed columns of 0005, and its
plaintext is deleted only after this migration's transaction committed: if anything fails,
the rows still name the plaintext, which is still there, and the ciphertext written so far
is removed. A file that is already missing is noted in the entry's evidence note.

Encryption needs the master key (``CHIZAI_MASTER_KEY``) as for any upload. It uses the
register's current key code, not historical models: run it with the register migrations
of the same release (it depends on the latest one at the time of writing).
Reversing decrypts the files back into plaintext under ``deals/evidence/``.
"""
from django.db import migrations

MISSING_NOTE = "[evidence file missing when it was encrypted: {name}]"


def seal(apps, schema_editor):
    from django.core.files.storage import default_storage

    from chizai.register import sealed
    from chizai.register.services import sniff_content_type

    entries = apps.get_model("deals", "ContributionEntry").objects.exclude(evidence_file="").exclude(evidence_file__isnull=True)
    plaintext, written = [], []
    try:
        for entry in entries.order_by("pk").iterator():
            name = entry.evidence_file.name
            short = name.rsplit("/", 1)[-1][:255] or "evidence"
            try:
                handle = default_storage.open(name, "rb")
            except FileNotFoundError:
                entry.evidence_note = (f"{entry.evidence_note} " + MISSING_NOTE.format(name=short)).strip()[:300]
                entry.evidence_file = ""
                entry.save(update_fields=["evidence_note", "evidence_file"])
                continue
            with handle:
                stored, result = sealed.store(handle, f"deals/{entry.organization_id}/evidence", entry.organization_id,
                                              allow_empty=True)
            written.append(stored)
            entry.evidence_name, entry.evidence_storage_name = short, stored
            entry.evidence_content_type = sniff_content_type(short, result.head)
            entry.evidence_size, entry.evidence_sha256 = result.size, result.sha256
            entry.evidence_key_id, entry.evidence_wrapped_key = result.key_id, result.wrapped_key
            entry.evidence_file = ""
            entry.save(update_fields=["evidence_name", "evidence_storage_name", "evidence_content_type", "evidence_size",
                                      "evidence_sha256", "evidence_key_id", "evidence_wrapped_key", "evidence_file"])
            plaintext.append(name)
    except BaseException:
        for stored in written:
            default_storage.delete(stored)
        raise
    sealed.delete_on_commit(*plaintext)


def unseal(apps, schema_editor):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from chizai.register import sealed

    entries = apps.get_model("deals", "ContributionEntry").objects.exclude(evidence_storage_name="")
    for entry in entries.order_by("pk").iterator():
        data = sealed.open_sealed(entry.evidence_storage_name, entry.evidence_wrapped_key, entry.evidence_key_id,
                                  entry.evidence_sha256, entry.organization_id)
        entry.evidence_file = default_storage.save(f"deals/evidence/{entry.evidence_name or 'evidence'}", ContentFile(data))
        entry.save(update_fields=["evidence_file"])
        sealed.delete_on_commit(entry.evidence_storage_name)


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0005_evidence_sealed_fields'),
        ('register', '0004_chunk_classification'),
    ]

    operations = [
        migrations.RunPython(seal, unseal),
    ]
