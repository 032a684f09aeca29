"""The Celery application: every app's tasks.py is discovered; settings come from Django."""

import importlib
import logging
import os

from celery import Celery
from celery.exceptions import Retry
from django.conf import settings
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")

logger = logging.getLogger("wenzhou_portal.tasks")

app = Celery("wenzhou_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
