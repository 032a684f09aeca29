"""A Redis outage (cache, limits and broker on one server, as in production) costs the
citizen at most one short socket timeout, never the report."""

import time

import pytest

from rumors.models import Report, RoutingState
from rumors.tasks import requeue_pending_routing
from tests.outage import outage, redis_everywhere_at
from tests.rumors.test_citizen_pages import VALID

pytestmark = pytest.mark.django_db

SOCKET_TIMEOUT = 0.5  # tests.outage.redis_cache_settings; settings.REDIS_SOCKET_TIMEOUT
# A hang guard, not a speed goal: one timeout plus the request's own work.
HANG_GUARD = SOCKET_TIMEOUT + 0.45


def _text(n: int) -> str:
    return f"直播间冒充客服，要求观众加微信退款并提供验证码（第{n}条）。"


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_every_submission_is_saved_and_answered_with_its_code_while_redis_is_out(
    client, district_rules, django_capture_on_commit_callbacks, kind
):
    with outage(kind) as url, redis_everywhere_at(url):
        for n in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                response, elapsed = _timed(
                    lambda n=n: client.post("/reports/new/", {**VALID, "content": _text(n)})
                )
            assert response.status_code == 302
            assert elapsed < HANG_GUARD, f"submission {n} waited {elapsed:.2f} s on Redis"
            page = client.get(response["Location"]).content.decode()
            report = Report.objects.get(content=_text(n))
            assert report.formatted_tracking_code in page
    assert Report.objects.count() == 3
    # Nothing reached the broker: the reports wait for the sweeper, none is lost.
    assert set(Report.objects.values_list("routing_state", flat=True)) == {RoutingState.PENDING}


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_the_api_answers_a_submission_with_its_code_while_redis_is_out(
    client, district_rules, kind
):
    with outage(kind) as url, redis_everywhere_at(url):
        response, elapsed = _timed(lambda: client.post("/api/v1/reports/", VALID))
    assert response.status_code == 201
    assert elapsed < HANG_GUARD
    assert Report.objects.get().formatted_tracking_code == response.json()["tracking_code"]


def test_limits_fall_back_to_counters_in_this_process_while_redis_is_out(
    client, settings, district_rules
):
    settings.REPORT_RATE_LIMIT_MINUTE = "2/m"
    with outage("refused") as url, redis_everywhere_at(url):
        statuses = [client.post("/reports/new/", VALID).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    "path",
    ["/", "/reports/stats/", "/index/", "/campaigns/", "/debunks/", "/reports/new/", "/charity/"],
)
def test_public_pages_render_uncached_while_redis_is_silent(client, path):
    with outage("silent") as url, redis_everywhere_at(url):
        response, elapsed = _timed(lambda: client.get(path))
    assert response.status_code == 200
    assert elapsed < HANG_GUARD


def test_tracking_works_while_redis_is_out(client, submit, district_rules):
    report = submit()
    with outage("silent") as url, redis_everywhere_at(url):
        response = client.post("/reports/track/", {"code": report.tracking_code})
    assert response.status_code == 200
    assert report.formatted_tracking_code in response.content.decode()


def test_after_redis_returns_the_sweeper_routes_what_was_accepted_during_the_outage(
    client, district_rules, django_capture_on_commit_callbacks
):
    with outage("silent") as url, redis_everywhere_at(url):
        for n in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                client.post("/reports/new/", {**VALID, "content": _text(n)})
    Report.objects.update(created_at=Report.objects.first().created_at.replace(year=2025))
    # Redis back (tasks eager in this process): the beat task re-queues each, once.
    assert requeue_pending_routing.apply().get() == 3
    assert set(Report.objects.values_list("routing_state", flat=True)) == {RoutingState.DONE}
    assert requeue_pending_routing.apply().get() == 0
