"""Fault tests run against real services: PostgreSQL (shared test database), and a Redis,
gunicorn and Celery workers of their own."""

import os
import time

import pytest
from django.db import connection

from tests.reliability.processes import ThrowawayRedis
from tests.support import require_service
from wenzhou_portal import breaker
from wenzhou_portal.celery import app


@pytest.fixture
def database(transactional_db) -> dict:
    """The test database's settings; other processes share it, so data must be committed."""
    require_service(
        connection.vendor == "postgresql",
        "fault tests share the test database with other processes: needs PostgreSQL",
    )
    return connection.settings_dict


@pytest.fixture
def throwaway_redis(tmp_path):
    redis = ThrowawayRedis(tmp_path)
    redis.start()
    yield redis
    redis.close()


@pytest.fixture
def queue() -> str:
    return f"fault-{os.getpid()}-{time.monotonic_ns()}"


@pytest.fixture
def celery_on(queue):
    """Point this process's Celery app at a throwaway Redis and the test's own queue."""
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue

    def point(url: str) -> None:
        app.conf.broker_url, app.conf.task_always_eager = url, False
        app.conf.task_default_queue = queue
        app._pool = None
        app.amqp._producer_pool = None
        breaker.reset_all()

    yield point
    app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = saved
    app._pool = None
    app.amqp._producer_pool = None
