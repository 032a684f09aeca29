"""Liveness never asks a dependency; readiness names each and fails only without a database."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from tests.outage import broker_at, outage, redis_everywhere_at
from wenzhou_portal.models import ScheduledJobRun

pytestmark = pytest.mark.django_db

SWEEPER = "rumors-requeue-pending-routing"


def dependencies(response) -> dict:
    """The readiness verdict and the dependencies, without the scheduler's report."""
    return {key: response.json()[key] for key in ("status", "database", "cache", "broker")}


def every_job_ran(at) -> None:
    for name in settings.CELERY_BEAT_SCHEDULE:
        ScheduledJobRun.objects.create(name=name, expected_since=at, last_succeeded_at=at)


def test_healthz_is_liveness_and_asks_no_dependency(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_a_redis_outage_keeps_healthz_green_and_readyz_degraded_not_failing(client, kind):
    with outage(kind) as url, redis_everywhere_at(url):
        live = client.get("/healthz")
        started = time.monotonic()
        ready = client.get("/readyz")
        elapsed = time.monotonic() - started
    assert live.status_code == 200
    assert ready.status_code == 200
    assert dependencies(ready) == {
        "status": "ready",
        "database": "ok",
        "cache": "degraded",
        "broker": "degraded",
    }
    # The cache check trips the breaker; the broker check on the same server skips.
    assert elapsed < 1.0, f"readyz waited {elapsed:.2f} s on a dead Redis"


def test_readyz_is_503_when_the_database_is_down(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("gone")
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["status"] == "unavailable"


def test_readyz_reports_the_real_redis_as_ok(client, redis_url):
    with redis_everywhere_at(redis_url):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert dependencies(response) == {
        "status": "ready",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
    }


def test_readyz_names_the_broker_alone_when_only_the_broker_is_out(client):
    with outage("refused") as url, broker_at(url):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["broker"] == "degraded"


def test_readyz_shows_each_scheduled_jobs_last_success_and_an_on_time_scheduler(
    client, django_assert_num_queries
):
    every_job_ran(timezone.now() - timedelta(minutes=1))
    with django_assert_num_queries(2):  # the database check and the jobs, in one query
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200
    assert body["scheduler"] == "ok"
    assert set(body["jobs"]) == set(settings.CELERY_BEAT_SCHEDULE)
    sweeper = body["jobs"][SWEEPER]
    assert sweeper["late"] is False
    # Wenzhou's time, as the office reads it.
    ran = ScheduledJobRun.objects.get(name=SWEEPER).last_succeeded_at
    assert sweeper["last_succeeded_at"] == timezone.localtime(ran).isoformat()
    assert sweeper["last_succeeded_at"].endswith("+08:00")


def test_a_late_sweeper_makes_the_scheduler_degraded_but_keeps_the_web_node_ready(client):
    every_job_ran(timezone.now() - timedelta(minutes=1))
    ScheduledJobRun.objects.filter(name=SWEEPER).update(
        last_succeeded_at=timezone.now() - timedelta(hours=1)
    )
    response = client.get("/readyz")
    body = response.json()
    # Beat is late: citizens can still report, so the node stays behind the proxy.
    assert response.status_code == 200
    assert body["status"] == "ready"
    assert body["scheduler"] == "degraded"
    assert body["jobs"][SWEEPER]["late"] is True
    assert [name for name, job in body["jobs"].items() if job["late"]] == [SWEEPER]


def test_readyz_says_the_scheduler_is_degraded_when_no_beat_ever_ran(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200
    assert body["scheduler"] == "degraded"
    assert all(job == {"last_succeeded_at": None, "late": True} for job in body["jobs"].values())


def test_a_job_failing_since_its_last_success_is_late_and_its_error_is_not_published(client):
    every_job_ran(timezone.now() - timedelta(hours=1))
    ScheduledJobRun.objects.update(last_succeeded_at=timezone.now() - timedelta(minutes=1))
    ScheduledJobRun.objects.filter(name=SWEEPER).update(
        last_succeeded_at=timezone.now() - timedelta(hours=1),
        last_failed_at=timezone.now(),
        last_error="OperationalError: password authentication failed for user portal",
    )
    response = client.get("/readyz")
    assert response.json()["jobs"][SWEEPER]["late"] is True
    assert b"password" not in response.content
