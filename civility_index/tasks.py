"""Thin tasks: recompute a month (idempotent: each run writes a new version)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def recompute_period(period_iso: str) -> int:
    return services.snapshot_compute(period=date.fromisoformat(period_iso)).pk


@shared_task
def recompute_recent() -> list[int]:
    """Beat, daily: the current and the previous month."""
    current = services.month_start(timezone.localdate())
    return [
        services.snapshot_compute(period=period).pk
        for period in (services.previous_month(current), current)
    ]
