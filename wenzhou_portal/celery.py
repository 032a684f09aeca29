"""The Celery application: every app's tasks.py is discovered; settings come from Django."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")

logger = logging.getLogger("wenzhou_portal.tasks")

app = Celery("wenzhou_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue(task, *args) -> bool:
    """Publish a task without ever failing the caller; False if the broker refused it.

    The database row is the truth and a beat sweeper re-queues what is missed, so a
    broker outage must cost a web request nothing but a log line. While the broker's
    Redis is known to be out (its circuit breaker is open), nothing is even tried.
    """
    from .breaker import breaker_for
    from .health import broker_uses_redis

    breaker = breaker_for(app.conf.broker_url) if broker_uses_redis() else None
    if breaker is not None and not breaker.allow():
        logger.warning("task not published: broker out", extra={"task": task.name})
        return False
    try:
        task.delay(*args)
    except Exception as exc:
        if breaker is not None:
            breaker.record_failure(exc)
        logger.exception("task publish failed", extra={"task": task.name, "task_args": args})
        return False
    if breaker is not None:
        breaker.record_success()
    return True
