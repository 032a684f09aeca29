"""One limit helper: fixed windows, three ways to count, one Redis round trip a check."""

import pytest
import redis
from django.test import override_settings

from tests.outage import redis_cache_settings
from wenzhou_portal.limits import (
    Limit,
    Rate,
    limit_consume,
    limit_hit,
    limit_peek,
    reset_local_counters,
    wait_text,
)

BURST = Limit("test-burst", ("TEST_BURST_RATE",))
TWO_WINDOWS = Limit("test-two", ("TEST_BURST_RATE", "TEST_DAY_RATE"))


@pytest.fixture(params=["process", "redis"])
def backend(request, settings):
    """The limits on per-process counters (embedded default) and on Redis (production)."""
    settings.TEST_BURST_RATE = "3/m"
    settings.TEST_DAY_RATE = "5/d"
    reset_local_counters()
    if request.param == "process":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        yield "process"
        return
    url = request.getfixturevalue("redis_url")
    with override_settings(CACHES=redis_cache_settings(url)):
        from django.core.cache import cache

        cache.clear()
        yield "redis"
        cache.clear()


@pytest.mark.parametrize(
    ("text", "rate"),
    [("5/m", Rate(5, 60)), ("50/d", Rate(50, 86400)), ("30/10m", Rate(30, 600))],
)
def test_rates_parse(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["5", "5/x", "a/m", "5/0xm", ""])
def test_a_bad_rate_is_refused_by_name(text):
    with pytest.raises(ValueError, match="not a rate"):
        Rate.parse(text)


def test_hit_counts_every_attempt(backend):
    decisions = [limit_hit(BURST, "client-a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 0 < decisions[-1].retry_after <= 60
    assert decisions[-1].degraded is (backend == "process")


def test_consume_counts_only_what_it_allows(backend):
    assert [limit_consume(BURST, "client-a").allowed for _ in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    # The refusals were not counted: the day window holds 3, so two more fit after the
    # minute turns over (peek at the day budget alone through a one-window limit).
    assert limit_peek(Limit("test-two", ("TEST_DAY_RATE",)), "client-a").allowed


def test_a_full_window_refuses_without_counting_the_others(backend, settings):
    settings.TEST_BURST_RATE = "10/m"
    settings.TEST_DAY_RATE = "2/d"
    assert limit_consume(TWO_WINDOWS, "c").allowed
    assert limit_consume(TWO_WINDOWS, "c").allowed
    refused = limit_consume(TWO_WINDOWS, "c")
    assert not refused.allowed
    assert refused.retry_after > 60  # the day window is the one that is full


def test_peek_counts_nothing(backend):
    for _ in range(10):
        assert limit_peek(BURST, "client-a").allowed
    assert limit_consume(BURST, "client-a").allowed


def test_clients_and_groups_have_their_own_budgets(backend):
    for _ in range(3):
        limit_hit(BURST, "client-a")
    assert not limit_hit(BURST, "client-a").allowed
    assert limit_hit(BURST, "client-b").allowed
    assert limit_hit(Limit("other-group", ("TEST_BURST_RATE",)), "client-a").allowed


def test_a_check_is_one_redis_round_trip(redis_url, settings, monkeypatch):
    settings.TEST_BURST_RATE = "3/m"
    settings.TEST_DAY_RATE = "5/d"
    calls = []
    original = redis.Redis.execute_command

    def spy(self, *args, **options):
        calls.append(args[0])
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", spy)
    with override_settings(CACHES=redis_cache_settings(redis_url)):
        limit_consume(TWO_WINDOWS, "client-a")
        assert calls == ["EVAL"]
        calls.clear()
        limit_hit(TWO_WINDOWS, "client-a")
        limit_peek(TWO_WINDOWS, "client-a")
        assert calls == ["EVAL", "EVAL"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1, "1 秒"), (59, "59 秒"), (60, "1 分钟"), (61, "2 分钟"), (7200, "2 小时")],
)
def test_wait_text(seconds, text):
    assert wait_text(seconds) == text
