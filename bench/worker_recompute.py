"""Recompute through the running Celery worker: ``python -m bench.worker_recompute``.

Queues ``civility_index.tasks.recompute_period`` for the 24 months before the current one,
oldest first, then the current month (which has no snapshot yet, so its appearance says the
worker has run them all: one worker process takes the index queue's tasks in order). The
runner reads the worker's peak resident memory afterwards. Prints one JSON object.
"""

import json
import os
import time

TIMEOUT_SECONDS = 600


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")
    django.setup()
    from django.utils import timezone

    from civility_index import services, tasks
    from civility_index.models import Snapshot

    current = services.month_start(timezone.localdate())
    months = [services.previous_month(current)]
    while len(months) < 24:
        months.insert(0, services.previous_month(months[0]))
    Snapshot.objects.filter(period=current).delete()
    started = time.perf_counter()
    for month in [*months, current]:
        tasks.recompute_period.delay(month.isoformat())
    while not Snapshot.objects.filter(period=current).exists():
        if time.perf_counter() - started > TIMEOUT_SECONDS:
            raise SystemExit("the worker did not recompute within 10 minutes")
        time.sleep(0.1)
    print(
        json.dumps(
            {
                "months": len(months) + 1,
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
