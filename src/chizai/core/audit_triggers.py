"""Database triggers that refuse UPDATE and DELETE on the audit table (SQLite and PostgreSQL).

The model refuses too; the triggers also stop raw SQL and other programs. Tests that need to
tamper (to prove ``verify`` notices) drop them with ``drop_triggers`` first.
"""

from __future__ import annotations

TABLE = "core_auditevent"

_SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS chizai_audit_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS chizai_audit_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
_SQLITE_DROP = ["DROP TRIGGER IF EXISTS chizai_audit_no_update;", "DROP TRIGGER IF EXISTS chizai_audit_no_delete;"]

_PG_CREATE = [
    """CREATE OR REPLACE FUNCTION chizai_audit_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS chizai_audit_no_change ON {TABLE};",
    f"""CREATE TRIGGER chizai_audit_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION chizai_audit_refuse();""",
]
_PG_DROP = [f"DROP TRIGGER IF EXISTS chizai_audit_no_change ON {TABLE};"]


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install_triggers(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_CREATE)
    elif connection.vendor == "postgresql":
        _run(connection, _PG_CREATE)


def drop_triggers(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_DROP)
    elif connection.vendor == "postgresql":
        _run(connection, _PG_DROP)
