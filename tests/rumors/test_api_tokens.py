"""A department token acts as its department's handler; a platform token only reads."""

import pytest

from rumors.models import Status
from tests.rumors.test_citizen_pages import VALID
from wenzhou_portal.api_tokens import api_token_create
from wenzhou_portal.districts import District
from wenzhou_portal.models import ApiToken, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def lucheng_token(office_admin, lucheng_office):
    """The Lucheng office's case system: the full token, as shown once on creation."""
    _token, secret = api_token_create(
        actor=office_admin,
        name="鹿城区 数治通",
        kind=ApiToken.Kind.DEPARTMENT,
        department_id=lucheng_office.pk,
        valid_days=30,
    )
    return secret


@pytest.fixture
def platform_token(office_admin):
    _token, secret = api_token_create(
        actor=office_admin,
        name="某短视频平台",
        kind=ApiToken.Kind.PLATFORM,
        department_id=None,
        valid_days=30,
    )
    return secret


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_department_token_sees_its_departments_reports_only(
    client, submit, district_rules, lucheng_token
):
    mine = submit()
    theirs = submit(district=District.LONGWAN)
    listed = client.get("/api/v1/reports/", **_bearer(lucheng_token))
    assert listed.status_code == 200
    assert [row["tracking_code"] for row in listed.json()["results"]] == [
        mine.formatted_tracking_code
    ]
    assert client.get(f"/api/v1/reports/{mine.pk}/", **_bearer(lucheng_token)).status_code == 200
    assert client.get(f"/api/v1/reports/{theirs.pk}/", **_bearer(lucheng_token)).status_code == 404


def test_department_token_acts_on_its_report_and_the_audit_names_the_token(
    client, submit, district_rules, lucheng_token
):
    report = submit()
    response = client.post(f"/api/v1/reports/{report.pk}/accept/", **_bearer(lucheng_token))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.IN_PROGRESS
    token = ApiToken.objects.get(kind=ApiToken.Kind.DEPARTMENT)
    accepted = AuditEvent.objects.get(action="rumors.report_accept")
    assert accepted.actor == token.user
    assert accepted.detail["api_token"] == {"id": token.pk, "key": token.key, "name": token.name}
    write = AuditEvent.objects.get(action="api_token_write")
    assert write.detail["path"] == f"/api/v1/reports/{report.pk}/accept/"
    assert write.detail["api_token"]["key"] == token.key
    # The report's own history says which account acted: the token's.
    assert report.events.filter(actor=token.user).exists()


def test_department_token_cannot_act_on_another_departments_report(
    client, submit, district_rules, lucheng_token
):
    theirs = submit(district=District.LONGWAN)
    response = client.post(f"/api/v1/reports/{theirs.pk}/accept/", **_bearer(lucheng_token))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.ROUTED
    assert not AuditEvent.objects.filter(action="rumors.report_accept").exists()


def test_department_token_cannot_take_an_office_only_action(
    client, submit, district_rules, lucheng_token, longwan_office
):
    report = submit()
    response = client.post(
        f"/api/v1/reports/{report.pk}/assign/",
        {"department": longwan_office.pk},
        **_bearer(lucheng_token),
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.lead_department.district == District.LUCHENG


def test_platform_token_reads_labels_and_is_refused_staff_endpoints(
    client, submit, district_rules, published_debunk, platform_token
):
    report = submit()
    labels = client.get("/api/v1/debunks/labels/", **_bearer(platform_token))
    assert labels.status_code == 200
    assert len(labels.json()) == 1
    assert client.get("/open311/v2/services.json", **_bearer(platform_token)).status_code == 200
    refused = client.get("/api/v1/reports/", **_bearer(platform_token))
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["field"] == "non_field"
    assert client.get(f"/api/v1/reports/{report.pk}/", **_bearer(platform_token)).status_code == 403
    acted = client.post(
        f"/api/v1/reports/{report.pk}/note/", {"text": "x"}, **_bearer(platform_token)
    )
    assert acted.status_code == 403
    assert not report.events.filter(kind="note").exists()
    token = ApiToken.objects.get(kind=ApiToken.Kind.PLATFORM)
    assert token.last_used_at is not None


def test_platform_token_cannot_file_a_report(client, district_rules, platform_token):
    response = client.post("/api/v1/reports/", VALID, **_bearer(platform_token))
    assert response.status_code == 403
    assert "平台令牌" in response.json()["errors"][0]["message"]


def test_a_wrong_token_on_the_label_feed_is_401(client, published_debunk):
    response = client.get("/api/v1/debunks/labels/", HTTP_AUTHORIZATION="Bearer qlwz_nope_nope")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"field": "non_field", "message": "API 令牌无效。"}]}
