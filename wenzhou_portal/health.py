"""Readiness of the services the portal depends on."""

from django.conf import settings
from django.db import DatabaseError, connection
from kombu import Connection


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def broker_ok() -> bool:
    """True if the Celery broker accepts a connection (eager mode has no broker to ask)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            return True
    except Exception:
        return False
