"""Per-client limits: one helper for every app, one Redis round trip per check.

An app names its own limits (a group and the settings that hold its rates)::

    REPORT_SUBMIT = Limit("report-submit", ("REPORT_RATE_LIMIT_MINUTE", "REPORT_RATE_LIMIT_DAY"))
    decision = limit_consume(REPORT_SUBMIT, client_hash(request))

Windows are fixed (a minute, an hour, a local calendar day) and counted in Redis by one
Lua script, so a check with several windows is one round trip and check-and-count is
atomic. Three ways to count:

- ``limit_hit``: every call counts (a flood guard: attempts, valid or not);
- ``limit_consume``: counts only if every window still has room (what was accepted);
- ``limit_peek``: reads without counting (may this client try at all?).

When Redis is out (refused, silent; see ``wenzhou_portal.breaker``) or not configured,
limits fall back to counters in this process: each web process then allows the full
budget on its own, so with N processes a client gets at most N times its budget during
the outage. That is the documented trade: a citizen's report is never refused because
our cache is down.
"""

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import ngettext

from .cache import ResilientRedisCache

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """A budget: ``count`` per window of ``seconds`` ("5/m", "50/d", "30/10m")."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        count, _slash, period = text.strip().partition("/")
        multiplier = period[:-1] or "1"
        if not count.isdigit() or period[-1:] not in _PERIODS or not multiplier.isdigit():
            raise ValueError(f"not a rate: {text!r} (expected e.g. 5/m, 50/d, 30/10m)")
        return cls(int(count), int(multiplier) * _PERIODS[period[-1]])


@dataclass(frozen=True)
class Limit:
    """A named limit; its rates are read from settings at each check."""

    group: str
    rate_settings: tuple[str, ...]

    def rates(self) -> list[Rate]:
        return [Rate.parse(getattr(settings, name)) for name in self.rate_settings]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the fullest window starts afresh; 0 when allowed
    degraded: bool  # counted in this process only: Redis was out or is not configured


# KEYS: one counter per window. ARGV[1]: mode; ARGV[2i], ARGV[2i+1]: limit and ttl of KEYS[i].
# Returns {counted (0/1), count of KEYS[1], count of KEYS[2], ...}.
_SCRIPT = """
local mode = ARGV[1]
local counts = {}
local full = false
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  counts[i] = count
  if count >= tonumber(ARGV[2 * i]) then full = true end
end
if mode == 'peek' or (mode == 'consume' and full) then
  table.insert(counts, 1, 0)
  return counts
end
for i = 1, #KEYS do
  counts[i] = redis.call('INCR', KEYS[i])
  if counts[i] == 1 then redis.call('EXPIRE', KEYS[i], ARGV[2 * i + 1]) end
end
table.insert(counts, 1, 1)
return counts
"""


def _local_offset() -> int:
    # Day windows turn over at local midnight, not at 08:00 Beijing time.
    offset = timezone.localtime().utcoffset()
    return int(offset.total_seconds()) if offset else 0


def _windows(group: str, client: str, rates: Sequence[Rate], now: float) -> list[tuple[str, int]]:
    """(counter key, seconds left in the window) per rate."""
    shifted = int(now) + _local_offset()
    return [
        (
            f"limit:{group}:{rate.count}/{rate.seconds}:{client}:{shifted // rate.seconds}",
            rate.seconds - shifted % rate.seconds,
        )
        for rate in rates
    ]


class _LocalCounters:
    """The fallback: fixed-window counters in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}  # key -> (expires at, count)

    def run(self, mode: str, keys: Sequence[str], limits: Sequence[int], ttls: Sequence[int]):
        now = time.monotonic()
        with self._lock:
            if len(self._counts) > 50_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            counts = []
            for key in keys:
                expires, count = self._counts.get(key, (0.0, 0))
                counts.append(count if expires > now else 0)
            full = any(count >= limit for count, limit in zip(counts, limits, strict=True))
            if mode == "peek" or (mode == "consume" and full):
                return [0, *counts]
            for index, (key, ttl) in enumerate(zip(keys, ttls, strict=True)):
                expires, _count = self._counts.get(key, (0.0, 0))
                if expires <= now:
                    expires = now + ttl
                counts[index] += 1
                self._counts[key] = (expires, counts[index])
            return [1, *counts]

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


_local = _LocalCounters()


def _check(mode: str, limit: Limit, client: str) -> Decision:
    rates = limit.rates()
    windows = _windows(limit.group, client, rates, time.time())
    limits = [rate.count for rate in rates]
    ttls = [left for _key, left in windows]
    cache = caches["default"]
    result = None
    if isinstance(cache, ResilientRedisCache):
        keys = [cache.make_key(key) for key, _left in windows]
        args = [mode]
        for rate, left in zip(rates, ttls, strict=True):
            args += [rate.count, left]
        result = cache.guarded(lambda: cache.client().eval(_SCRIPT, len(keys), *keys, *args), None)
    degraded = result is None
    if degraded:
        result = _local.run(mode, [key for key, _left in windows], limits, ttls)
    counted, counts = int(result[0]), [int(count) for count in result[1:]]
    if mode == "hit":
        over = [i for i, count in enumerate(counts) if count > limits[i]]
    elif mode == "consume":
        over = [] if counted else [i for i, count in enumerate(counts) if count >= limits[i]]
    else:  # peek: may one more be counted?
        over = [i for i, count in enumerate(counts) if count >= limits[i]]
    return Decision(
        allowed=not over,
        retry_after=max((ttls[i] for i in over), default=0),
        degraded=degraded,
    )


def limit_hit(limit: Limit, client: str) -> Decision:
    """Count this attempt in every window; refused once any window is over its budget."""
    return _check("hit", limit, client)


def limit_consume(limit: Limit, client: str) -> Decision:
    """Count this accepted action only if every window has room; else refuse, uncounted."""
    return _check("consume", limit, client)


def limit_peek(limit: Limit, client: str) -> Decision:
    """Would one more be allowed? Counts nothing."""
    return _check("peek", limit, client)


def reset_local_counters() -> None:
    """Forget this process's fallback counters (tests)."""
    _local.clear()


def wait_text(seconds: int) -> str:
    """'3 分钟' or '40 秒': how long to wait, as a citizen reads it."""
    if seconds >= 3600:
        hours = -(-seconds // 3600)
        return ngettext("%(n)d 小时", "%(n)d 小时", hours) % {"n": hours}
    if seconds >= 60:
        minutes = -(-seconds // 60)
        return ngettext("%(n)d 分钟", "%(n)d 分钟", minutes) % {"n": minutes}
    return ngettext("%(n)d 秒", "%(n)d 秒", max(seconds, 1)) % {"n": max(seconds, 1)}
