"""Full-text index over SearchChunk.tokens, one per database.

SQLite: an FTS5 external-content table kept in step by triggers, so the ORM writes
chunks and the index follows in the same transaction. PostgreSQL: a GIN index on a stored
'simple' tsvector of the same token stream (SudachiPy already did the language work).
"""
from django.db import migrations

from chizai.core.vendor_sql import per_vendor

SQLITE_UP = [
    "CREATE VIRTUAL TABLE register_search_fts USING fts5(tokens, content='register_searchchunk', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER register_search_ai AFTER INSERT ON register_searchchunk BEGIN "
    "INSERT INTO register_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER register_search_ad AFTER DELETE ON register_searchchunk BEGIN "
    "INSERT INTO register_search_fts(register_search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER register_search_au AFTER UPDATE ON register_searchchunk BEGIN "
    "INSERT INTO register_search_fts(register_search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO register_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS register_search_au",
    "DROP TRIGGER IF EXISTS register_search_ad",
    "DROP TRIGGER IF EXISTS register_search_ai",
    "DROP TABLE IF EXISTS register_search_fts",
]
# A stored generated column, so ranking reads the vector instead of re-parsing every match.
POSTGRES_UP = [
    "ALTER TABLE register_searchchunk ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED",
    "CREATE INDEX reg_chunk_tsv ON register_searchchunk USING gin (tsv)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS reg_chunk_tsv", "ALTER TABLE register_searchchunk DROP COLUMN IF EXISTS tsv"]


class Migration(migrations.Migration):
    dependencies = [("register", "0001_initial")]

    operations = [
        migrations.RunPython(
            per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
