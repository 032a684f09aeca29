"""Django's Redis cache, made safe to lose: an outage degrades to "not cached".

Every operation goes through the server's circuit breaker (``wenzhou_portal.breaker``):
a refused or silent Redis costs the first request one socket timeout, after which reads
miss, writes are dropped and counters start over, until Redis answers again. Public pages
then render uncached instead of answering 500.
"""

import logging
from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from .breaker import CircuitBreaker, breaker_for

logger = logging.getLogger("wenzhou_portal.cache")

# What trips the breaker: Redis could not be reached or did not answer in time.
OUTAGE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """A RedisCache whose every call answers, Redis or not."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self.breaker: CircuitBreaker = breaker_for(self._servers[0])

    def client(self) -> redis.Redis:
        """The raw redis-py client (for the limits' one-round-trip scripts)."""
        return self._cache.get_client(write=True)

    def guarded(self, operation: Callable[[], Any], fallback: Any) -> Any:
        """Run one Redis operation through the breaker; the fallback if Redis is out."""
        if not self.breaker.allow():
            return fallback
        try:
            result = operation()
        except OUTAGE_ERRORS as exc:
            self.breaker.record_failure(exc)
            return fallback
        except redis.exceptions.RedisError:
            # Not an outage (a bad reply, say): log it, answer as a miss, keep serving.
            logger.exception("cache operation failed")
            return fallback
        self.breaker.record_success()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guarded(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key, default=None, version=None):
        return self.guarded(
            lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.guarded(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guarded(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self.guarded(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self.guarded(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self.guarded(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        # While Redis is out a counter starts over: the caller sees its own increment.
        return self.guarded(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guarded(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        self.guarded(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self.guarded(lambda: super(ResilientRedisCache, self).clear(), False)
