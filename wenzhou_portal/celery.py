"""The Celery application: every app's tasks.py is discovered; settings come from Django."""

import importlib
import logging
import os

from celery import Celery, signals
from celery.exceptions import Retry
from django.conf import settings
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")

logger = logging.getLogger("wenzhou_portal.tasks")

app = Celery("wenzhou_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _filesystem_broker_folders(sender: Celery, **kwargs) -> None:
    """kombu's filesystem transport expects its folders (var/broker/...) to exist."""
    if not str(sender.conf.broker_url or "").startswith("filesystem:"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


def broker_url() -> str:
    return app.conf.broker_url or settings.CELERY_BROKER_URL


def broker_uses_redis() -> bool:
    """True when tasks go through a Redis broker (not run eagerly in-process)."""
    return not app.conf.task_always_eager and broker_url().startswith(("redis://", "rediss://"))


def task_named(name: str):
    """The registered task called ``name`` ("rumors.tasks.route_report").

    Services name the tasks they queue instead of importing them, so that tasks are the
    only importers of the services they run (no import circle between the two).
    """
    if name not in app.tasks:
        importlib.import_module(name.rsplit(".", 1)[0])  # registers its shared tasks
    return app.tasks[name]


def enqueue(task_name: str, *args) -> bool:
    """Publish a task without ever failing the caller; False if the broker refused it.

    The database row is the truth and a beat sweeper re-queues what is missed, so a
    broker outage must cost a web request nothing but a log line. While the broker's
    Redis is known to be out (its circuit breaker is open), nothing is even tried.
    """
    from .breaker import breaker_for

    breaker = breaker_for(broker_url()) if broker_uses_redis() else None
    if breaker is not None and not breaker.allow():
        logger.warning("task not published: broker out", extra={"task": task_name})
        return False
    try:
        task_named(task_name).delay(*args)
    except Retry:
        # Run in-process (eager) and asked to be retried: it left its row to be retried
        # by the beat sweeper; nothing failed to publish.
        logger.info("task to be retried", extra={"task": task_name})
        return True
    except Exception as exc:
        if breaker is not None:
            breaker.record_failure(exc)
        logger.exception("task publish failed", extra={"task": task_name, "task_args": args})
        return False
    if breaker is not None:
        breaker.record_success()
    return True


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue the task once the current transaction commits (never a task for a rollback)."""
    transaction.on_commit(lambda: enqueue(task_name, *args))


# The scheduler's visibility (/readyz): the worker records each run of a job in the beat
# schedule. Bookkeeping only; runs in-process (eager: tests, CELERY_EAGER) are not the
# scheduler's and are not recorded.


def _scheduled_run(task) -> bool:
    return task is not None and not task.request.is_eager


@signals.beat_init.connect
def _scheduler_started(sender=None, **kwargs) -> None:
    from django.db import connections

    from . import jobs

    jobs.scheduled_jobs_expect()
    # Beat itself holds no database connection between its ticks.
    connections.close_all()


@signals.task_prerun.connect
def _scheduled_job_started(sender=None, **kwargs) -> None:
    if _scheduled_run(sender):
        from . import jobs

        jobs.scheduled_job_started(task_name=sender.name)


@signals.task_success.connect
def _scheduled_job_succeeded(sender=None, **kwargs) -> None:
    if _scheduled_run(sender):
        from . import jobs

        jobs.scheduled_job_succeeded(task_name=sender.name)


@signals.task_failure.connect
def _scheduled_job_failed(sender=None, exception=None, **kwargs) -> None:
    if _scheduled_run(sender):
        from . import jobs

        jobs.scheduled_job_failed(task_name=sender.name, error=exception)
