"""Rewrite the database so the plaintext 0005 sealed is not left in freed pages.

Not atomic: VACUUM cannot run inside a transaction. On a large embedded database this
takes as long as copying the file once.
"""
from django.db import migrations

from chizai.register.atrest import purge_freed_pages


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("register", "0005_search_text_at_rest")]

    operations = [migrations.RunPython(purge_freed_pages("register_searchchunk"), migrations.RunPython.noop)]
