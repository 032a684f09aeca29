"""Open311 GeoReport v2: what civic tools may read, and everything they must never see."""

import json
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rumors import open311, services
from rumors.models import CATEGORY_EXAMPLES, Category, Report

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def _json(response) -> list[dict]:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def _xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


def _ids(response) -> list[str]:
    return [row["service_request_id"] for row in _json(response)]


def _age(report: Report, days: int) -> Report:
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=days))
    report.refresh_from_db()
    return report


@pytest.fixture
def routed(submit, district_rules):
    return submit()


@pytest.fixture
def resolved(submit, district_rules, lucheng_handler):
    report = submit(category="fraud")
    services.report_resolve(
        report_id=report.pk, actor=lucheng_handler, feedback="经核实为诈骗信息，已通知平台删除。"
    )
    report.refresh_from_db()
    return report


# --- Services ---------------------------------------------------------------------------


def test_services_json_lists_each_category_with_the_spec_fields(client):
    response = client.get("/open311/v2/services.json")

    assert response.status_code == 200
    services_listed = _json(response)
    assert [row["service_code"] for row in services_listed] == list(Category.values)
    for row in services_listed:
        assert set(row) == SERVICE_FIELDS
        category = Category(row["service_code"])
        assert row["service_name"] == str(category.label)
        assert row["description"] == str(CATEGORY_EXAMPLES[category])
        assert row["metadata"] is False
        assert row["type"] == "realtime"
        assert row["keywords"] == ""
        assert row["group"] == "违法和不良信息"
    assert "谣言".encode() in response.content
    assert b"\\u" not in response.content


def test_services_xml_is_well_formed_with_a_service_element_per_category(client):
    root = _xml(client.get("/open311/v2/services.xml"))

    assert root.tag == "services"
    assert [element.tag for element in root] == ["service"] * len(Category)
    rumor = root[0]
    assert {child.tag for child in rumor} == SERVICE_FIELDS
    assert rumor.findtext("service_code") == "rumor"
    assert rumor.findtext("service_name") == "谣言"
    assert rumor.findtext("metadata") == "false"
    assert rumor.findtext("type") == "realtime"


# --- Requests: fields -------------------------------------------------------------------


def test_requests_json_gives_exactly_the_spec_fields_of_a_routed_report(client, routed):
    response = client.get("/open311/v2/requests.json")

    assert response.status_code == 200
    [row] = _json(response)
    assert set(row) == REQUEST_FIELDS
    assert row == {
        "service_request_id": str(routed.public_id),
        "status": "open",
        "status_notes": "分办",
        "service_name": "谣言",
        "service_code": "rumor",
        "description": "谣言",
        "agency_responsible": "鹿城区委网信办",
        "service_notice": "",
        "requested_datetime": timezone.localtime(routed.created_at).isoformat(timespec="seconds"),
        "updated_datetime": timezone.localtime(routed.updated_at).isoformat(timespec="seconds"),
        "expected_datetime": timezone.localtime(routed.due_at).isoformat(timespec="seconds"),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }
    assert row["requested_datetime"].endswith("+08:00")


def test_a_report_still_waiting_for_routing_is_listed_as_open_without_an_agency(client, submit):
    pending = submit(route=False)

    [row] = _json(client.get("/open311/v2/requests.json"))

    assert row["service_request_id"] == str(pending.public_id)
    assert row["status"] == "open"
    assert row["status_notes"] == "受理"
    assert row["agency_responsible"] == ""
    assert row["expected_datetime"] is None


def test_a_resolved_report_is_closed_with_its_public_feedback_as_status_notes(client, resolved):
    [row] = _json(client.get("/open311/v2/requests.json"))

    assert row["status"] == "closed"
    assert row["status_notes"] == "已反馈：经核实为诈骗信息，已通知平台删除。"
    assert row["service_code"] == "fraud"


def test_a_merged_report_is_closed_and_shows_the_outcome_of_the_report_it_joined(
    client, submit, district_rules, office_admin, lucheng_handler
):
    primary = submit()
    merged = submit()
    services.report_merge(
        report_id=merged.pk, actor=office_admin, primary_code=primary.tracking_code
    )
    services.report_resolve(report_id=primary.pk, actor=lucheng_handler, feedback="已辟谣并删除。")

    rows = {
        row["service_request_id"]: row for row in _json(client.get("/open311/v2/requests.json"))
    }

    assert rows[str(merged.public_id)]["status"] == "closed"
    assert rows[str(merged.public_id)]["status_notes"] == "已合并：已辟谣并删除。"


def test_a_merged_report_whose_primary_is_still_open_shows_only_its_status(
    client, submit, district_rules, office_admin
):
    primary = submit()
    merged = submit()
    services.report_merge(
        report_id=merged.pk, actor=office_admin, primary_code=primary.tracking_code
    )

    rows = {
        row["service_request_id"]: row for row in _json(client.get("/open311/v2/requests.json"))
    }

    assert rows[str(merged.public_id)]["status_notes"] == "已合并"
    assert rows[str(primary.public_id)]["status"] == "open"


# --- Requests: what must never leave ------------------------------------------------------


@pytest.fixture
def sensitive_report(submit, district_rules, lucheng_handler, citizen):
    report = submit(
        account="鹿城谣言搬运工",
        contact_phone="13912345678",
        contact_email="li.ayi@example.org",
        contact_consent=True,
    )
    Report.objects.filter(pk=report.pk).update(reporter=citizen)
    services.report_note(report_id=report.pk, actor=lucheng_handler, text="内部：嫌疑人另有小号")
    services.report_resolve(
        report_id=report.pk,
        actor=lucheng_handler,
        feedback="已联系平台处理。",
        internal_text="平台工单 WZ-778899",
    )
    report.refresh_from_db()
    return report


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        "/open311/v2/requests/{id}.json",
        "/open311/v2/requests/{id}.xml",
    ],
)
def test_no_tracking_code_contact_reported_content_or_internal_note_is_ever_served(
    client, sensitive_report, citizen, path
):
    response = client.get(path.format(id=sensitive_report.public_id))

    assert response.status_code == 200
    body = response.content
    assert str(sensitive_report.public_id).encode() in body
    secrets = [
        sensitive_report.tracking_code,
        sensitive_report.formatted_tracking_code,
        "13912345678",
        "li.ayi@example.org",
        sensitive_report.url,
        "mp.weixin.qq.com",
        "鹿城谣言搬运工",
        sensitive_report.content,
        "自来水被污染",
        "内部：嫌疑人另有小号",
        "WZ-778899",
        citizen.username,
    ]
    for secret in secrets:
        assert secret.encode() not in body, secret


def test_the_tracking_code_does_not_find_a_report(client, routed):
    for candidate in (routed.tracking_code, routed.formatted_tracking_code):
        assert client.get(f"/open311/v2/requests/{candidate}.json").status_code == 404
        assert _json(client.get(f"/open311/v2/requests.json?service_request_id={candidate}")) == []


# --- Requests: filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [("open", {"routed"}), ("closed", {"resolved"}), ("open,closed", {"routed", "resolved"})],
)
def test_status_filter_maps_open_and_closed(client, routed, resolved, status, expected):
    ids = {str(routed.public_id): "routed", str(resolved.public_id): "resolved"}

    response = client.get("/open311/v2/requests.json", {"status": status})

    assert {ids[request_id] for request_id in _ids(response)} == expected


def test_service_code_filter_keeps_only_that_category(client, routed, resolved):
    assert _ids(client.get("/open311/v2/requests.json", {"service_code": "fraud"})) == [
        str(resolved.public_id)
    ]
    assert _ids(client.get("/open311/v2/requests.json", {"service_code": "pornography"})) == []


def test_start_and_end_date_select_on_the_requested_datetime(client, submit, district_rules):
    old = _age(submit(), days=40)
    recent = _age(submit(), days=5)
    cutoff = (timezone.now() - timedelta(days=20)).isoformat()

    after = client.get("/open311/v2/requests.json", {"start_date": cutoff})
    before = client.get("/open311/v2/requests.json", {"end_date": cutoff})

    assert _ids(after) == [str(recent.public_id)]
    assert _ids(before) == [str(old.public_id)]


def test_dates_are_read_in_w3c_format_with_z_or_an_unencoded_plus_offset(
    client, submit, district_rules
):
    report = submit()
    day = timezone.localtime(report.created_at).date()

    utc = client.get(
        "/open311/v2/requests.json",
        {"start_date": f"{day - timedelta(days=1)}T00:00:00Z", "end_date": f"{day}T23:59:59Z"},
    )
    # A client that forgot to encode "+" sends a space; the offset is still understood.
    plus = client.get(
        f"/open311/v2/requests.json?start_date={day}T00:00:00+08:00&end_date={day}T23:59:59+08:00"
    )

    assert _ids(utc) == [str(report.public_id)]
    assert _ids(plus) == [str(report.public_id)]


def test_by_default_only_the_last_90_days_are_listed_newest_first(client, submit, district_rules):
    _age(submit(), days=100)
    older = _age(submit(), days=10)
    newer = _age(submit(), days=1)

    assert _ids(client.get("/open311/v2/requests.json")) == [
        str(newer.public_id),
        str(older.public_id),
    ]


def test_the_list_is_capped(client, submit, district_rules, monkeypatch):
    monkeypatch.setattr(open311, "MAX_REQUESTS", 2)
    reports = [_age(submit(), days=days) for days in (3, 2, 1)]

    assert _ids(client.get("/open311/v2/requests.json")) == [
        str(reports[2].public_id),
        str(reports[1].public_id),
    ]


def test_service_request_id_takes_a_comma_separated_list_and_ignores_invalid_ids(
    client, submit, district_rules
):
    first, second, _third = submit(), submit(), submit()

    response = client.get(
        "/open311/v2/requests.json",
        {"service_request_id": f"{first.public_id},not-a-uuid,{second.public_id},{uuid.uuid4()}"},
    )

    assert set(_ids(response)) == {str(first.public_id), str(second.public_id)}
    assert _json(client.get("/open311/v2/requests.json", {"service_request_id": "nope"})) == []


def test_service_request_id_overrides_the_other_arguments(client, submit, district_rules):
    old = _age(submit(), days=200)

    response = client.get(
        "/open311/v2/requests.json",
        {"service_request_id": str(old.public_id), "status": "closed", "service_code": "fraud"},
    )

    assert _ids(response) == [str(old.public_id)]


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2025-13-01T00:00:00Z"}, "start_date"),
        ({"end_date": "2025-01-01T25:00:00+08:00"}, "end_date"),
        ({"start_date": "2025-03-01T00:00:00Z", "end_date": "2025-02-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"}, "90"),
        ({"status": "pending"}, "status"),
    ],
)
def test_bad_arguments_are_a_400_in_the_spec_error_shape(client, query, mentions):
    response = client.get("/open311/v2/requests.json", query)

    assert response.status_code == 400
    [error] = _json(response)
    assert set(error) == {"code", "description"}
    assert error["code"] == 400
    assert mentions in error["description"]
    assert "Cache-Control" not in response


@pytest.mark.parametrize("name", ["start_date", "end_date"])
@pytest.mark.parametrize(
    "moment",
    [
        "2026-01-01T00:00:00+99:00",
        "2026-01-01T00:00:00-24:00",
        "0001-01-01T00:00:00+08:00",
        "0001-01-01T00:00:00-08:00",
        "0001-01-01",
        "9999-12-31T23:59:59-08:00",
        "9999-12-31T23:59:59+08:00",
        "9999-12-31",
    ],
)
def test_open311_dates_with_offsets_or_years_out_of_range_are_a_400_naming_the_argument(
    client, name, moment
):
    response = client.get("/open311/v2/requests.json", {name: moment})

    assert response.status_code == 400
    [error] = _json(response)
    assert error["code"] == 400
    assert name in error["description"]


def test_open311_start_date_with_offset_out_of_range_is_a_400(client):
    response = client.get("/open311/v2/requests.json", {"start_date": "2026-01-01T00:00:00+99:00"})

    assert response.status_code == 400
    [error] = _json(response)
    assert error == {
        "code": 400,
        "description": "start_date 不是有效的 W3C 日期时间，例如 2025-01-01T00:00:00+08:00。",
    }


def test_open311_year_out_of_range_names_the_allowed_years_in_english_and_xml(client):
    client.cookies["django_language"] = "en"
    response = client.get("/open311/v2/requests.xml", {"end_date": "9999-12-31T23:59:59-08:00"})

    assert response.status_code == 400
    [error] = _xml(response)
    assert error.findtext("code") == "400"
    description = error.findtext("description")
    assert description.startswith("end_date")
    assert "1970" in description
    assert "2100" in description


def test_open311_dates_at_the_edges_of_the_sane_years_are_read(client):
    earliest = client.get(
        "/open311/v2/requests.json",
        {"start_date": "1970-01-01T00:00:00+08:00", "end_date": "1970-03-01T00:00:00+08:00"},
    )
    latest = client.get("/open311/v2/requests.json", {"start_date": "2100-12-31T23:59:59-12:00"})

    assert earliest.status_code == 200
    assert _json(earliest) == []
    assert latest.status_code == 200
    assert _json(latest) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_nul_byte_in_service_code_is_a_400_in_the_spec_error_shape(client, routed, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}", {"service_code": "rumor\x00"})

    assert response.status_code == 400
    if fmt == "json":
        [error] = _json(response)
        assert error["code"] == 400
        assert "service_code" in error["description"]
    else:
        [error] = _xml(response)
        assert error.findtext("code") == "400"
        assert "service_code" in error.findtext("description")


def test_open311_unknown_service_code_still_finds_nothing_rather_than_refusing(client, routed):
    response = client.get("/open311/v2/requests.json", {"service_code": "rumor,no-such-code"})

    assert _ids(response) == [str(routed.public_id)]


def test_a_bad_start_date_in_xml_is_a_400_with_errors_elements(client):
    response = client.get("/open311/v2/requests.xml", {"start_date": "not-a-date"})

    assert response.status_code == 400
    root = _xml(response)
    assert root.tag == "errors"
    [error] = root
    assert error.tag == "error"
    assert error.findtext("code") == "400"
    assert "start_date" in error.findtext("description")


# --- One request --------------------------------------------------------------------------


def test_one_request_by_public_id_in_json(client, resolved):
    response = client.get(f"/open311/v2/requests/{resolved.public_id}.json")

    assert response.status_code == 200
    [row] = _json(response)
    assert set(row) == REQUEST_FIELDS
    assert row["service_request_id"] == str(resolved.public_id)
    assert row["status"] == "closed"


def test_one_request_by_public_id_in_xml(client, routed):
    response = client.get(f"/open311/v2/requests/{routed.public_id}.xml")

    assert response.status_code == 200
    root = _xml(response)
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert [child.tag for child in request] == list(open311.open311_request(routed))
    assert request.findtext("service_request_id") == str(routed.public_id)
    assert request.findtext("status") == "open"
    assert request.findtext("agency_responsible") == "鹿城区委网信办"
    assert request.find("lat").text is None
    assert request.find("long").text is None


@pytest.mark.parametrize("missing", [str(uuid.uuid4()), "not-a-uuid"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_id_is_a_404_in_the_spec_error_shape(client, routed, missing, fmt):
    response = client.get(f"/open311/v2/requests/{missing}.{fmt}")

    assert response.status_code == 404
    if fmt == "json":
        [error] = _json(response)
        assert error["code"] == 404
        assert error["description"]
    else:
        root = _xml(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"


# --- Requests: XML ------------------------------------------------------------------------


def test_requests_xml_is_well_formed_with_a_request_element_per_report(client, routed, resolved):
    root = _xml(client.get("/open311/v2/requests.xml"))

    assert root.tag == "service_requests"
    assert [element.tag for element in root] == ["request", "request"]
    for request in root:
        assert {child.tag for child in request} == REQUEST_FIELDS
    statuses = {
        request.findtext("service_request_id"): request.findtext("status") for request in root
    }
    assert statuses == {str(routed.public_id): "open", str(resolved.public_id): "closed"}


def test_control_characters_in_feedback_do_not_break_the_xml(client, resolved):
    Report.objects.filter(pk=resolved.pk).update(public_feedback="已删除\x0b\x01。")

    root = _xml(client.get(f"/open311/v2/requests/{resolved.public_id}.xml"))

    assert root.findtext("request/status_notes") == "已反馈：已删除。"


# --- HTTP ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/services.json",
        "/open311/v2/services.xml",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
    ],
)
def test_answers_are_public_and_cacheable_for_a_minute(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get_is_allowed(method):
    # Enforced CSRF checks, as in production: the refusal must still be a 405.
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)("/open311/v2/requests.json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    [error] = _json(response)
    assert error["code"] == 405


def test_listing_takes_one_query_for_one_report_or_ten(
    client,
    submit,
    district_rules,
    office_admin,
    lucheng_handler,
    django_assert_max_num_queries,
):
    submit()
    with django_assert_max_num_queries(1) as one:
        assert len(_json(client.get("/open311/v2/requests.json"))) == 1

    # Closed and merged reports too: their outcome comes from the same query.
    primary = submit()
    services.report_resolve(report_id=primary.pk, actor=lucheng_handler, feedback="已处理。")
    for _ in range(3):
        merged = submit()
        services.report_merge(
            report_id=merged.pk, actor=office_admin, primary_code=primary.tracking_code
        )
    for _ in range(5):
        submit(route=False)
    with django_assert_max_num_queries(1) as ten:
        assert len(_json(client.get("/open311/v2/requests.json"))) == 10

    assert len(one.captured_queries) == len(ten.captured_queries)


def test_one_request_takes_one_query(client, resolved, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client.get(f"/open311/v2/requests/{resolved.public_id}.json").status_code == 200
