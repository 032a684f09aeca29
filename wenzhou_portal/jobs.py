"""The beat schedule's jobs: when each last ran, and whether the scheduler is on time.

The worker records each run of a scheduled task (``wenzhou_portal.celery`` connects the
signals; nothing here decides anything about the job itself), and /readyz reads the
records. A job is late when it has not succeeded for twice its interval plus a grace, or,
on a crontab, a grace after a time it was due: then beat or the worker is not running,
or the job keeps failing.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.schedules import crontab
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from .models import ScheduledJobRun

logger = logging.getLogger("wenzhou_portal.jobs")


# --- The rule --------------------------------------------------------------------------


def job_deadline(*, schedule, since: datetime, grace: timedelta) -> datetime | None:
    """When a job that last succeeded (or was first expected) at ``since`` becomes late.

    Interval: twice the interval plus the grace (one missed run is tolerated). Crontab:
    the grace after the first time it was due after ``since``. None for a schedule with
    no fixed rhythm (solar), which is never judged late.
    """
    if isinstance(schedule, crontab):
        start, ends_in, _now = schedule.remaining_delta(since)
        return start + ends_in + grace
    if isinstance(schedule, interval_schedule):
        every = schedule.run_every
    elif isinstance(schedule, timedelta):
        every = schedule
    elif isinstance(schedule, int | float):
        every = timedelta(seconds=schedule)
    else:
        return None
    return since + 2 * every + grace


@dataclass(frozen=True)
class JobReport:
    name: str
    last_succeeded_at: datetime | None
    late: bool


def job_report(
    *,
    name: str,
    schedule,
    last_succeeded_at: datetime | None,
    expected_since: datetime | None,
    grace: timedelta,
    now: datetime,
) -> JobReport:
    """Is this job late at ``now``? A job beat has never scheduled (no record at all) is."""
    since = last_succeeded_at or expected_since
    if since is None:
        return JobReport(name=name, last_succeeded_at=None, late=True)
    deadline = job_deadline(schedule=schedule, since=since, grace=grace)
    late = deadline is not None and now > deadline
    return JobReport(name=name, last_succeeded_at=last_succeeded_at, late=late)


# --- Records ---------------------------------------------------------------------------


def scheduled_job_names(task_name: str) -> list[str]:
    """The beat entries that run this task (usually one; none for an unscheduled task)."""
    return [
        name for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] == task_name
    ]


def _record(name: str, **fields) -> None:
    row, created = ScheduledJobRun.objects.get_or_create(name=name, defaults=fields)
    if not created:
        ScheduledJobRun.objects.filter(pk=row.pk).update(**fields)


def scheduled_jobs_expect() -> None:
    """Beat has started: every job in the schedule is expected from now on, if not before."""
    now = timezone.now()
    try:
        for name in settings.CELERY_BEAT_SCHEDULE:
            ScheduledJobRun.objects.get_or_create(name=name, defaults={"expected_since": now})
    except DatabaseError:
        logger.exception("could not record the scheduler's start")


def scheduled_job_started(*, task_name: str) -> None:
    for name in scheduled_job_names(task_name):
        try:
            _record(name, last_started_at=timezone.now())
        except DatabaseError:
            logger.exception("could not record a job's start", extra={"job": name})


def scheduled_job_succeeded(*, task_name: str) -> None:
    for name in scheduled_job_names(task_name):
        try:
            _record(name, last_succeeded_at=timezone.now())
        except DatabaseError:
            logger.exception("could not record a job's success", extra={"job": name})


def scheduled_job_failed(*, task_name: str, error: BaseException) -> None:
    # The exception's type and first words only: enough to find it in the logs.
    text = f"{type(error).__name__}: {error}"[:500]
    for name in scheduled_job_names(task_name):
        try:
            _record(name, last_failed_at=timezone.now(), last_error=text)
        except DatabaseError:
            logger.exception("could not record a job's failure", extra={"job": name})


def scheduler_reports(*, now: datetime | None = None) -> list[JobReport]:
    """Each job of the beat schedule, in the schedule's order, with whether it is late."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SCHEDULED_JOB_GRACE_SECONDS)
    rows = {row.name: row for row in ScheduledJobRun.objects.all()}
    reports = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        row = rows.get(name)
        reports.append(
            job_report(
                name=name,
                schedule=entry["schedule"],
                last_succeeded_at=row.last_succeeded_at if row else None,
                expected_since=row.expected_since if row else None,
                grace=grace,
                now=now,
            )
        )
    return reports
