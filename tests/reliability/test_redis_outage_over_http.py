"""Redis stops (refused, then silent) during 100 submissions through gunicorn: every one is
answered with its code, none waits on Redis for more than one socket timeout, all are in
the database, and after Redis returns the sweeper routes each exactly once."""

import json
import time
import urllib.request
from collections import Counter

import pytest

from rumors.models import EventKind, Report, ReportEvent, RoutingState
from tests.reliability.processes import gunicorn, service_env, start_worker, stop, wait_for

pytestmark = pytest.mark.reliability

SOCKET_TIMEOUT = 0.5
# A hang guard, not a speed goal: one socket timeout plus the request's own work on a
# loaded 2-core CI machine.
HANG_GUARD = SOCKET_TIMEOUT + 0.7
SUBMISSIONS = 100


def _submit(base: str, n: int) -> tuple[int, dict, float]:
    body = json.dumps(
        {
            "category": "rumor",
            "platform": "wechat",
            "place_description": "微信群",
            "content": f"群里流传本地学校停课的消息，未见官方通知（第{n}位市民）。",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310  our own server on localhost
        base + "/api/v1/reports/",
        data=body,
        headers={
            "Content-Type": "application/json",
            # 100 citizens behind the TLS proxy, each with their own budget.
            "X-Forwarded-For": f"203.0.113.{n % 250 + 1}",
        },
        method="POST",
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, payload = response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, payload = error.code, {"body": error.read().decode()[:500]}
    return status, payload, time.monotonic() - started


def test_submissions_survive_redis_refusing_then_going_silent(
    database, throwaway_redis, tmp_path, queue, celery_on
):
    env = service_env(
        database,
        throwaway_redis.url,
        PROXY_COUNT="1",
        CELERY_QUEUE=queue,
        REDIS_SOCKET_TIMEOUT=str(SOCKET_TIMEOUT),
        REDIS_BREAKER_SECONDS="2",
    )
    answers = []
    started = time.monotonic()
    with gunicorn(env, tmp_path) as base:
        for n in range(SUBMISSIONS):
            if n == 30:
                throwaway_redis.stop()  # refused
            elif n == 60:
                throwaway_redis.silence()  # accepts, never answers
            answers.append(_submit(base, n))
    throwaway_redis.unsilence()
    throwaway_redis.start()
    print(f"100 submissions in {time.monotonic() - started:.1f} s")

    failures = [
        (n, status, payload)
        for n, (status, payload, _t) in enumerate(answers)
        if status != 201 or "tracking_code" not in payload
    ]
    assert failures == []
    slowest = max(elapsed for _s, _p, elapsed in answers)
    assert slowest < HANG_GUARD, f"a submission waited {slowest:.2f} s"
    codes = {payload["tracking_code"] for _s, payload, _t in answers}
    assert len(codes) == SUBMISSIONS
    assert Report.objects.count() == SUBMISSIONS
    assert {r.formatted_tracking_code for r in Report.objects.all()} == codes

    # Redis is back (empty: what was queued before the outage is gone with it). A worker
    # and the beat sweeper route every report, each exactly once.
    celery_on(throwaway_redis.url)
    worker = start_worker(env, tmp_path, queue=queue)
    try:
        from wenzhou_portal.celery import app

        app.send_task("rumors.tasks.requeue_pending_routing", queue=queue)
        wait_for(
            lambda: not Report.objects.exclude(routing_state=RoutingState.DONE).exists(),
            90,
            "routing of every report after the outage",
            worker,
        )
        # A second sweep (as beat runs every minute) finds nothing left and routes nothing.
        app.send_task("rumors.tasks.requeue_pending_routing", queue=queue)
        time.sleep(2)
    finally:
        stop(worker)
    # Without a matching rule a report is routed to the office's triage queue.
    routed = Counter(
        ReportEvent.objects.filter(kind__in=[EventKind.ROUTED, EventKind.TRIAGED]).values_list(
            "report_id", flat=True
        )
    )
    assert len(routed) == SUBMISSIONS
    assert set(routed.values()) == {1}
