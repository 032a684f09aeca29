"""Hostile or careless input to the report desk is a clear 400 naming the field, never a 500.

PostgreSQL enforces every varchar limit and refuses dates its driver cannot read back;
SQLite accepts both silently, so these tests matter most on PostgreSQL.
"""

import json
from datetime import UTC, timedelta

import pytest
from django.core.cache import cache

from rumors.forms import ReportForm
from rumors.models import Report
from tests.rumors.test_citizen_pages import VALID

pytestmark = pytest.mark.django_db

# 64 + "@" + 189 = 254 characters, the longest address the column (and RFC 5321) holds.
LONGEST_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"
TOO_LONG_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".org"
LONGEST_URL = "https://example.org/" + "p" * 980
CONTACT = {"contact_consent": "true"}

# (field, longest accepted value, shortest refused value, extra fields the value needs)
LIMITS = [
    ("url", LONGEST_URL, LONGEST_URL + "p", {}),
    ("account", "账" * 200, "账" * 201, {}),
    ("place_description", "群" * 300, "群" * 301, {}),
    ("contact_email", LONGEST_EMAIL, TOO_LONG_EMAIL, CONTACT),
    ("contact_phone", "13812345678", "138123456789", CONTACT),
    ("content", "内" * 2000, "内" * 2001, {}),
]
LIMIT_IDS = [field for field, *_ in LIMITS]


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _api_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_the_longest_and_too_long_test_addresses_are_what_they_claim():
    assert len(LONGEST_EMAIL) == 254
    assert len(TOO_LONG_EMAIL) == 255
    assert len(LONGEST_URL) == 1000


@pytest.mark.parametrize(("field", "longest", "too_long", "extra"), LIMITS, ids=LIMIT_IDS)
def test_the_report_form_stores_each_field_at_its_column_limit(
    client, district_rules, field, longest, too_long, extra
):
    response = client.post("/reports/new/", {**VALID, **extra, field: longest})
    assert response.status_code == 302, response.context["form"].errors
    assert getattr(Report.objects.get(), field) == longest


@pytest.mark.parametrize(("field", "longest", "too_long", "extra"), LIMITS, ids=LIMIT_IDS)
def test_the_report_form_refuses_each_field_one_past_its_column_limit(
    client, field, longest, too_long, extra
):
    response = client.post("/reports/new/", {**VALID, **extra, field: too_long})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Report.objects.count() == 0


@pytest.mark.parametrize(("field", "longest", "too_long", "extra"), LIMITS, ids=LIMIT_IDS)
def test_the_api_stores_each_field_at_its_column_limit(
    client, district_rules, field, longest, too_long, extra
):
    response = client.post("/api/v1/reports/", {**VALID, **extra, field: longest})
    assert response.status_code == 201, response.content
    assert getattr(Report.objects.get(), field) == longest


@pytest.mark.parametrize(("field", "longest", "too_long", "extra"), LIMITS, ids=LIMIT_IDS)
def test_the_api_refuses_each_field_one_past_its_column_limit_naming_it(
    client, field, longest, too_long, extra
):
    response = client.post("/api/v1/reports/", {**VALID, **extra, field: too_long})
    assert response.status_code == 400
    assert field in _api_fields(response)
    assert Report.objects.count() == 0


def test_a_contact_email_over_254_characters_is_refused_by_the_form_in_chinese(client):
    response = client.post("/reports/new/", {**VALID, **CONTACT, "contact_email": TOO_LONG_EMAIL})
    assert response.status_code == 400
    [message] = response.context["form"].errors["contact_email"]
    assert "254" in message


def test_a_contact_email_over_254_characters_is_refused_by_the_api_in_english(client):
    client.cookies["django_language"] = "en"
    response = client.post(
        "/api/v1/reports/", {**VALID, **CONTACT, "contact_email": TOO_LONG_EMAIL}
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "contact_email"
    assert "254" in error["message"]


@pytest.mark.parametrize(
    "seen_at", ["0001-01-01", "0001-01-01 00:00", "1969-12-31 23:59", "9999-12-31 23:59"]
)
def test_the_report_form_refuses_a_seen_at_outside_the_sane_years(client, seen_at):
    response = client.post("/reports/new/", {**VALID, "seen_at": seen_at})
    assert response.status_code == 400
    assert "seen_at" in response.context["form"].errors
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "seen_at",
    [
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+08:00",
        "0001-01-01T00:00:00-08:00",
        "9999-12-31T23:59:59-08:00",
        "1969-12-31T23:59:59+08:00",
        "2025-01-01T00:00:00+99:00",
        "2025-02-30T00:00:00+08:00",
    ],
)
def test_the_api_refuses_a_seen_at_with_a_bad_offset_or_year_naming_the_field(client, seen_at):
    response = client.post("/api/v1/reports/", {**VALID, "seen_at": seen_at})
    assert response.status_code == 400
    assert _api_fields(response) == {"seen_at"}
    assert Report.objects.count() == 0


def test_the_api_still_reads_a_seen_at_with_an_offset(client, district_rules):
    response = client.post("/api/v1/reports/", {**VALID, "seen_at": "2025-05-01T10:30:00+08:00"})
    assert response.status_code == 201, response.content
    assert Report.objects.get().seen_at.isoformat() == "2025-05-01T02:30:00+00:00"


def test_the_api_takes_a_blank_seen_at_as_not_given(client, district_rules):
    response = client.post("/api/v1/reports/", {**VALID, "seen_at": ""})
    assert response.status_code == 201, response.content
    assert Report.objects.get().seen_at is None


@pytest.mark.parametrize("field", ["account", "place_description", "content", "contact_email"])
def test_a_nul_byte_in_a_report_field_is_refused_by_the_form(field):
    # Checked on the form itself: through the site, the input guard answers first.
    form = ReportForm(data={**VALID, **CONTACT, field: "带空字符\x00的内容文字"})
    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize("text", ["带空字符\x00的内容文字", "孤立代理\ud800的内容文字"])
def test_a_nul_or_lone_surrogate_in_json_is_refused_by_the_api(client, text):
    response = client.post(
        "/api/v1/reports/",
        json.dumps({**VALID, "account": text}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "account" in _api_fields(response)
    assert Report.objects.count() == 0


# --- Staff filters -------------------------------------------------------------------------

BAD_MOMENTS = [
    "2026-01-01T00:00:00+99:00",
    "2026-01-01T00:00:00+24:00",
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31",
    "2026-02-30T00:00:00Z",
    "yesterday",
    "2026-01-01T00:00:00\x00",
]


@pytest.mark.parametrize("name", ["created_after", "created_before"])
@pytest.mark.parametrize("moment", BAD_MOMENTS)
def test_a_staff_filter_with_a_bad_offset_or_year_is_a_400_naming_the_filter(
    client, office_admin, name, moment
):
    client.force_login(office_admin)
    response = client.get("/api/v1/reports/", {name: moment})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == name
    assert error["message"]


def test_a_staff_filter_out_of_range_says_which_years_are_allowed(client, office_admin):
    client.force_login(office_admin)
    response = client.get("/api/v1/reports/", {"created_after": "0001-01-01T00:00:00+08:00"})
    [error] = response.json()["errors"]
    assert "1970" in error["message"]
    assert "2100" in error["message"]


def test_staff_filters_keep_reading_offsets_z_and_plain_dates(
    client, submit, district_rules, office_admin
):
    report = submit()
    client.force_login(office_admin)
    created = report.created_at

    def codes(**query) -> list[str]:
        response = client.get("/api/v1/reports/", query)
        assert response.status_code == 200, response.content
        return [row["tracking_code"] for row in response.json()["results"]]

    before = (created - timedelta(minutes=1)).astimezone(UTC)
    assert codes(created_after=before.strftime("%Y-%m-%dT%H:%M:%SZ")) == [
        report.formatted_tracking_code
    ]
    assert codes(created_before=before.isoformat()) == []
    assert codes(created_after="2100-12-31T23:59:59+08:00") == []
    assert codes(created_after="1970-01-01") == [report.formatted_tracking_code]


# --- A limit derived from the link ---------------------------------------------------------


def test_a_link_within_its_limit_whose_normal_form_is_longer_is_still_accepted(
    client, district_rules
):
    link = "https://example.org/?q=" + "中" * 977
    assert len(link) == 1000
    response = client.post("/api/v1/reports/", {**VALID, "url": link})
    assert response.status_code == 201
