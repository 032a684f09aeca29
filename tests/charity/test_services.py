"""The rules of 乐善365: applications, the pact gate, the qualification and filing gates,
overdue organisations, disclosures and visible corrections."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from charity import services
from charity.models import (
    Correction,
    Disclosure,
    Organisation,
    OrganisationStatus,
    PactSignature,
    Project,
    ProjectStatus,
)
from tests.charity import makers
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _application(**changes) -> services.OrganisationApplication:
    fields = {
        "name": "温州市鹿城区 阳光 助老服务中心",
        "credit_code": makers.code_for(7),
        "registering_authority": "鹿城区民政局",
        "district": "330302",
        "contact_name": "李红",
        "contact_phone": "13812345678",
        "signer_name": "李红",
        "signer_title": "理事长",
    }
    return services.OrganisationApplication(**{**fields, **changes})


# --- Applications and review ---------------------------------------------------------


def test_an_application_is_stored_applied_and_signs_the_current_pact():
    pact = makers.pact()
    code = makers.code_for(7)
    spaced = " ".join([code[:6], code[6:12], code[12:].lower()])
    org = services.organisation_apply(application=_application(credit_code=spaced))
    assert org.status == OrganisationStatus.APPLIED
    assert org.credit_code == code
    assert org.name == "温州市鹿城区 阳光 助老服务中心"
    signature = PactSignature.objects.get(organisation=org)
    assert (signature.version, signature.signer_title) == (pact, "理事长")


def test_a_code_with_a_wrong_check_character_is_refused_naming_the_problem():
    code = makers.code_for(7)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValidationError) as refused:
        services.organisation_apply(application=_application(credit_code=wrong))
    assert "校验码" in refused.value.message_dict["credit_code"][0]
    assert not Organisation.objects.exists()


def test_the_same_code_cannot_apply_twice():
    services.organisation_apply(application=_application())
    with pytest.raises(ValidationError) as refused:
        services.organisation_apply(application=_application(name="另一个名字"))
    assert "已经提交过申请" in refused.value.message_dict["credit_code"][0]


def test_a_stated_qualification_needs_its_number_and_both_dates_in_order():
    with pytest.raises(ValidationError) as refused:
        services.organisation_apply(
            application=_application(
                fundraising_valid_from=date(2026, 1, 1), fundraising_valid_until=date(2025, 1, 1)
            )
        )
    assert set(refused.value.message_dict) == {"fundraising_certificate", "fundraising_valid_until"}


def test_with_a_pact_published_the_signer_must_be_named():
    makers.pact()
    with pytest.raises(ValidationError) as refused:
        services.organisation_apply(application=_application(signer_name=" ", signer_title=""))
    assert set(refused.value.message_dict) == {"signer_name", "signer_title"}


def test_reviewer_verifies_rejects_and_suspends_with_reasons_and_audit(charity_reviewer):
    first = services.organisation_apply(application=_application())
    second = services.organisation_apply(application=_application(credit_code=makers.code_for(8)))
    services.organisation_verify(organisation_id=first.pk, actor=charity_reviewer)
    first.refresh_from_db()
    assert (first.status, first.verified_by) == ("verified", charity_reviewer)
    with pytest.raises(ValidationError):
        services.organisation_reject(organisation_id=second.pk, reason=" ", actor=charity_reviewer)
    services.organisation_reject(
        organisation_id=second.pk, reason="登记证书已注销。", actor=charity_reviewer
    )
    with pytest.raises(services.CharityRefused):
        services.organisation_verify(organisation_id=second.pk, actor=charity_reviewer)
    services.organisation_suspend(
        organisation_id=first.pk, reason="年度报告逾期。", actor=charity_reviewer
    )
    first.refresh_from_db()
    assert (first.status, first.status_reason) == ("suspended", "年度报告逾期。")
    assert list(
        AuditEvent.objects.filter(app="charity").order_by("pk").values_list("action", flat=True)
    ) == [
        "charity.organisation_verified",
        "charity.organisation_rejected",
        "charity.organisation_suspended",
    ]


# --- The gates for new projects ------------------------------------------------------


def test_an_unverified_or_suspended_organisation_cannot_open_a_project(charity_reviewer):
    pact = makers.pact()
    applied = makers.organisation(1, status="applied", signed=pact)
    suspended = makers.organisation(2, status="suspended", signed=pact)
    for org in (applied, suspended):
        with pytest.raises(services.CharityRefused) as refused:
            services.project_save_draft(
                project=Project(organisation=org, **_project_fields()), actor=charity_reviewer
            )
        assert "只有已核验的组织可以开设新项目" in refused.value.messages[0]


def _project_fields(**changes) -> dict:
    today = timezone.localdate()
    return {
        "title": "助学",
        "summary": "山区助学",
        "district": "330329",
        "cause": "education",
        "beneficiaries": "泰顺县 50 名学生",
        "target_fen": 5_000_000,
        "starts_on": today,
        "ends_on": today + timedelta(days=60),
        "filing_number": "F-2026-001",
        "filed_on": today - timedelta(days=12),
        "donation_url": "https://gongyi.example.org/projects/1",
        "surplus_rule": "return",
        **changes,
    }


def test_a_new_pact_version_asks_for_signing_again_before_new_projects(charity_reviewer):
    first = makers.pact(1)
    org = makers.organisation(signed=first)
    running = makers.project(org, status="fundraising")
    second = makers.pact(2, published=False)
    services.pact_publish(version_id=second.pk, actor=charity_reviewer)
    reasons = services.project_open_refusals(org)
    assert reasons == [
        "该组织尚未签署最新的《温州市网络公益组织自律公约》（第 2 版），签署后才能开设新项目。"
    ]
    with pytest.raises(services.CharityRefused):
        services.project_save_draft(
            project=Project(organisation=org, **_project_fields()), actor=charity_reviewer
        )
    # The running project stays public.
    assert running in Project.objects.filter(status="fundraising")
    services.pact_sign(
        organisation_id=org.pk, version_id=second.pk, signer_name="陈明", signer_title="理事长"
    )
    assert services.project_open_refusals(org) == []
    created = services.project_save_draft(
        project=Project(organisation=org, **_project_fields()), actor=charity_reviewer
    )
    assert created.status == ProjectStatus.DRAFT


def test_an_unpublished_pact_cannot_be_signed():
    draft = makers.pact(1, published=False)
    org = makers.organisation()
    with pytest.raises(services.CharityRefused):
        services.pact_sign(
            organisation_id=org.pk, version_id=draft.pk, signer_name="陈明", signer_title="理事长"
        )


def test_an_overdue_organisation_cannot_open_a_project_and_is_told_why(charity_reviewer):
    pact = makers.pact()
    org = makers.organisation(signed=pact)
    today = timezone.localdate()
    ended = makers.project(
        org,
        status="completed",
        title="台风救灾",
        starts_on=today - timedelta(days=200),
        ends_on=today - timedelta(days=100),
    )
    reasons = services.project_open_refusals(org)
    assert len(reasons) == 2  # the final disclosure and the leftover property
    assert "项目“台风救灾”的结项信息公开应在" in reasons[0]
    with pytest.raises(services.CharityRefused) as refused:
        services.project_save_draft(
            project=Project(organisation=org, **_project_fields()), actor=charity_reviewer
        )
    assert refused.value.messages == reasons
    for kind in ("final", "leftover"):
        services.disclosure_publish(
            organisation_id=org.pk,
            project_id=ended.pk,
            kind=kind,
            title="结项报告",
            summary="共募得善款 12 万元，全部用于救灾物资。",
            document_date=today,
            upload=makers.pdf(),
            actor=charity_reviewer,
        )
    assert services.project_open_refusals(org) == []


def test_an_overdue_annual_report_blocks_new_projects():
    pact = makers.pact()
    two_years_ago = timezone.now() - timedelta(days=800)
    org = makers.organisation(signed=pact, verified_at=two_years_ago)
    reasons = services.project_open_refusals(org)
    assert reasons
    assert all("年度报告应在" in reason for reason in reasons)


# --- Publishing a project --------------------------------------------------------------


@pytest.fixture
def in_review(charity_reviewer):
    def make(org, **changes):
        project = services.project_save_draft(
            project=Project(organisation=org, **_project_fields(**changes)),
            actor=charity_reviewer,
        )
        return services.project_submit(project_id=project.pk, actor=charity_reviewer)

    return make


def test_a_public_project_needs_its_filing_number(charity_reviewer, in_review):
    pact = makers.pact()
    project = in_review(makers.organisation(signed=pact), filing_number="")
    with pytest.raises(services.CharityRefused) as refused:
        services.project_approve(project_id=project.pk, actor=charity_reviewer)
    assert "募捐方案备案编号" in refused.value.messages[0]
    project.refresh_from_db()
    assert project.status == ProjectStatus.IN_REVIEW


def test_the_plan_is_filed_at_least_ten_days_before_fundraising_starts(charity_reviewer, in_review):
    pact = makers.pact()
    today = timezone.localdate()
    project = in_review(makers.organisation(signed=pact), filed_on=today - timedelta(days=9))
    with pytest.raises(services.CharityRefused) as refused:
        services.project_approve(project_id=project.pk, actor=charity_reviewer)
    assert "募捐方案须在开始募捐 10 日前备案" in refused.value.messages[0]
    Project.objects.filter(pk=project.pk).update(filed_on=today - timedelta(days=10))
    approved = services.project_approve(project_id=project.pk, actor=charity_reviewer)
    assert approved.status == ProjectStatus.FUNDRAISING


def test_a_non_public_project_needs_no_filing_number(charity_reviewer, in_review):
    pact = makers.pact()
    project = in_review(
        makers.organisation(signed=pact, qualified=False),
        filing_number="",
        is_public_fundraising=False,
    )
    approved = services.project_approve(project_id=project.pk, actor=charity_reviewer)
    assert approved.status == ProjectStatus.FUNDRAISING
    assert approved.published_at is not None


def test_an_unqualified_organisation_needs_a_qualified_partner(charity_reviewer, in_review):
    pact = makers.pact()
    small = makers.organisation(1, signed=pact, qualified=False)
    project = in_review(small)
    with pytest.raises(services.CharityRefused) as refused:
        services.project_approve(project_id=project.pk, actor=charity_reviewer)
    assert "须填写一家具有资格的合作组织" in refused.value.messages[0]

    unqualified_partner = makers.organisation(2, signed=pact, qualified=False)
    Project.objects.filter(pk=project.pk).update(partner=unqualified_partner)
    with pytest.raises(services.CharityRefused) as refused:
        services.project_approve(project_id=project.pk, actor=charity_reviewer)
    assert "不是已核验且具有公开募捐资格的组织" in refused.value.messages[0]

    partner = makers.organisation(3, signed=pact)
    Project.objects.filter(pk=project.pk).update(partner=partner)
    approved = services.project_approve(project_id=project.pk, actor=charity_reviewer)
    assert approved.status == ProjectStatus.FUNDRAISING


def test_an_expired_qualification_is_no_qualification(charity_reviewer, in_review):
    pact = makers.pact()
    org = makers.organisation(signed=pact)
    project = in_review(org)
    yesterday = timezone.localdate() - timedelta(days=1)
    Organisation.objects.filter(pk=org.pk).update(
        fundraising_valid_from=yesterday - timedelta(days=700), fundraising_valid_until=yesterday
    )
    with pytest.raises(services.CharityRefused):
        services.project_approve(project_id=project.pk, actor=charity_reviewer)


def test_reviewer_rejects_with_a_reason_back_to_draft(charity_reviewer, in_review):
    pact = makers.pact()
    project = in_review(makers.organisation(signed=pact))
    with pytest.raises(ValidationError):
        services.project_reject(project_id=project.pk, reason="", actor=charity_reviewer)
    rejected = services.project_reject(
        project_id=project.pk, reason="受益对象不明确。", actor=charity_reviewer
    )
    assert (rejected.status, rejected.review_reason) == ("draft", "受益对象不明确。")


def test_the_surplus_rule_is_declared_and_fixed_after_the_draft(charity_reviewer, in_review):
    pact = makers.pact()
    org = makers.organisation(signed=pact)
    with pytest.raises(ValidationError) as refused:
        services.project_save_draft(
            project=Project(organisation=org, **_project_fields(surplus_rule="fund")),
            actor=charity_reviewer,
        )
    assert "surplus_fund" in refused.value.message_dict
    project = in_review(org)
    project.surplus_rule = "fund"
    project.surplus_fund = "温州慈善总会助学基金"
    with pytest.raises(services.CharityRefused):
        services.project_save_draft(
            project=project, actor=charity_reviewer, changed=["surplus_rule", "surplus_fund"]
        )


def test_closing_needs_the_final_and_leftover_disclosures(charity_reviewer):
    org = makers.organisation()
    project = makers.project(org, status="completed")
    with pytest.raises(services.CharityRefused) as refused:
        services.project_close(project_id=project.pk, actor=charity_reviewer)
    assert "结项前须先公开" in refused.value.messages[0]


# --- Published projects change only by visible corrections ------------------------------


def test_a_published_project_is_corrected_with_a_public_record(charity_reviewer):
    org = makers.organisation()
    project = makers.project(org, status="fundraising")
    project.title = "悄悄改名"
    with pytest.raises(services.CharityRefused):
        services.project_save_draft(project=project, actor=charity_reviewer, changed=["title"])
    with pytest.raises(ValidationError):
        services.project_correct(
            project_id=project.pk, changes={"title": "新名"}, note=" ", actor=charity_reviewer
        )
    records = services.project_correct(
        project_id=project.pk,
        changes={"target_fen": 30_000_000, "beneficiaries": "文成县 300 名留守老人"},
        note="受益人数经民政部门复核后增加。",
        actor=charity_reviewer,
    )
    assert [(r.field, r.old_value, r.new_value, r.kind) for r in records] == [
        ("筹款目标（分）", "200,000.00", "300,000.00", "correction"),
        ("受益对象", "文成县 200 名留守老人", "文成县 300 名留守老人", "purpose_change"),
    ]
    assert Correction.objects.filter(project=project).count() == 2
    project.refresh_from_db()
    assert project.target_fen == 30_000_000


def test_the_surplus_rule_cannot_be_corrected_after_publication(charity_reviewer):
    project = makers.project(makers.organisation(), status="fundraising")
    with pytest.raises(services.CharityRefused):
        services.project_correct(
            project_id=project.pk,
            changes={"surplus_rule": "fund"},
            note="改为转入基金",
            actor=charity_reviewer,
        )


# --- Disclosures -----------------------------------------------------------------------


def test_a_disclosure_is_published_as_a_stored_dated_document(charity_reviewer):
    org = makers.organisation()
    project = makers.project(org, status="fundraising")
    disclosure = services.disclosure_publish(
        organisation_id=org.pk,
        project_id=project.pk,
        kind="periodic",
        title="第一季度执行情况",
        summary="已为 180 名老人送餐 90 天。",
        document_date=timezone.localdate(),
        upload=makers.pdf("季度报告 张三.pdf"),
        actor=charity_reviewer,
    )
    assert disclosure.document_type == "application/pdf"
    assert "张三" not in disclosure.document.name
    assert disclosure.document.name.startswith("charity/disclosures/")
    with default_storage.open(disclosure.document.name) as stored:
        assert stored.read() == makers.PDF
    assert AuditEvent.objects.filter(action="charity.disclosure_published").count() == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"MZ\x90\x00 not a pdf at all", "只接受 PDF"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "不完整"),
    ],
)
def test_a_document_that_is_not_a_pdf_or_image_is_refused(charity_reviewer, content, words):
    org = makers.organisation()
    project = makers.project(org, status="fundraising")
    with pytest.raises(ValidationError) as refused:
        services.disclosure_publish(
            organisation_id=org.pk,
            project_id=project.pk,
            kind="periodic",
            title="t",
            summary="s",
            document_date=timezone.localdate(),
            upload=SimpleUploadedFile("x.pdf", content),
            actor=charity_reviewer,
        )
    assert words in refused.value.messages[0]
    assert not Disclosure.objects.exists()


def test_an_annual_report_belongs_to_the_organisation_and_names_its_year(charity_reviewer):
    org = makers.organisation()
    with pytest.raises(ValidationError) as refused:
        services.disclosure_publish(
            organisation_id=org.pk,
            project_id=None,
            kind="annual_report",
            title="2025 年度报告",
            summary="s",
            document_date=timezone.localdate(),
            upload=makers.pdf(),
            actor=charity_reviewer,
        )
    assert "year" in refused.value.message_dict


def test_a_draft_project_has_nothing_to_disclose_yet(charity_reviewer):
    org = makers.organisation()
    project = makers.project(org)
    with pytest.raises(ValidationError) as refused:
        services.disclosure_publish(
            organisation_id=org.pk,
            project_id=project.pk,
            kind="periodic",
            title="t",
            summary="s",
            document_date=timezone.localdate(),
            upload=makers.pdf(),
            actor=charity_reviewer,
        )
    assert "project" in refused.value.message_dict
