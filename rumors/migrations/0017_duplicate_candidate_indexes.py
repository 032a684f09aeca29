"""Duplicate detection by indexed candidate queries.

A folded account (``normalized_account``, filled for existing reports here) and the
normalised link are each indexed with ``created_at``, so finding the earlier reports of
the same link or account within the window is one index probe at a million reports. The
similar-text candidates use the trigram GIN index on ``content`` from 0009.
"""

from django.db import migrations, models

from rumors.matching import account_normalise

BACKFILL_BATCH = 2000


def fill_normalized_account(apps, schema_editor):
    Report = apps.get_model("rumors", "Report")
    pending = Report.objects.exclude(account="").filter(normalized_account="").order_by("pk")
    last = 0
    while True:
        batch = list(pending.filter(pk__gt=last).only("pk", "account")[:BACKFILL_BATCH])
        if not batch:
            return
        for report in batch:
            report.normalized_account = account_normalise(report.account)[:200]
        Report.objects.bulk_update(batch, ["normalized_account"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("rumors", "0016_deadline_digest")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="normalized_account",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(fill_normalized_account, migrations.RunPython.noop),
        # The composite index below replaces the plain one on the link.
        migrations.AlterField(
            model_name="report",
            name="normalized_url",
            field=models.CharField(blank=True, editable=False, max_length=1000),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("normalized_url", ""), _negated=True),
                fields=["normalized_url", "created_at"],
                name="report_url_created",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("normalized_account", ""), _negated=True),
                fields=["platform", "normalized_account", "created_at"],
                name="report_account_created",
            ),
        ),
    ]
