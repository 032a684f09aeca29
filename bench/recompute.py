"""Index recomputation against its floor: ``python -m bench.recompute --months N``.

Runs in a process of its own so that its peak resident memory (``ru_maxrss``) is the
recomputation's: it computes the last N complete months (oldest first) by running the
worker's task, ``civility_index.tasks.recompute_period`` (``services.snapshot_compute``),
in this process, and times the bare SQL grouped aggregate over the same reports, the floor no
recomputation can beat. Prints one JSON object.
"""

import argparse
import json
import os
import resource
import time


class QueryCounter:
    """Counts the queries a block runs (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.total = 0
        self.on_reports = 0

    def __call__(self, execute, sql, params, many, context):
        self.total += 1
        if '"rumors_report"' in sql or "rumors_report " in sql:
            self.on_reports += 1
        return execute(sql, params, many, context)


FLOOR_SQL = """
    SELECT date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai') AS month, district,
           count(*) AS received,
           count(*) FILTER (WHERE status IN ('resolved', 'rejected', 'merged')) AS closed,
           count(*) FILTER (WHERE status IN ('resolved', 'rejected', 'merged')
                            AND due_at IS NOT NULL) AS with_due,
           count(*) FILTER (WHERE status IN ('resolved', 'rejected', 'merged')
                            AND due_at IS NOT NULL AND closed_at <= due_at) AS on_time,
           avg(working_days_to_close) AS working_days_to_close,
           count(*) FILTER (WHERE rating <> '') AS rated,
           count(*) FILTER (WHERE rating IN ('satisfied', 'fairly')) AS satisfied,
           max(updated_at) AS last_updated
    FROM rumors_report
    WHERE created_at >= %s AND created_at < %s AND district <> ''
    GROUP BY 1, 2
"""


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=1)
    months_wanted = parser.parse_args().months

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")
    django.setup()
    from datetime import datetime
    from datetime import time as clock

    from django.db import connection
    from django.utils import timezone

    from civility_index import services, tasks
    from civility_index.models import Snapshot

    last = services.previous_month(services.month_start(timezone.localdate()))
    months = [last]
    while len(months) < months_wanted:
        months.insert(0, services.previous_month(months[0]))
    start = timezone.make_aware(datetime.combine(months[0], clock.min))
    end = timezone.make_aware(datetime.combine(services.next_month(last), clock.min))

    def floor() -> tuple[float, int]:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [start, end])
            rows = len(cursor.fetchall())
        return time.perf_counter() - started, rows

    floor()  # the same pages in shared buffers for both sides
    # A worker is a long-lived process: its first task pays for lazy imports, translations
    # and the ORM's first compilations once. The month before the range takes that cost
    # here, untimed (and becomes the previous month the first measured one compares with).
    tasks.recompute_period(services.previous_month(months[0]).isoformat())
    rss_before = _peak_rss_mb()
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        # The worker's task body, run here (calling a task runs it in this process).
        snapshot_ids = [tasks.recompute_period(month.isoformat()) for month in months]
    compute_seconds = time.perf_counter() - started
    versions = dict(Snapshot.objects.filter(pk__in=snapshot_ids).values_list("pk", "version"))
    rss_peak = _peak_rss_mb()
    floor_seconds, floor_rows = min(floor() for _attempt in range(3))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM rumors_report WHERE created_at >= %s AND created_at < %s",
            [start, end],
        )
        reports = cursor.fetchone()[0]
    print(
        json.dumps(
            {
                "months": len(months),
                "first": months[0].isoformat(),
                "last": last.isoformat(),
                "reports_in_period": reports,
                "seconds": round(compute_seconds, 4),
                "floor_seconds": round(floor_seconds, 4),
                "floor_rows": floor_rows,
                "ratio_to_floor": round(compute_seconds / floor_seconds, 2)
                if floor_seconds
                else None,
                "queries": counter.total,
                "queries_on_reports": counter.on_reports,
                "snapshot_versions": [versions[pk] for pk in snapshot_ids],
                "peak_rss_mb": round(rss_peak, 1),
                "rss_before_mb": round(rss_before, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
