"""The database row is the truth; the broker is only a doorbell."""

import time

import pytest
from django.core.cache import cache

from rumors.models import Report, RoutingState, Status
from rumors.tasks import requeue_pending_routing
from tests.outage import REFUSED_URL, broker_at, silent_server
from tests.rumors.test_citizen_pages import VALID

pytestmark = pytest.mark.django_db


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
        url = REFUSED_URL if outage == "refused" else silent_url
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
    with broker_at(REFUSED_URL):
        _submit(client, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert report.routing_state == RoutingState.PENDING
    Report.objects.filter(pk=report.pk).update(created_at=report.created_at.replace(year=2025))
    # Broker back (eager in this process): the beat task re-queues and routing happens.
    assert requeue_pending_routing.apply().get() == 1
    report.refresh_from_db()
    assert report.routing_state == RoutingState.DONE
    assert report.status == Status.ROUTED
