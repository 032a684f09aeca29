import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Published debunks are withdrawn, never deleted. The model and its queryset refuse the
# delete; on PostgreSQL a trigger refuses it for any other path too (raw SQL, a race
# with publishing). TRUNCATE (the test runner's flush) does not fire it. SQLite has no
# such guard: its flush deletes row by row.
REFUSE_PUBLISHED_DELETE = """
CREATE OR REPLACE FUNCTION rumors_debunk_refuse_published_delete() RETURNS trigger AS $$
BEGIN
    IF OLD.is_published THEN
        RAISE EXCEPTION 'published debunk % cannot be deleted; withdraw it instead', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS rumors_debunk_published_not_deleted ON rumors_debunk;
CREATE TRIGGER rumors_debunk_published_not_deleted
    BEFORE DELETE ON rumors_debunk
    FOR EACH ROW EXECUTE FUNCTION rumors_debunk_refuse_published_delete();
"""
ALLOW_DELETE = """
DROP TRIGGER IF EXISTS rumors_debunk_published_not_deleted ON rumors_debunk;
DROP FUNCTION IF EXISTS rumors_debunk_refuse_published_delete();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_PUBLISHED_DELETE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_DELETE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("rumors", "0009_trigram_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="debunk",
            name="withdrawal_reason",
            field=models.TextField(blank=True, verbose_name="撤回理由"),
        ),
        migrations.AddField(
            model_name="debunk",
            name="withdrawn_at",
            field=models.DateTimeField(
                blank=True, db_index=True, null=True, verbose_name="撤回时间"
            ),
        ),
        migrations.AddField(
            model_name="debunk",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="撤回人",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="debunk",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reports",
                to="rumors.debunk",
                verbose_name="关联辟谣",
            ),
        ),
        migrations.AddConstraint(
            model_name="debunk",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("withdrawn_at__isnull", True),
                    models.Q(
                        ("is_published", True), models.Q(("withdrawal_reason", ""), _negated=True)
                    ),
                    _connector="OR",
                ),
                name="withdrawn_debunk_was_published_with_a_reason",
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
