"""Thin tasks: recompute a month.

Idempotent: ``snapshot_compute`` is keyed by a digest of its inputs, so a re-delivered or
repeated task whose month has not changed writes nothing and returns the latest version.
"""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def recompute_period(period_iso: str) -> int:
    """Recompute one month ("2026-10-01"); returns the id of its latest snapshot."""
    return services.snapshot_compute(period=date.fromisoformat(period_iso)).pk


@shared_task
def recompute_recent() -> list[int]:
    """Beat, daily: the current and the previous month."""
    current = services.month_start(timezone.localdate())
    return [
        services.snapshot_compute(period=period).pk
        for period in (services.previous_month(current), current)
    ]
