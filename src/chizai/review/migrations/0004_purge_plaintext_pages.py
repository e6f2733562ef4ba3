"""Rewrite the database so the contract text 0003 sealed is not left in freed pages.

Not atomic: VACUUM cannot run inside a transaction.
"""
from django.db import migrations

from chizai.register.atrest import purge_freed_pages


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("review", "0003_contract_text_at_rest")]

    operations = [migrations.RunPython(purge_freed_pages("review_contractreview"), migrations.RunPython.noop)]
