"""Liveness and readiness: what each dependency's state means for citizens.

The database is the only dependency without which a report cannot be accepted. Redis
(cache, limits, broker) only degrades the portal: pages render uncached, limits count per
process, tasks wait for the beat sweeper. So only the database makes the portal unready.
"""

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from kombu import Connection
from redis.backoff import NoBackoff
from redis.retry import Retry

from .breaker import breaker_for
from .cache import ResilientRedisCache
from .celery import app, broker_url, broker_uses_redis

OK = "ok"
DEGRADED = "degraded"
DOWN = "down"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def cache_state() -> str:
    """ok, or degraded when the Redis cache does not answer (pages then render uncached)."""
    cache = caches["default"]
    if not isinstance(cache, ResilientRedisCache):
        return OK  # in-process cache: nothing to lose
    answered = cache.guarded(lambda: cache.client().ping(), None)
    return OK if answered else DEGRADED


def _ping_broker() -> None:
    timeout = settings.REDIS_SOCKET_TIMEOUT
    if broker_uses_redis():
        client = redis.Redis.from_url(
            broker_url(),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    with Connection(broker_url(), connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout * 2)


def broker_state() -> str:
    """ok, or degraded when the broker refuses (tasks then wait for the beat sweeper)."""
    if app.conf.task_always_eager:
        return OK  # tasks run in-process: there is no broker to ask
    breaker = breaker_for(broker_url()) if broker_uses_redis() else None
    if breaker is not None and not breaker.allow():
        return DEGRADED
    try:
        _ping_broker()
    except Exception as exc:
        if breaker is not None:
            breaker.record_failure(exc)
        return DEGRADED
    if breaker is not None:
        breaker.record_success()
    return OK


def readiness() -> tuple[bool, dict[str, str]]:
    """(ready, state per dependency): ready while the database accepts reports."""
    database = OK if database_ok() else DOWN
    checks = {"database": database, "cache": cache_state(), "broker": broker_state()}
    return database == OK, checks
