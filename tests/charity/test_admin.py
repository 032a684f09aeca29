"""Charity reviewers work in admin, and every action goes through the audited services."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from charity import services
from charity.models import Correction, Disclosure, Organisation, Project
from tests.charity import makers
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _action(client, url: str, action: str, *objects, **extra):
    return client.post(
        url,
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0, **extra},
    )


def _actions() -> list[str]:
    return list(AuditEvent.objects.filter(app="charity").values_list("action", flat=True))


def test_reviewer_verifies_an_application_with_the_action(client, charity_reviewer):
    applied = makers.organisation(status="applied")
    client.force_login(charity_reviewer)
    response = _action(client, "/admin/charity/organisation/", "verify", applied)
    assert response.status_code == 302
    applied.refresh_from_db()
    assert (applied.status, applied.verified_by) == ("verified", charity_reviewer)
    assert _actions() == ["charity.organisation_verified"]


def test_rejecting_asks_for_a_reason_first(client, charity_reviewer):
    applied = makers.organisation(status="applied")
    client.force_login(charity_reviewer)
    url = "/admin/charity/organisation/"
    assert _action(client, url, "reject", applied).status_code == 200  # the reason page
    refused = _action(client, url, "reject", applied, apply="1", reason=" ")
    assert refused.status_code == 400
    assert Organisation.objects.get().status == "applied"
    done = _action(client, url, "reject", applied, apply="1", reason="登记证书已注销。")
    assert done.status_code == 302
    applied.refresh_from_db()
    assert (applied.status, applied.status_reason) == ("rejected", "登记证书已注销。")


def _project_post(org, **changes) -> dict:
    today = timezone.localdate()
    return {
        "organisation": org.pk,
        "partner": "",
        "title": "社区助浴",
        "summary": "为失能老人上门助浴。",
        "body": "",
        "district": "330302",
        "cause": "elderly",
        "beneficiaries": "鹿城区 80 名失能老人",
        "starts_on": (today + timedelta(days=20)).isoformat(),
        "ends_on": (today + timedelta(days=80)).isoformat(),
        "is_public_fundraising": "on",
        "filing_number": "F-2026-009",
        "filed_on": (today - timedelta(days=1)).isoformat(),
        "donation_platform": "腾讯公益",
        "surplus_rule": "return",
        "surplus_fund": "",
        "target_yuan": "12345.67",
        "disclosures-TOTAL_FORMS": "0",
        "disclosures-INITIAL_FORMS": "0",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        **changes,
    }


def test_reviewer_adds_a_draft_project_in_yuan_stored_in_fen(client, charity_reviewer):
    org = makers.organisation(signed=makers.pact())
    client.force_login(charity_reviewer)
    response = client.post("/admin/charity/project/add/", _project_post(org))
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get()
    assert (project.status, project.target_fen) == ("draft", 1_234_567)
    assert _actions() == ["charity.project_created"]


def test_an_overdue_organisation_cannot_open_a_project_in_admin_and_the_form_says_why(
    client, charity_reviewer
):
    org = makers.organisation(signed=makers.pact())
    today = timezone.localdate()
    makers.project(
        org,
        status="completed",
        title="台风救灾",
        starts_on=today - timedelta(days=300),
        ends_on=today - timedelta(days=120),
    )
    client.force_login(charity_reviewer)
    response = client.post("/admin/charity/project/add/", _project_post(org))
    assert response.status_code == 200
    assert "项目“台风救灾”的结项信息公开应在" in response.content.decode()
    assert Project.objects.count() == 1


def test_submit_and_approve_actions_publish_only_what_passes_the_gates(client, charity_reviewer):
    pact = makers.pact()
    good = makers.project(makers.organisation(1, signed=pact), status="draft")
    unfiled = makers.project(makers.organisation(2, signed=pact), status="draft", filing_number="")
    client.force_login(charity_reviewer)
    _action(client, "/admin/charity/project/", "submit", good, unfiled)
    response = _action(client, "/admin/charity/project/", "approve", good, unfiled)
    good.refresh_from_db()
    unfiled.refresh_from_db()
    assert (good.status, unfiled.status) == ("fundraising", "in_review")
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any("募捐方案备案编号" in m for m in shown)


def test_editing_a_published_project_needs_a_note_and_leaves_a_correction(client, charity_reviewer):
    org = makers.organisation()
    project = makers.project(org, status="fundraising")
    client.force_login(charity_reviewer)
    url = f"/admin/charity/project/{project.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "title": "山区留守老人助餐（更正）",
            "is_public_fundraising": "on",
            "disclosures-TOTAL_FORMS": "0",
            "disclosures-INITIAL_FORMS": "0",
            "corrections-TOTAL_FORMS": "0",
            "corrections-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if v is not None}
    data.pop("cover_upload", None)
    refused = client.post(url, {**data, "correction_note": ""})
    assert refused.status_code == 200
    assert "更正说明" in refused.content.decode()
    assert not Correction.objects.exists()
    done = client.post(url, {**data, "correction_note": "名称笔误。"})
    assert done.status_code == 302, done.content.decode()[:3000]
    correction = Correction.objects.get()
    assert (correction.old_value, correction.new_value) == (
        "山区留守老人助餐",
        "山区留守老人助餐（更正）",
    )
    assert "charity.project_corrected" in _actions()


def test_reviewer_publishes_a_disclosure_with_its_document(client, charity_reviewer):
    org = makers.organisation()
    project = makers.project(org, status="fundraising")
    client.force_login(charity_reviewer)
    fields = {
        "organisation": org.pk,
        "project": project.pk,
        "kind": "periodic",
        "year": "",
        "title": "第一季度执行情况",
        "summary": "已送餐 90 天。",
        "document_date": timezone.localdate().isoformat(),
    }
    bad = client.post("/admin/charity/disclosure/add/", {**fields, "upload": _bad()})
    assert bad.status_code == 200
    assert "只接受 PDF" in bad.content.decode()
    assert not Disclosure.objects.exists()
    good = client.post("/admin/charity/disclosure/add/", {**fields, "upload": makers.pdf()})
    assert good.status_code == 302
    assert Disclosure.objects.get().document_type == "application/pdf"
    assert _actions() == ["charity.disclosure_published"]


def _bad() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.pdf", b"not a document")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/charity/organisation/",
        "/admin/charity/project/",
        "/admin/charity/disclosure/",
        "/admin/charity/pactversion/",
        "/admin/charity/pactsignature/",
        "/admin/charity/correction/",
        "/admin/charity/project/add/",
        "/admin/charity/disclosure/add/",
    ],
)
def test_every_charity_admin_page_opens_for_the_reviewer(client, charity_reviewer, path):
    pact = makers.pact()
    org = makers.organisation(signed=pact)
    makers.project(org, status="fundraising")
    client.force_login(charity_reviewer)
    assert client.get(path).status_code == 200
    assert client.get(f"/admin/charity/organisation/{org.pk}/change/").status_code == 200


def test_every_record_opens_for_the_reviewer_and_the_auditor(client, charity_reviewer, auditor):
    pact = makers.pact()
    org = makers.organisation(signed=pact)
    project = makers.project(org, status="fundraising")
    client.force_login(charity_reviewer)
    client.post(
        "/admin/charity/disclosure/add/",
        {
            "organisation": org.pk,
            "project": project.pk,
            "kind": "periodic",
            "title": "第一季度",
            "summary": "s",
            "document_date": timezone.localdate().isoformat(),
            "upload": makers.pdf(),
        },
    )
    services.project_correct(
        project_id=project.pk, changes={"title": "新名"}, note="笔误", actor=charity_reviewer
    )
    rows = {
        "organisation": org.pk,
        "project": project.pk,
        "disclosure": Disclosure.objects.get().pk,
        "pactversion": pact.pk,
        "pactsignature": org.pact_signatures.get().pk,
        "correction": Correction.objects.get().pk,
    }
    for person in (charity_reviewer, auditor):
        client.force_login(person)
        for model, pk in rows.items():
            response = client.get(f"/admin/charity/{model}/{pk}/change/")
            assert response.status_code == 200, (person.username, model)
