"""The JSON API: the same validation and scoping as the pages, errors naming the field."""

import pytest
from django.core.cache import cache

from rumors.models import Report, Status
from tests.rumors.images import image_bytes, upload
from tests.rumors.test_citizen_pages import VALID
from wenzhou_portal.districts import District

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_citizens_file_a_report_with_a_screenshot(
    client, district_rules, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/reports/",
            {**VALID, "images": [upload("a.png", image_bytes()), upload("b.png", image_bytes())]},
        )
    assert response.status_code == 201, response.content
    code = response.json()["tracking_code"]
    report = Report.objects.get()
    assert report.formatted_tracking_code == code
    assert report.evidence.count() == 2
    assert report.status == Status.ROUTED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"content": "短"}, "content"),
        ({"url": "", "account": "", "place_description": ""}, "url"),
        ({"contact_phone": "555-1234", "contact_consent": "true"}, "contact_phone"),
        ({"contact_email": "a@example.org"}, "contact_consent"),
        ({"seen_at": "2999-01-01T00:00:00+08:00"}, "seen_at"),
    ],
)
def test_bad_input_answers_400_naming_the_field(client, changes, field):
    response = client.post("/api/v1/reports/", {**VALID, **changes})
    assert response.status_code == 400
    assert field in _fields(response)
    assert all(error["message"] for error in response.json()["errors"])
    assert Report.objects.count() == 0


def test_a_non_image_upload_is_refused_by_field(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    fake = upload("evil.png", b"<?php echo 1; ?>" * 20, "image/png")
    response = client.post("/api/v1/reports/", {**VALID, "images": [fake]})
    assert response.status_code == 400
    assert "images" in _fields(response)


def test_the_api_shares_the_submission_rate_limit(client, settings, district_rules):
    settings.REPORT_RATE_LIMIT_MINUTE = "1/m"
    assert client.post("/reports/new/", VALID).status_code == 302
    response = client.post("/api/v1/reports/", VALID)
    assert response.status_code == 429
    assert response.json()["errors"][0]["message"]
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["retry_after"] == int(response["Retry-After"])


def test_tracking_lookups_are_limited_and_say_when_to_retry(client, settings):
    settings.TRACK_RATE_LIMIT = "2/m"
    for _attempt in range(2):
        assert client.get("/api/v1/reports/track/AAAAAAAAAAAAAAAA/").status_code == 404
    refused = client.get("/api/v1/reports/track/AAAAAAAAAAAAAAAA/")
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["message"]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused["Retry-After"])


def test_public_tracking_shows_the_timeline_and_nothing_internal(
    client, submit, district_rules, lucheng_handler
):
    from rumors import services

    report = submit()
    services.report_note(report_id=report.pk, actor=lucheng_handler, text="内部：线索来源")
    response = client.get(f"/api/v1/reports/track/{report.tracking_code.lower()}/")
    assert response.status_code == 200
    body = response.json()
    assert body["public_status"] == "routed"
    assert "内部" not in response.content.decode()
    assert set(body) == {
        "tracking_code",
        "category",
        "public_status",
        "public_status_label",
        "outcome",
        "timeline",
    }
    miss_a = client.get("/api/v1/reports/track/AAAAAAAAAAAAAAAA/")
    miss_b = client.get("/api/v1/reports/track/short/")
    assert miss_a.status_code == miss_b.status_code == 404
    assert miss_a.content == miss_b.content


def test_staff_list_is_scoped_and_filtered(
    client, submit, district_rules, lucheng_handler, office_admin
):
    mine = submit()
    theirs = submit(district=District.LONGWAN)
    client.force_login(lucheng_handler)
    codes = [row["tracking_code"] for row in client.get("/api/v1/reports/").json()["results"]]
    assert codes == [mine.formatted_tracking_code]
    assert client.get(f"/api/v1/reports/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/reports/{theirs.pk}/accept/").status_code == 404
    not_an_id = client.get("/api/v1/reports/abc/")
    assert not_an_id.status_code == 404
    assert not_an_id.json()["errors"][0]["field"] == "non_field"
    client.force_login(office_admin)
    rows = client.get("/api/v1/reports/", {"district": District.LONGWAN}).json()["results"]
    assert [row["tracking_code"] for row in rows] == [theirs.formatted_tracking_code]
    assert client.get("/api/v1/reports/", {"status": "nonsense"}).status_code == 400


def test_anonymous_users_cannot_list_reports(client, submit, district_rules):
    submit()
    assert client.get("/api/v1/reports/").status_code == 403


def test_staff_act_through_one_endpoint_per_action(client, submit, district_rules, lucheng_handler):
    report = submit()
    client.force_login(lucheng_handler)
    assert client.post(f"/api/v1/reports/{report.pk}/accept/").status_code == 200
    response = client.post(f"/api/v1/reports/{report.pk}/resolve/", {"feedback": ""})
    assert response.status_code == 400
    assert "feedback" in _fields(response)
    response = client.post(f"/api/v1/reports/{report.pk}/resolve/", {"feedback": "已处理"})
    assert response.status_code == 200
    assert response.json()["status"] == Status.RESOLVED
    refused = client.post(f"/api/v1/reports/{report.pk}/accept/")
    assert refused.status_code == 409
    assert _fields(refused) == {"status"}


def test_the_schema_documents_the_report_endpoints(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/reports/" in paths
    assert "/api/v1/reports/track/{code}/" in paths
    assert "/api/v1/reports/{id}/resolve/" in paths
    resolve = paths["/api/v1/reports/{id}/resolve/"]["post"]
    body = resolve["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/ResolveActionInput")  # the action's own input, not a report
    assert resolve["parameters"][0]["schema"]["type"] == "integer"


def test_the_api_offers_every_action_of_the_table_with_its_own_fields(client):
    from rumors import services

    paths = client.get("/api/schema/", {"format": "json"}).json()
    schema_paths, components = paths["paths"], paths["components"]["schemas"]
    for name, action in services.ACTIONS.items():
        path = f"/api/v1/reports/{{id}}/{name.replace('_', '-')}/"
        assert path in schema_paths, name
        body = schema_paths[path]["post"].get("requestBody")
        if not action.fields:
            assert body is None, name  # nothing to send
            continue
        ref = body["content"]["application/json"]["schema"]["$ref"]
        component = components[ref.rsplit("/", 1)[1]]
        assert set(component["properties"]) == {field.name for field in action.fields}, name


def test_answering_with_a_debunk_over_the_api(client, routed, lucheng_handler, published_debunk):
    client.force_login(lucheng_handler)
    response = client.post(
        f"/api/v1/reports/{routed.pk}/link-debunk/", {"debunk_id": published_debunk.pk}
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.RESOLVED


def test_an_observer_gets_the_priority_lane_through_the_api_too(client, district_rules):
    from django.contrib.auth import get_user_model

    observer = get_user_model().objects.create_user(
        username="observer", password="x" * 16, is_citizen_observer=True
    )
    client.force_login(observer)
    response = client.post("/api/v1/reports/", VALID)
    assert response.status_code == 201
    assert Report.objects.get().priority > 0
