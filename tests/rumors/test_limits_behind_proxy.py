"""Limits count accepted reports per real client, also behind the TLS proxy."""

import pytest

from rumors.models import Report
from tests.rumors.test_citizen_pages import VALID
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # nginx in front of gunicorn


@pytest.fixture
def behind_proxy(settings):
    settings.PROXY_COUNT = 1
    settings.REPORT_RATE_LIMIT_MINUTE = "2/m"


def _post(client, address: str, forged: str = "", **data):
    forwarded = f"{forged}, {address}" if forged else address
    return client.post(
        "/reports/new/", {**VALID, **data}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def test_behind_the_proxy_each_citizen_has_their_own_budget(client, behind_proxy, district_rules):
    assert [_post(client, "203.0.113.1").status_code for _ in range(3)] == [302, 302, 429]
    # Another citizen behind the same proxy is not affected by the first one's budget.
    assert _post(client, "203.0.113.2").status_code == 302
    assert Report.objects.count() == 3


def test_a_forged_forwarded_header_buys_no_new_budget(client, behind_proxy, district_rules):
    _post(client, "203.0.113.1")
    _post(client, "203.0.113.1")
    forged = [_post(client, "203.0.113.1", forged=f"198.51.100.{n}") for n in range(5)]
    assert {response.status_code for response in forged} == {429}
    assert Report.objects.count() == 2


def test_without_a_proxy_setting_the_header_is_ignored(client, settings, district_rules):
    settings.PROXY_COUNT = 0
    settings.REPORT_RATE_LIMIT_MINUTE = "2/m"
    statuses = [
        client.post(
            "/reports/new/",
            VALID,
            REMOTE_ADDR="203.0.113.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_refused_attempts_do_not_use_up_the_daily_quota(client, settings, district_rules):
    settings.REPORT_RATE_LIMIT_MINUTE = "100/m"
    settings.REPORT_RATE_LIMIT_DAY = "6/d"
    settings.REPORT_FLOOD_LIMIT = "40/m"
    invalid = {**VALID, "content": ""}
    for _ in range(20):
        assert client.post("/reports/new/", invalid).status_code == 400
    assert [client.post("/reports/new/", VALID).status_code for _ in range(7)] == [302] * 6 + [429]
    assert Report.objects.count() == 6


def test_a_flood_of_attempts_is_stopped_by_the_looser_guard(client, settings, district_rules):
    settings.REPORT_FLOOD_LIMIT = "5/m"
    invalid = {**VALID, "content": ""}
    statuses = [client.post("/reports/new/", invalid).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    # Even a valid report waits now: the guard counts attempts.
    assert client.post("/reports/new/", VALID).status_code == 429


def test_the_api_counts_only_accepted_reports_too(client, settings, district_rules):
    settings.REPORT_RATE_LIMIT_MINUTE = "2/m"
    for _ in range(5):
        assert client.post("/api/v1/reports/", {**VALID, "content": ""}).status_code == 400
    statuses = [client.post("/api/v1/reports/", VALID).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_the_audit_log_records_the_real_client_behind_the_proxy(client, behind_proxy, office_admin):
    client.post(
        "/admin/login/",
        {"username": office_admin.username, "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5",
    )
    event = AuditEvent.objects.get(action="login_failed")
    assert event.ip_address == "203.0.113.5"
