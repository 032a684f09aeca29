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

``limits_check`` takes several limits, each with its own way to count, and still costs
one round trip (a form's flood guard and its budgets together); ``limit_release`` gives
back what a consume counted for an action that turned out not to count.

When Redis is out (refused, silent; see ``wenzhou_portal.breaker``) or not configured,
limits fall back to counters in this process: each web process then allows the full
budget on its own, so with N processes a client gets at most N times its budget during
the outage. That is the documented trade: a citizen's report is never refused because
our cache is down.
"""

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

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
    counted: bool = False  # this check added one to its windows
    # The window counters it added one to, so that ``limit_release`` can give it back.
    counted_keys: tuple[str, ...] = field(default=(), repr=False, compare=False)


HIT, CONSUME, PEEK = "hit", "consume", "peek"


@dataclass(frozen=True)
class Check:
    """One limit to check for one client, and how to count it (HIT, CONSUME or PEEK)."""

    mode: str
    limit: Limit
    client: str


# Several limits in one call. KEYS: every limit's window counters, limit after limit.
# ARGV, per limit: mode, number of windows, then (budget, ttl) per window.
# Hits are counted first; a consume counts only if all its windows have room and no hit
# of the same call went over (a client refused by its flood guard spends no budget).
# Returns, per limit: counted (0/1) then the count of each of its windows.
_SCRIPT = """
local specs = {}
local i, k = 1, 1
while i <= #ARGV do
  local spec = {mode = ARGV[i], n = tonumber(ARGV[i + 1]), first = k, budgets = {}, ttls = {}}
  i = i + 2
  for w = 1, spec.n do
    spec.budgets[w] = tonumber(ARGV[i])
    spec.ttls[w] = tonumber(ARGV[i + 1])
    i = i + 2
  end
  k = k + spec.n
  specs[#specs + 1] = spec
end
local function count(spec)
  for w = 1, spec.n do
    local key = KEYS[spec.first + w - 1]
    spec.counts[w] = redis.call('INCR', key)
    if spec.counts[w] == 1 then redis.call('EXPIRE', key, spec.ttls[w]) end
  end
  spec.counted = 1
end
local flooded = false
for _, spec in ipairs(specs) do
  spec.counts, spec.counted = {}, 0
  if spec.mode == 'hit' then
    count(spec)
    for w = 1, spec.n do
      if spec.counts[w] > spec.budgets[w] then flooded = true end
    end
  end
end
for _, spec in ipairs(specs) do
  if spec.mode ~= 'hit' then
    local full = false
    for w = 1, spec.n do
      spec.counts[w] = tonumber(redis.call('GET', KEYS[spec.first + w - 1]) or '0')
      if spec.counts[w] >= spec.budgets[w] then full = true end
    end
    if spec.mode == 'consume' and not full and not flooded then count(spec) end
  end
end
local out = {}
for _, spec in ipairs(specs) do
  out[#out + 1] = spec.counted
  for w = 1, spec.n do out[#out + 1] = spec.counts[w] end
end
return out
"""

# Give back what a consume counted: only counters that still exist (an expired window
# must not come back as -1 without a ttl).
_RELEASE_SCRIPT = """
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECR', KEYS[i]) end
end
return #KEYS
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


@dataclass
class _Spec:
    """One limit of a call, as the script and the fallback see it."""

    mode: str
    keys: list[str]
    budgets: list[int]
    ttls: list[int]


class _LocalCounters:
    """The fallback: fixed-window counters in this process, counted as the script counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}  # key -> (expires at, count)

    def _read(self, key: str, now: float) -> int:
        expires, count = self._counts.get(key, (0.0, 0))
        return count if expires > now else 0

    def _add(self, key: str, ttl: int, now: float, delta: int = 1) -> int:
        expires, count = self._counts.get(key, (0.0, 0))
        if expires <= now:
            expires, count = now + ttl, 0
        self._counts[key] = (expires, count + delta)
        return count + delta

    def run(self, specs: Sequence[_Spec]) -> list[int]:
        now = time.monotonic()
        with self._lock:
            if len(self._counts) > 50_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            results: list[tuple[int, list[int]]] = [(0, [])] * len(specs)
            flooded = False
            for index, spec in enumerate(specs):
                if spec.mode == HIT:
                    counts = [
                        self._add(k, t, now) for k, t in zip(spec.keys, spec.ttls, strict=True)
                    ]
                    flooded |= any(c > b for c, b in zip(counts, spec.budgets, strict=True))
                    results[index] = (1, counts)
            for index, spec in enumerate(specs):
                if spec.mode == HIT:
                    continue
                counts = [self._read(key, now) for key in spec.keys]
                full = any(c >= b for c, b in zip(counts, spec.budgets, strict=True))
                if spec.mode == CONSUME and not full and not flooded:
                    counts = [
                        self._add(k, t, now) for k, t in zip(spec.keys, spec.ttls, strict=True)
                    ]
                    results[index] = (1, counts)
                else:
                    results[index] = (0, counts)
            return [value for counted, counts in results for value in (counted, *counts)]

    def release(self, keys: Sequence[str]) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                expires, count = self._counts.get(key, (0.0, 0))
                if expires > now and count > 0:
                    self._counts[key] = (expires, count - 1)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


_local = _LocalCounters()


def _redis_cache() -> ResilientRedisCache | None:
    cache = caches["default"]
    return cache if isinstance(cache, ResilientRedisCache) else None


def limits_check(checks: Sequence[Check]) -> list[Decision]:
    """Check several limits in ONE Redis round trip; a decision per check, in order.

    Hits count first; a consume counts only if its windows have room and no hit of the
    same call went over its budget (a flooding client spends none of its budget).
    """
    now = time.time()
    specs = []
    for check in checks:
        rates = check.limit.rates()
        windows = _windows(check.limit.group, check.client, rates, now)
        specs.append(
            _Spec(
                mode=check.mode,
                keys=[key for key, _left in windows],
                budgets=[rate.count for rate in rates],
                ttls=[left for _key, left in windows],
            )
        )
    cache = _redis_cache()
    result = None
    if cache is not None:
        keys = [cache.make_key(key) for spec in specs for key in spec.keys]
        args: list = []
        for spec in specs:
            args += [spec.mode, len(spec.keys)]
            for budget, ttl in zip(spec.budgets, spec.ttls, strict=True):
                args += [budget, ttl]
        result = cache.guarded(lambda: cache.client().eval(_SCRIPT, len(keys), *keys, *args), None)
    degraded = result is None
    if degraded:
        result = _local.run(specs)
    values = [int(value) for value in result]
    decisions = []
    for spec in specs:
        counted, counts = values[0], values[1 : 1 + len(spec.keys)]
        values = values[1 + len(spec.keys) :]
        decisions.append(_decide(spec, bool(counted), counts, degraded))
    return decisions


def _decide(spec: _Spec, counted: bool, counts: list[int], degraded: bool) -> Decision:
    budgets = spec.budgets
    if spec.mode == HIT:
        over = [i for i, count in enumerate(counts) if count > budgets[i]]
    elif spec.mode == CONSUME:
        over = [] if counted else [i for i, count in enumerate(counts) if count >= budgets[i]]
    else:  # peek: may one more be counted?
        over = [i for i, count in enumerate(counts) if count >= budgets[i]]
    return Decision(
        allowed=not over,
        retry_after=max((spec.ttls[i] for i in over), default=0),
        degraded=degraded,
        counted=counted,
        counted_keys=tuple(spec.keys) if counted else (),
    )


def limit_release(decision: Decision) -> None:
    """Give back what a consume counted (what it let through turned out not to count).

    One more round trip, on that path only; a window that has turned over since is left
    alone. Given back where it was counted: Redis, or this process if it was degraded.
    """
    if not decision.counted_keys:
        return
    cache = None if decision.degraded else _redis_cache()
    if cache is None:
        _local.release(decision.counted_keys)
        return
    keys = [cache.make_key(key) for key in decision.counted_keys]
    cache.guarded(lambda: cache.client().eval(_RELEASE_SCRIPT, len(keys), *keys), None)


def limit_hit(limit: Limit, client: str) -> Decision:
    """Count this attempt in every window; refused once any window is over its budget."""
    return limits_check([Check(HIT, limit, client)])[0]


def limit_consume(limit: Limit, client: str) -> Decision:
    """Count this accepted action only if every window has room; else refuse, uncounted."""
    return limits_check([Check(CONSUME, limit, client)])[0]


def limit_peek(limit: Limit, client: str) -> Decision:
    """Would one more be allowed? Counts nothing."""
    return limits_check([Check(PEEK, limit, client)])[0]


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
