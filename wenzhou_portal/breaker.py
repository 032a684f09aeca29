"""A circuit breaker per Redis server, shared by the cache, the limits and the broker.

When Redis is refused or silent, the first request to notice pays one socket timeout;
the breaker then opens and everything else in this process skips Redis at once for
``REDIS_BREAKER_SECONDS``. After that one caller probes again (half-open): success closes
the breaker, failure opens it for another period. So no request waits on Redis longer
than one short socket timeout in total, however many times it would have asked.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger("wenzhou_portal.breaker")


class CircuitBreaker:
    """Open after a failure, probe after a cooldown; thread-safe, per process."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._probing = False

    @property
    def cooldown(self) -> float:
        return settings.REDIS_BREAKER_SECONDS

    def allow(self) -> bool:
        """True if a caller may try Redis now (closed, or the one half-open probe)."""
        now = time.monotonic()
        with self._lock:
            if now >= self._open_until:
                if self._open_until == 0.0:
                    return True  # closed
                if not self._probing:
                    self._probing = True  # half-open: this caller probes
                    return True
            return False

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def record_success(self) -> None:
        with self._lock:
            if self._open_until:
                logger.info("redis back", extra={"server": self.name})
            self._open_until = 0.0
            self._probing = False

    def record_failure(self, error: BaseException | None = None) -> None:
        with self._lock:
            if not self.is_open():
                logger.warning(
                    "redis unavailable: skipping it for %.0f s",
                    self.cooldown,
                    extra={"server": self.name, "error": repr(error)},
                )
            self._open_until = time.monotonic() + self.cooldown
            self._probing = False

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0
            self._probing = False


_breakers: dict[str, CircuitBreaker] = {}
_registry_lock = threading.Lock()


def server_of(url: str) -> str:
    """host:port of a redis:// URL: one breaker per server, whatever the database number."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


def breaker_for(url: str) -> CircuitBreaker:
    """The process-wide breaker of the Redis server at this URL."""
    server = server_of(url)
    with _registry_lock:
        breaker = _breakers.get(server)
        if breaker is None:
            breaker = _breakers[server] = CircuitBreaker(server)
        return breaker


def reset_all() -> None:
    """Close every breaker (tests, and a worker that starts afresh)."""
    with _registry_lock:
        for breaker in _breakers.values():
            breaker.reset()
