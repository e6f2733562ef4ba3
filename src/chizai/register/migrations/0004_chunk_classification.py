"""Search chunks carry their asset's classification (and organisation), kept equal by the
database itself.

Search then applies the access rules to the chunk row (organisation, classification, asset
id) without joining every match to the asset table. Because a stale copy would leak a
reclassified asset's text, the copy is not left to application code: triggers set it on
every insert or re-parenting of a chunk and follow every change of the asset's
classification in the same transaction. On PostgreSQL the insert trigger reads the asset
FOR SHARE, so an index job and a concurrent reclassification are serialised instead of
leaving a chunk with the old class.

SQLite's FTS update trigger now fires on token changes only, so copying a classification
does not re-index the text.
"""
from django.db import migrations, models

from chizai.core.vendor_sql import per_vendor

# Added with plain ALTER TABLE on both databases: Django's SQLite schema editor would rebuild
# the table for a NOT NULL column with a default, dropping the FTS triggers of 0002.
ADD_COLUMN = "ALTER TABLE register_searchchunk ADD COLUMN classification varchar(20) NOT NULL DEFAULT ''"
SQLITE_COPY = (
    "UPDATE register_searchchunk SET classification = (SELECT classification FROM register_asset WHERE id = new.asset_id), "
    "organization_id = (SELECT organization_id FROM register_asset WHERE id = new.asset_id) WHERE id = new.id;"
)
SQLITE_UP = [
    ADD_COLUMN,
    "UPDATE register_searchchunk SET classification = "
    "(SELECT a.classification FROM register_asset a WHERE a.id = register_searchchunk.asset_id)",
    "CREATE TRIGGER register_chunk_class_ai AFTER INSERT ON register_searchchunk BEGIN " + SQLITE_COPY + " END",
    "CREATE TRIGGER register_chunk_class_au AFTER UPDATE OF classification, asset_id, organization_id "
    "ON register_searchchunk BEGIN " + SQLITE_COPY + " END",
    "CREATE TRIGGER register_asset_class_au AFTER UPDATE OF classification ON register_asset "
    "WHEN old.classification IS NOT new.classification BEGIN "
    "UPDATE register_searchchunk SET classification = new.classification WHERE asset_id = new.id; END",
    "DROP TRIGGER register_search_au",
    "CREATE TRIGGER register_search_au AFTER UPDATE OF tokens ON register_searchchunk BEGIN "
    "INSERT INTO register_search_fts(register_search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO register_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS register_asset_class_au",
    "DROP TRIGGER IF EXISTS register_chunk_class_au",
    "DROP TRIGGER IF EXISTS register_chunk_class_ai",
    "DROP TRIGGER IF EXISTS register_search_au",
    "CREATE TRIGGER register_search_au AFTER UPDATE ON register_searchchunk BEGIN "
    "INSERT INTO register_search_fts(register_search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO register_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "ALTER TABLE register_searchchunk DROP COLUMN classification",
]
POSTGRES_UP = [
    ADD_COLUMN,
    "UPDATE register_searchchunk c SET classification = a.classification FROM register_asset a WHERE a.id = c.asset_id",
    """CREATE FUNCTION register_chunk_classification() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT a.classification, a.organization_id INTO NEW.classification, NEW.organization_id
        FROM register_asset a WHERE a.id = NEW.asset_id FOR SHARE;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER register_chunk_class_biu BEFORE INSERT OR UPDATE OF classification, asset_id, organization_id "
    "ON register_searchchunk "
    "FOR EACH ROW EXECUTE FUNCTION register_chunk_classification()",
    """CREATE FUNCTION register_asset_classification_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE register_searchchunk SET classification = NEW.classification WHERE asset_id = NEW.id;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER register_asset_class_au AFTER UPDATE OF classification ON register_asset FOR EACH ROW "
    "WHEN (OLD.classification IS DISTINCT FROM NEW.classification) EXECUTE FUNCTION register_asset_classification_follow()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS register_asset_class_au ON register_asset",
    "DROP FUNCTION IF EXISTS register_asset_classification_follow()",
    "DROP TRIGGER IF EXISTS register_chunk_class_biu ON register_searchchunk",
    "DROP FUNCTION IF EXISTS register_chunk_classification()",
    "ALTER TABLE register_searchchunk DROP COLUMN classification",
]


class Migration(migrations.Migration):
    dependencies = [("register", "0003_organization_key")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="searchchunk",
                    name="classification",
                    field=models.CharField(default="", editable=False, max_length=20),
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    per_vendor({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
                    per_vendor({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
                ),
            ],
        ),
    ]
