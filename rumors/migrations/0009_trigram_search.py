from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Trigram GIN indexes make similarity and substring search on Chinese text fast on
# PostgreSQL. Other databases (SQLite in development) use plain scans instead.
TRIGRAM_INDEXES = [
    ("rumors_report_content_trgm", "rumors_report", "content"),
    ("rumors_debunk_title_trgm", "rumors_debunk", "title"),
    ("rumors_debunk_claim_trgm", "rumors_debunk", "claim"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("rumors", "0008_working_day_durations")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
