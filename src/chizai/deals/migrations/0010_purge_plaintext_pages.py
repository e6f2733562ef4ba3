"""Rewrite the database so the contract wording 0009 sealed is not left in freed pages.

Not atomic: VACUUM cannot run inside a transaction.
"""
from django.db import migrations

from chizai.register.atrest import purge_freed_pages


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("deals", "0009_point_contract_text_at_rest")]

    operations = [migrations.RunPython(purge_freed_pages("deals_negotiationpoint"), migrations.RunPython.noop)]
