"""The Celery application: every app's tasks.py is discovered; settings come from Django."""

import importlib
import logging
import os
import threading
import time

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


def enqueue(task_name: str, *args, countdown: float | None = None) -> bool:
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
        if countdown is None:
            task_named(task_name).delay(*args)
        else:
            task_named(task_name).apply_async(args, countdown=countdown)
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


# The debounce's own windows, per key: when this process last rang (time.monotonic()).
_rung: dict[str, float] = {}
_rung_lock = threading.Lock()
_REDIS_OUT = object()
_clock = time.monotonic


def enqueue_debounced(task_name: str, *, key: str, seconds: float) -> bool:
    """Publish a task that takes no arguments at most once per ``seconds``, however often
    it is asked for, and have it run after ``2 × seconds``; False if this call published
    nothing (rung already in the window, or the broker refused it).

    For doorbells ("there is work in the database"): a burst of a thousand calls sends
    about one message a window. Each process keeps its own window (no Redis round trip
    within it), then one Redis key (SET NX with the window's expiry) coalesces the
    processes. A call swallowed by either window was asked after a message was published
    at most two windows earlier, and that message runs after both windows have passed:
    the run it asked for starts after it, and finds its work. When tasks run in-process
    (eager) there is no later run to coalesce into: the task runs now.
    """
    if app.conf.task_always_eager:
        return enqueue(task_name)
    now = _clock()
    with _rung_lock:
        if now - _rung.get(key, float("-inf")) < seconds:
            return False
        _rung[key] = now
    if not _shared_window_claim(key, seconds):
        return False
    return enqueue(task_name, countdown=2 * seconds)


def _shared_window_claim(key: str, seconds: float) -> bool:
    """Claim the window across processes (Redis SET NX PX); True without a shared cache,
    or while Redis is out (each process's own window is then the debounce)."""
    from django.core.cache import caches

    from .cache import ResilientRedisCache

    cache = caches["default"]
    if not isinstance(cache, ResilientRedisCache):
        return True
    claimed = cache.guarded(
        lambda: cache.client().set(
            cache.make_key(f"debounce:{key}"), 1, nx=True, px=max(int(seconds * 1000), 1)
        ),
        _REDIS_OUT,
    )
    return True if claimed is _REDIS_OUT else bool(claimed)


def debounce_reset() -> None:
    """Forget this process's debounce windows (tests)."""
    with _rung_lock:
        _rung.clear()


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
