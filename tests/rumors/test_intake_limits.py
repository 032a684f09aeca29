"""A submission's limits cost one Redis round trip, with the documented semantics intact:
every attempt counts toward the flood guard, only accepted reports toward the budgets."""

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings

from rumors.models import Report
from tests.outage import redis_cache_settings
from tests.rumors.test_citizen_pages import VALID
from wenzhou_portal.limits import reset_local_counters

pytestmark = pytest.mark.django_db

INVALID = {**VALID, "content": "太短"}


@pytest.fixture(params=["process", "redis"])
def limits_backend(request, settings):
    """The limits on per-process counters (embedded default) and on Redis (production)."""
    reset_local_counters()
    if request.param == "process":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        yield "process"
        reset_local_counters()
        return
    url = request.getfixturevalue("redis_url")
    with override_settings(CACHES=redis_cache_settings(url)):
        cache.clear()
        yield "redis"
        cache.clear()


@pytest.fixture
def redis_commands(redis_url, monkeypatch):
    """Every command sent to Redis, by name (a spy on the client, nothing replaced)."""
    calls: list[str] = []
    original = redis.Redis.execute_command

    def spy(self, *args, **options):
        calls.append(args[0])
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", spy)
    with override_settings(CACHES=redis_cache_settings(redis_url)):
        cache.clear()
        calls.clear()
        yield calls
        cache.clear()


def _limit_commands(calls: list[str]) -> list[str]:
    return [call for call in calls if call in ("EVAL", "EVALSHA")]


@pytest.mark.parametrize("path", ["/reports/new/", "/api/v1/reports/"])
def test_a_valid_submission_checks_its_limits_in_one_redis_round_trip(
    client, district_rules, redis_commands, path
):
    response = client.post(path, VALID)
    assert response.status_code in (201, 302)
    assert _limit_commands(redis_commands) == ["EVAL"]
    assert Report.objects.count() == 1


def test_an_invalid_submission_gives_its_reserved_budget_back(
    client, settings, district_rules, redis_commands
):
    settings.REPORT_RATE_LIMIT_MINUTE = "1/m"
    assert client.post("/reports/new/", INVALID).status_code == 400
    # The check, then the release: a second round trip on the invalid path only.
    assert _limit_commands(redis_commands) == ["EVAL", "EVAL"]
    assert client.post("/reports/new/", VALID).status_code == 302
    assert client.post("/reports/new/", VALID).status_code == 429


@pytest.mark.parametrize("path", ["/reports/new/", "/api/v1/reports/"])
def test_invalid_attempts_count_toward_the_flood_guard_but_not_the_budgets(
    client, settings, district_rules, limits_backend, path
):
    settings.REPORT_FLOOD_LIMIT = "4/m"
    settings.REPORT_RATE_LIMIT_MINUTE = "2/m"
    statuses = [client.post(path, INVALID).status_code for _ in range(3)]
    assert statuses == [400, 400, 400]
    # Three invalid attempts spent no budget: the fourth attempt, valid, is accepted...
    assert client.post(path, VALID).status_code in (201, 302)
    # ... and the fifth is over the flood guard, valid or not, before its form is read.
    refused = client.post(path, VALID)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Report.objects.count() == 1


def test_a_flooding_client_spends_none_of_its_budget(client, settings, district_rules):
    from rumors import limits
    from wenzhou_portal.limits import CONSUME, HIT, Check, limits_check

    settings.REPORT_FLOOD_LIMIT = "1/m"
    settings.REPORT_RATE_LIMIT_MINUTE = "5/m"
    reset_local_counters()
    check = [
        Check(HIT, limits.REPORT_ATTEMPT, "client-a"),
        Check(CONSUME, limits.REPORT_ACCEPTED, "client-a"),
    ]
    first_flood, first_budget = limits_check(check)
    assert first_flood.allowed
    assert first_budget.counted
    second_flood, second_budget = limits_check(check)
    assert not second_flood.allowed
    assert not second_budget.counted
    reset_local_counters()


def test_the_budgets_still_refuse_a_sixth_valid_report_in_a_minute(
    client, settings, district_rules, limits_backend
):
    statuses = [client.post("/reports/new/", VALID).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert Report.objects.count() == 5
