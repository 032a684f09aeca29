"""Outages on demand: a Redis that refuses or never answers, for cache, limits and broker."""

import socket
import threading
from contextlib import contextmanager

from django.test import override_settings

from wenzhou_portal import breaker
from wenzhou_portal.celery import app

REFUSED_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@contextmanager
def silent_server():
    """A TCP server that accepts connections and never answers: the worst kind of outage."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()
        for conn in held:
            conn.close()


@contextmanager
def outage(kind: str):
    """The URL of a Redis that is out: "refused" or "silent"."""
    if kind == "refused":
        yield REFUSED_URL
        return
    with silent_server() as url:
        yield url


def _reset_pools() -> None:
    # Drop the app's references so the next publish builds pools for the current URL;
    # kombu keeps its per-URL pools itself, so closing them here would poison them.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Point the Celery app at another broker for the duration, with eager mode off."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _reset_pools()
    breaker.reset_all()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _reset_pools()
        breaker.reset_all()


def redis_cache_settings(url: str, timeout: float = 0.5) -> dict:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {
        "default": {
            "BACKEND": "wenzhou_portal.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "wz-test",
            "OPTIONS": {
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "retry": Retry(NoBackoff(), 0),
            },
        }
    }


@contextmanager
def redis_everywhere_at(url: str):
    """Cache, limits and broker all on the Redis at this URL, as in production."""
    with override_settings(CACHES=redis_cache_settings(url)), broker_at(url):
        yield
