"""A worker killed with SIGKILL while routing 500 reports in batches: the batch it was in
rolls back, and after a new worker starts every report is routed exactly once."""

import signal
import time
from collections import Counter

import pytest

from rumors import services
from rumors.models import EventKind, Report, ReportEvent, RoutingState
from tests.reliability.processes import service_env, start_worker, stop, wait_for
from wenzhou_portal.celery import app

pytestmark = pytest.mark.reliability

REPORTS = 500
# Redelivery of the killed worker's unacknowledged messages, shortened for the test; in
# production it is an hour and the beat sweeper covers reports sooner (see settings).
VISIBILITY_TIMEOUT = 10
# Small batches, so that the kill lands in the middle of the work (and of a batch).
BATCH_SIZE = 10


def _pending_reports(count: int) -> list[int]:
    ids = []
    for n in range(count):
        report = services.report_submit(
            data=services.ReportInput(
                category="fraud",
                platform="douyin",
                content=f"直播间冒充客服，要求加微信退款（第{n}条）。",
                url=f"https://www.douyin.com/video/{n}",
            ),
            queue_routing=False,
        )
        ids.append(report.pk)
    return ids


def _routed() -> int:
    return Report.objects.filter(routing_state=RoutingState.DONE).count()


def test_a_worker_killed_mid_routing_loses_nothing_and_routes_nothing_twice(
    database, throwaway_redis, tmp_path, queue, celery_on
):
    _pending_reports(REPORTS)
    env = service_env(
        database, throwaway_redis.url, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT)
    )
    celery_on(throwaway_redis.url)
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": VISIBILITY_TIMEOUT,
    }
    # Two doorbells, one per worker process: both routers claim batches side by side.
    for _router in range(2):
        app.send_task("rumors.tasks.route_pending", kwargs={"batch_size": BATCH_SIZE}, queue=queue)

    first = start_worker(env, tmp_path, queue=queue, concurrency=2, name="first")
    try:
        wait_for(lambda: _routed() >= 60, 90, "the first worker routing", first)
    finally:
        stop(first, signal.SIGKILL)  # the whole process group, mid-task
    at_kill = _routed()
    assert at_kill < REPORTS, "the first worker finished before it could be killed"

    second = start_worker(env, tmp_path, queue=queue, concurrency=2, name="second")
    started = time.monotonic()
    try:
        # A hang guard, not a speed goal: the killed worker's messages come back after the
        # visibility timeout, and routing compares each report with the earlier ones.
        wait_for(lambda: _routed() == REPORTS, 480, "the second worker routing the rest", second)
    finally:
        stop(second)
    print(f"killed at {at_kill}/{REPORTS}; the rest routed in {time.monotonic() - started:.1f} s")

    routed = Counter(
        ReportEvent.objects.filter(kind__in=[EventKind.ROUTED, EventKind.TRIAGED]).values_list(
            "report_id", flat=True
        )
    )
    assert len(routed) == REPORTS
    assert set(routed.values()) == {1}
