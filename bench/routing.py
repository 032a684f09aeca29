"""Routing a burst of pending reports with one worker: ``python -m bench.routing``.

Inserts BENCH_SCALE × 10,000 just-received reports waiting for routing (with their
"submitted" events) next to the million already there, then routes them in this one
process, as one worker would: through ``rumors.services.reports_route_pending`` (the batch
router, called until it finds nothing) when the portal has it, else report by report
through ``rumors.services.report_route``. Duplicate detection runs as in production.
Stops at BENCH_ROUTING_SECONDS (default 180) and says so. Prints one JSON object.
"""

import inspect
import json
import os
import resource
import time
from datetime import timedelta

BATCH_SIZE = 200


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")
    django.setup()
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from bench.config import BenchConfig
    from bench.load_data import Loader
    from bench.recompute import QueryCounter
    from rumors import services
    from rumors.models import Report

    config = BenchConfig.from_env()
    budget = float(os.environ.get("BENCH_ROUTING_SECONDS") or 180)
    count = config.sizes["routing_pending"]
    # Reports submitted during the HTTP run were routed by the worker or are left over;
    # either way they are not part of this measurement.
    set_aside = Report.objects.filter(routing_state="pending").update(routing_state="done")
    now = timezone.now()
    loader = Loader(seed=config.seed + 1, sizes=config.sizes, now=now)
    first = (Report.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    departments = loader.departments_and_rules()
    insert_started = time.perf_counter()
    loader.reports(
        departments,
        first=first,
        count=count,
        start=now - timedelta(minutes=10),
        end=now,
        pending=True,
    )
    loader.report_events(first=first)
    loader.reset_sequence(Report)
    loader.execute('ANALYZE "rumors_report"')
    insert_seconds = time.perf_counter() - insert_started

    # BENCH_ROUTER=single measures report-by-report routing even where the batch router exists.
    batch_router = getattr(services, "reports_route_pending", None)
    if os.environ.get("BENCH_ROUTER") == "single":
        batch_router = None
    counter = QueryCounter()
    routed = 0
    stopped_at_budget = False
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        if batch_router is not None:
            # One batch per call (``limit``), so the budget is checked between batches: the
            # router on its own goes on until nothing is pending.
            takes_limit = "limit" in inspect.signature(batch_router).parameters
            while True:
                if time.perf_counter() - started > budget:
                    stopped_at_budget = True
                    break
                if takes_limit:
                    done = batch_router(batch_size=BATCH_SIZE, limit=BATCH_SIZE)
                else:
                    done = batch_router(batch_size=BATCH_SIZE)
                if not done:
                    break
                routed += done
        else:
            pending = list(
                Report.objects.filter(routing_state="pending", pk__gte=first)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)
            )
            for report_id in pending:
                if time.perf_counter() - started > budget:
                    stopped_at_budget = True
                    break
                routed += bool(services.report_route(report_id=report_id))
    seconds = time.perf_counter() - started
    duplicates = Report.objects.filter(pk__gte=first, duplicate_of__isnull=False).count()
    left = Report.objects.filter(pk__gte=first, routing_state="pending").count()
    print(
        json.dumps(
            {
                "router": "reports_route_pending" if batch_router else "report_route",
                "batch_size": BATCH_SIZE if batch_router else 1,
                "pending": count,
                "set_aside": set_aside,
                "insert_seconds": round(insert_seconds, 2),
                "routed": routed,
                "left_pending": left,
                "seconds": round(seconds, 3),
                "reports_per_second": round(routed / seconds, 1) if seconds else None,
                "queries": counter.total,
                "queries_per_report": round(counter.total / routed, 2) if routed else None,
                "linked_as_duplicates": duplicates,
                "stopped_at_budget": stopped_at_budget,
                "budget_seconds": budget,
                "reports_in_table": Report.objects.count(),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
