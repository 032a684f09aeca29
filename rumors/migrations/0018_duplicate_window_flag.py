"""Duplicate detection searches the window's texts only.

The trigram probe on 0009's GIN index reads the posting lists of every report ever
received and only then keeps the 30-day window (~28 ms a report at a million rows). The
reports that can still be an earlier report of a new one carry ``in_duplicate_window``,
and a partial trigram GIN index holds just those, so the probe reads the window's
posting lists. Housekeeping clears the flag a day after a report leaves the window.

The column is added as false (no table rewrite, no update of the old rows) and only the
reports inside the window and its day of margin are set, in one UPDATE; new rows get
true from the model. 0009's full index stays: the staff's candidate list for a report of
any age (``report_duplicate_candidates``) searches windows long cleared.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

WINDOW_INDEX = "report_content_trgm_window"


def flag_reports_in_window(apps, schema_editor):
    Report = apps.get_model("rumors", "Report")
    # The same cutoff as housekeeping's (selectors.duplicate_window_flag_cutoff).
    cutoff = timezone.now() - timedelta(days=settings.DUPLICATE_WINDOW_DAYS + 1)
    Report.objects.filter(created_at__gte=cutoff).update(in_duplicate_window=True)


def create_window_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # fastupdate off: the probe would scan GIN's pending list of unsorted new entries on
    # every search, and a burst of reports, each routed (a new row version), fills it
    # (4 MB: ~5,000 reports) faster than vacuum empties it, tripling the probe's cost.
    # In a month-sized index, writing each entry in place costs less than that.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {WINDOW_INDEX} ON rumors_report"
        " USING gin (content gin_trgm_ops) WITH (fastupdate = off) WHERE in_duplicate_window"
    )


def drop_window_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {WINDOW_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("rumors", "0017_duplicate_candidate_indexes")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="in_duplicate_window",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(flag_reports_in_window, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="report",
            name="in_duplicate_window",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("in_duplicate_window", True)),
                fields=["created_at"],
                name="report_dup_window_created",
            ),
        ),
        migrations.RunPython(create_window_index, drop_window_index),
    ]
