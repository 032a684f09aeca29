"""Liveness never asks a dependency; readiness names each and fails only without a database."""

import time
from unittest import mock

import pytest
from django.db import OperationalError

from tests.outage import broker_at, outage, redis_everywhere_at

pytestmark = pytest.mark.django_db


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
    assert ready.json() == {
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
    assert response.json() == {"status": "ready", "database": "ok", "cache": "ok", "broker": "ok"}


def test_readyz_names_the_broker_alone_when_only_the_broker_is_out(client):
    with outage("refused") as url, broker_at(url):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["broker"] == "degraded"
