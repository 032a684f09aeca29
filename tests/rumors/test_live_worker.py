"""A real Celery worker on Redis routes a report that a citizen submitted over HTTP."""

import time

import pytest
from django.core.cache import cache

from rumors.models import EventKind, Report, RoutingState, Status
from tests.rumors.test_citizen_pages import VALID

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_live_worker_routes_a_report_submitted_over_http(
    live_celery_worker, client, district_rules, lucheng_office
):
    cache.clear()
    response = client.post("/reports/new/", VALID)
    assert response.status_code == 302
    report = Report.objects.get()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.routing_state == RoutingState.DONE:
            break
        time.sleep(0.2)
    assert report.routing_state == RoutingState.DONE, "the worker never routed the report"
    assert report.status == Status.ROUTED
    assert report.lead_department == lucheng_office
    assert report.events.filter(kind=EventKind.ROUTED).count() == 1
