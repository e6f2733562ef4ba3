"""Rewrite the database so the suggestions 0004 sealed are not left in freed pages.

Not atomic: VACUUM cannot run inside a transaction.
"""
from django.db import migrations

from chizai.register.atrest import purge_freed_pages


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("disclosure", "0004_agreement_suggestions_at_rest")]

    operations = [migrations.RunPython(purge_freed_pages("disclosure_agreement"), migrations.RunPython.noop)]
