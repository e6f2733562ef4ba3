"""Raw SQL a migration runs on one database vendor only (triggers, FTS tables, indexes).

Kept out of the migration files so they do not each carry a copy, and so a migration that
is squashed later still finds it.
"""

from __future__ import annotations


def per_vendor(statements_by_vendor: dict[str, list[str]]):
    """A RunPython function executing the statements listed for the connection's vendor."""

    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run
