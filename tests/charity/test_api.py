"""The public charity API: read-only, the public rows only, filters, the shared error shape."""

from datetime import timedelta

import pytest
from django.utils import timezone

from charity import services
from charity.selectors import disclosure_punctuality_by_district
from tests.charity import makers

pytestmark = pytest.mark.django_db


def test_organisations_list_only_verified_and_suspended(client):
    pact = makers.pact()
    verified = makers.organisation(1, signed=pact)
    makers.organisation(2, status="suspended", status_changed_at=timezone.now())
    makers.organisation(3, status="applied")
    makers.organisation(4, status="rejected")
    body = client.get("/api/v1/charity/organisations/").json()
    assert body["count"] == 2
    detail = client.get(f"/api/v1/charity/organisations/{verified.credit_code}/").json()
    assert detail["pact_version_signed"] == 1
    assert detail["qualification"]["valid_today"] is True
    assert detail["new_projects_refused_because"] == []
    assert detail["disclosure_punctuality"]["due"] == 0


def test_projects_list_published_only_with_filters(client):
    org = makers.organisation()
    raising = makers.project(org, status="fundraising", district="330328")
    makers.project(org, status="closed", district="330329", cause="education")
    makers.project(org, status="draft")
    body = client.get("/api/v1/charity/projects/").json()
    assert body["count"] == 2
    filtered = client.get("/api/v1/charity/projects/", {"district": "330328"}).json()
    assert [row["id"] for row in filtered["results"]] == [raising.pk]
    by_org = client.get("/api/v1/charity/projects/", {"organisation": org.credit_code}).json()
    assert by_org["count"] == 2
    detail = client.get(f"/api/v1/charity/projects/{raising.pk}/").json()
    assert detail["filing_number"] == raising.filing_number
    assert detail["target_fen"] == 20_000_000
    assert detail["next_disclosure_due"]["kind"] == "final"


def test_bad_filters_and_unknown_rows_answer_in_the_shared_error_shape(client):
    bad = client.get("/api/v1/charity/projects/", {"district": "999999"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "district"
    draft = makers.project(makers.organisation(), status="draft")
    missing = client.get(f"/api/v1/charity/projects/{draft.pk}/")
    assert missing.status_code == 404
    assert "errors" in missing.json()
    assert client.get("/api/v1/charity/projects/abc/").status_code == 404
    assert client.get("/api/v1/charity/organisations/not-a-code/").status_code == 404


def test_the_api_is_read_only(client):
    assert client.post("/api/v1/charity/projects/", {}).status_code == 405


def test_on_time_disclosure_rate_per_district_for_the_index(charity_reviewer):
    today = timezone.localdate()
    wencheng = makers.organisation(1, district="330328")
    taishun = makers.organisation(2, district="330329")
    # Wencheng: a project that ended 100 days ago; its final disclosure was published on
    # time, its leftover property never (overdue).
    ended = makers.project(
        wencheng,
        status="completed",
        district="330328",
        starts_on=today - timedelta(days=200),
        ends_on=today - timedelta(days=100),
    )
    services.disclosure_publish(
        organisation_id=wencheng.pk,
        project_id=ended.pk,
        kind="final",
        title="结项报告",
        summary="s",
        document_date=today - timedelta(days=60),
        upload=makers.pdf(),
        actor=charity_reviewer,
        published_at=timezone.now() - timedelta(days=60),
    )
    # Taishun: a project still running owes nothing yet.
    makers.project(taishun, status="fundraising", district="330329")
    start = timezone.now() - timedelta(days=365)
    end = timezone.now() + timedelta(days=1)
    figures = disclosure_punctuality_by_district(start=start, end=end)
    assert set(figures) == {"330328"}
    row = figures["330328"]
    assert (row["due"], row["on_time"], row["rate"]) == (2, 1, 50.0)
    assert row["last_updated"] is not None
    # A window before anything fell due counts nothing.
    early = disclosure_punctuality_by_district(
        start=timezone.now() - timedelta(days=400), end=timezone.now() - timedelta(days=300)
    )
    assert early == {}
