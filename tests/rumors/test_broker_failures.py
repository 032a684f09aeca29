"""The database row is the truth; the broker is only a doorbell."""

import socket
import threading
import time
from contextlib import contextmanager

import pytest
from django.core.cache import cache

from rumors.models import Report, RoutingState, Status
from rumors.tasks import requeue_pending_routing
from tests.rumors.test_citizen_pages import VALID
from wenzhou_portal.celery import app

pytestmark = pytest.mark.django_db


@contextmanager
def broker_at(url: str):
    """Point the Celery app at another broker for the duration, with eager mode off."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _reset_pools()


def _reset_pools() -> None:
    # Drop the app's references so the next publish builds pools for the current URL;
    # kombu keeps its per-URL pools itself, so closing them here would poison them.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def silent_server():
    """A TCP server that accepts connections and never answers: the worst kind of outage."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()
        for conn in held:
            conn.close()


def _submit(client, django_capture_on_commit_callbacks):
    cache.clear()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/new/", VALID)
    return response, time.monotonic() - started


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_a_report_is_saved_and_answered_within_a_second_when_the_broker_is_down(
    client, district_rules, django_capture_on_commit_callbacks, outage
):
    with silent_server() as silent_url:
        url = "redis://127.0.0.1:1/0" if outage == "refused" else silent_url
        with broker_at(url):
            response, elapsed = _submit(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert elapsed < 1.0, f"the citizen waited {elapsed:.2f} s on a dead broker"
    report = Report.objects.get()
    assert report.routing_state == RoutingState.PENDING
    assert report.status == Status.RECEIVED
    page = client.get(response["Location"]).content.decode()
    assert report.formatted_tracking_code in page


def test_the_sweeper_routes_what_the_broker_missed(
    client, district_rules, django_capture_on_commit_callbacks
):
    with broker_at("redis://127.0.0.1:1/0"):
        _submit(client, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert report.routing_state == RoutingState.PENDING
    Report.objects.filter(pk=report.pk).update(created_at=report.created_at.replace(year=2025))
    # Broker back (eager in this process): the beat task re-queues and routing happens.
    assert requeue_pending_routing.apply().get() == 1
    report.refresh_from_db()
    assert report.routing_state == RoutingState.DONE
    assert report.status == Status.ROUTED
