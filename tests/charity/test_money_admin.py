"""Charity reviewers handle the money in admin, and every step goes through the services.

张伟 records a disbursement; 李娜, a second reviewer, decides it. Imports of a platform's
donation list are reconciled and never counted twice. The ledger is read, never edited.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charity import services
from charity.models import (
    Allocation,
    Disbursement,
    Donation,
    EntryKind,
    LedgerEntry,
    LedgerProof,
    MessageStatus,
    PaymentNotice,
    PlatformImport,
    Project,
    ProjectStatus,
)
from charity.payments.simulated import SimulatedGateway
from wenzhou_portal import images
from wenzhou_portal.models import AuditEvent
from wenzhou_portal.roles import Role

from . import makers

pytestmark = pytest.mark.django_db

PLATFORM_URL = "https://gongyi.example.com/projects/meals"


@pytest.fixture
def second_reviewer(make_staff):
    """李娜 reviews charity too: she decides what 张伟 records."""
    return make_staff("li_na_reviewer", Role.CHARITY_REVIEWER, first_name="李娜")


@pytest.fixture
def project():
    return makers.project(
        makers.organisation(), status=ProjectStatus.FUNDRAISING, donation_url=PLATFORM_URL
    )


def _csv(*rows: str, header: str = "流水号,捐赠时间,金额（元）,捐赠人,捐赠人编号,留言") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _upload(data: bytes, name: str = "donations.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _yesterday() -> str:
    return (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def settled(project, charity_reviewer):
    """1,000 yuan of platform gifts, paid yesterday: past any cancel window."""
    services.platform_import(
        project_id=project.pk,
        upload=_upload(_csv(f"P-1,{_yesterday()},600,王阿姨,,", f"P-2,{_yesterday()},400,,,")),
        source=PlatformImport.Source.ORGANISATION_EXPORT,
        stated_total_fen=100_000,
        actor=charity_reviewer,
    )
    return project


def _pdf(tag: str) -> SimpleUploadedFile:
    body = makers.PDF.replace(b"%%EOF", f"% {tag}\n%%EOF".encode())
    return SimpleUploadedFile(f"{tag}.pdf", body, content_type="application/pdf")


def _disbursement_post(project, amount: str = "300.50", tag: str = "invoice-1", **changes) -> dict:
    return {
        "project": project.pk,
        "amount_yuan": amount,
        "paid_on": timezone.localdate().isoformat(),
        "purpose": "助餐食材采购",
        "payee": "文成县放心粮油店",
        "evidence": _pdf(tag),
        "public_copy": _pdf(tag + "-redacted"),
        **changes,
    }


def _record(client, reviewer, project, **changes):
    client.force_login(reviewer)
    return client.post("/admin/charity/disbursement/add/", _disbursement_post(project, **changes))


def _action(client, model: str, action: str, *objects, **extra):
    return client.post(
        f"/admin/charity/{model}/",
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0, **extra},
    )


def _shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _audited(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- Disbursements -----------------------------------------------------------------------------


def test_reviewer_records_a_disbursement_with_its_evidence_and_it_waits_for_a_second(
    client, charity_reviewer, settled
):
    response = _record(client, charity_reviewer, settled)

    assert response.status_code == 302, response.content.decode()[:3000]
    recorded = Disbursement.objects.get()
    assert (recorded.status, recorded.amount_fen, recorded.recorded_by) == (
        "pending",
        30_050,
        charity_reviewer,
    )
    # The original is kept byte for byte, in private media (never the public storage).
    with images.open_private(recorded.evidence.name) as original:
        assert original.read() == _pdf("invoice-1").read()
    assert len(recorded.evidence_sha256) == 64
    assert recorded.public_copy.name != recorded.evidence.name
    assert any("须由另一位审核员批准" in text for text in _shown(response))
    assert _audited("charity.disbursement_recorded") == 1
    assert not LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).exists()


def test_the_recorder_cannot_approve_their_own_and_another_reviewer_can(
    client, charity_reviewer, second_reviewer, settled
):
    _record(client, charity_reviewer, settled)
    recorded = Disbursement.objects.get()

    own = _action(client, "disbursement", "approve", recorded)
    assert any("登记这笔支出的人不能审批它" in text for text in _shown(own))
    recorded.refresh_from_db()
    assert recorded.status == "pending"

    client.force_login(second_reviewer)
    approved = _action(client, "disbursement", "approve", recorded)
    assert any("已批准 1 笔支出" in text for text in _shown(approved))
    recorded.refresh_from_db()
    assert (recorded.status, recorded.decided_by) == ("approved", second_reviewer)
    entry = LedgerEntry.objects.get(kind=EntryKind.DISBURSEMENT)
    assert (entry.disbursement, entry.amount_fen, entry.balance_after_fen) == (
        recorded,
        30_050,
        69_950,
    )
    # First in, first out: the older gift of 600 yuan pays for all of it.
    assert list(Allocation.objects.values_list("donation__platform_row_id", "amount_fen")) == [
        ("P-1", 30_050)
    ]
    settled.refresh_from_db()
    assert settled.spent_fen == 30_050
    assert services.ledger_problems() == []


def test_refusing_asks_for_a_reason_and_the_recorder_cannot_refuse_either(
    client, charity_reviewer, second_reviewer, settled
):
    _record(client, charity_reviewer, settled)
    recorded = Disbursement.objects.get()

    own = _action(client, "disbursement", "refuse", recorded, apply="1", reason="重复登记")
    assert own.status_code == 400
    assert "登记这笔支出的人不能审批它" in own.content.decode()

    client.force_login(second_reviewer)
    assert _action(client, "disbursement", "refuse", recorded).status_code == 200  # reason page
    blank = _action(client, "disbursement", "refuse", recorded, apply="1", reason="  ")
    assert blank.status_code == 400
    assert "请写明不批准的理由" in blank.content.decode()
    recorded.refresh_from_db()
    assert recorded.status == "pending"

    done = _action(
        client, "disbursement", "refuse", recorded, apply="1", reason="发票抬头不是本组织。"
    )
    assert done.status_code == 302
    recorded.refresh_from_db()
    assert (recorded.status, recorded.decision_note, recorded.decided_by) == (
        "refused",
        "发票抬头不是本组织。",
        second_reviewer,
    )
    assert not LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).exists()


def test_a_disbursement_above_the_balance_is_refused_on_the_form(client, charity_reviewer, settled):
    response = _record(client, charity_reviewer, settled, amount="1000.01")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "超过项目可用余额 1,000.00 元" in " ".join(errors["amount_yuan"])
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "必须大于 0"), ("-5", "必须大于 0"), ("12.345", "小数点后最多两位"), ("abc", "数字")],
)
def test_bad_amounts_are_refused_beside_the_field(
    client, charity_reviewer, settled, amount, message
):
    response = _record(client, charity_reviewer, settled, amount=amount)

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["amount_yuan"])
    assert not Disbursement.objects.exists()


def test_a_reused_evidence_file_is_flagged_for_the_approver(client, charity_reviewer, settled):
    _record(client, charity_reviewer, settled, amount="100")
    again = _record(client, charity_reviewer, settled, amount="120")

    assert any("凭证原件与另一笔支出的凭证完全相同" in text for text in _shown(again))
    reused = Disbursement.objects.get(amount_fen=12_000)
    assert reused.evidence_reused
    page = client.get(f"/admin/charity/disbursement/{reused.pk}/change/").content.decode()
    assert "凭证与其他支出重复" in page


def test_the_evidence_original_is_streamed_to_permitted_staff_only_and_audited(
    client, charity_reviewer, auditor, make_staff, citizen, settled
):
    _record(client, charity_reviewer, settled)
    recorded = Disbursement.objects.get()
    url = f"/admin/charity/disbursement/{recorded.pk}/evidence/original/"

    for person in (charity_reviewer, auditor):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == _pdf("invoice-1").read()
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]
    events = AuditEvent.objects.filter(action="charity.disbursement_evidence_downloaded")
    assert sorted(events.values_list("actor__username", flat=True)) == sorted(
        [charity_reviewer.username, auditor.username]
    )

    client.force_login(make_staff("lin_jing_editor", Role.CAMPAIGN_EDITOR))
    assert client.get(url).status_code == 403
    client.force_login(citizen)
    assert "/login/" in client.get(url)["Location"]
    client.logout()
    assert "/login/" in client.get(url)["Location"]
    assert events.count() == 2


# --- Platform imports ----------------------------------------------------------------------


def _import_post(project, data: bytes, stated: str) -> dict:
    return {
        "project": project.pk,
        "source": PlatformImport.Source.PLATFORM_DISCLOSURE,
        "stated_total_yuan": stated,
        "file": _upload(data),
    }


def _money_counts() -> tuple[int, int, int]:
    return Donation.objects.count(), LedgerEntry.objects.count(), PlatformImport.objects.count()


def test_an_import_through_admin_reconciles_and_the_same_file_twice_changes_nothing(
    client, charity_reviewer, project
):
    data = _csv(f"T-1,{_yesterday()},50,王阿姨,u1,加油", f'T-2,{_yesterday()},"1,000.50",,u2,')
    client.force_login(charity_reviewer)

    first = client.post(
        "/admin/charity/platformimport/add/", _import_post(project, data, "1050.50")
    )
    assert first.status_code == 302, first.content.decode()[:3000]
    shown = _shown(first)
    assert any("新增 2 笔捐赠，0 笔此前已导入" in text for text in shown)
    assert any("已核对" in text for text in shown)
    assert _money_counts() == (2, 2, 1)
    project.refresh_from_db()
    assert project.raised_fen == 105_050

    second = client.post(
        "/admin/charity/platformimport/add/", _import_post(project, data, "1050.50")
    )
    assert second.status_code == 200
    assert "这份文件已" in " ".join(second.context["adminform"].form.errors["file"])
    assert _money_counts() == (2, 2, 1)
    assert services.ledger_problems() == []


def test_an_import_that_does_not_reconcile_says_by_how_much(client, charity_reviewer, project):
    client.force_login(charity_reviewer)
    data = _csv(f"T-1,{_yesterday()},50,,,")

    response = client.post("/admin/charity/platformimport/add/", _import_post(project, data, "80"))

    assert any("相差 30.00 元" in text for text in _shown(response))
    listed = client.get("/admin/charity/platformimport/").content.decode()
    assert "30.00 元" in listed


def test_a_malformed_csv_names_each_bad_line_and_imports_nothing(client, charity_reviewer, project):
    client.force_login(charity_reviewer)
    data = _csv(
        f"T-1,{_yesterday()},50,,,",
        f"T-2,{_yesterday()},五十,,,",
        "T-3,昨天下午,20,,,",
        f"T-1,{_yesterday()},10,,,",
    )

    response = client.post("/admin/charity/platformimport/add/", _import_post(project, data, "80"))

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["file"])
    assert "第 3 行" in errors
    assert "第 4 行：捐赠时间“昨天下午”无法识别" in errors
    assert "第 5 行：流水号 T-1 在文件中重复" in errors
    assert _money_counts() == (0, 0, 0)


def test_only_platform_projects_are_offered_for_import(client, charity_reviewer, project):
    own = makers.project(
        makers.organisation(2),
        status=ProjectStatus.FUNDRAISING,
        title="自有渠道项目",
        donation_channel="own",
        payment_provider="simulated",
    )
    client.force_login(charity_reviewer)

    form = client.get("/admin/charity/platformimport/add/").context["adminform"].form
    assert list(form.fields["project"].queryset) == [project]
    refused = client.post(
        "/admin/charity/platformimport/add/",
        _import_post(own, _csv(f"T-1,{_yesterday()},50,,,"), "50"),
    )
    assert refused.status_code == 200
    assert _money_counts() == (0, 0, 0)


def test_the_csv_template_has_the_columns_the_import_reads(client, charity_reviewer, project):
    client.force_login(charity_reviewer)
    response = client.get("/admin/charity/platformimport/template.csv")

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines() == ["流水号,捐赠时间,金额（元）,捐赠人,捐赠人编号,留言"]
    filled = (text.strip() + f"\nT-9,{_yesterday()},66,,,\n").encode()
    assert [row.amount_fen for row in services.platform_rows_parse(filled)] == [6_600]


# --- Donations -------------------------------------------------------------------------------


@pytest.fixture
def own_gift(project):
    """A gift paid through the simulated gateway, with a message and a mobile number."""
    Project.objects.filter(pk=project.pk).update(
        donation_channel="own", payment_provider="simulated"
    )
    project.refresh_from_db()
    draft = services.donation_draft_check(
        project=project,
        amount="88",
        donor_name="王阿姨",
        message="祝老人们健康",
        contact="13957712345",
    )
    donation, _pay_url = services.donation_start(draft=draft, return_url_for=lambda ref: "/")
    gateway = SimulatedGateway()
    gateway.pay(donation.reference)
    headers, body = gateway.notice(donation.reference)
    services.donation_notice_receive(provider_code="simulated", headers=headers, body=body)
    donation.refresh_from_db()
    return donation


def test_reviewer_finds_a_gift_by_its_reference_typed_loosely(client, charity_reviewer, own_gift):
    client.force_login(charity_reviewer)
    typed = " ".join(own_gift.reference_display.lower().split())

    response = client.get("/admin/charity/donation/", {"q": typed})

    assert list(response.context["cl"].result_list) == [own_gift]
    nothing = client.get("/admin/charity/donation/", {"q": "不是凭证号"})
    assert list(nothing.context["cl"].result_list) == []


def test_the_donor_contact_is_shown_masked_only(client, charity_reviewer, own_gift):
    client.force_login(charity_reviewer)

    page = client.get(f"/admin/charity/donation/{own_gift.pk}/change/").content.decode()

    assert "139****2345" in page
    assert "13957712345" not in page


def test_reviewer_shows_and_hides_donor_messages_through_the_service(
    client, charity_reviewer, auditor, own_gift
):
    client.force_login(auditor)
    _action(client, "donation", "messages_show", own_gift)
    own_gift.refresh_from_db()
    assert own_gift.message_status == MessageStatus.PENDING  # the auditor changes nothing

    client.force_login(charity_reviewer)
    _action(client, "donation", "messages_show", own_gift)
    own_gift.refresh_from_db()
    assert own_gift.message_status == MessageStatus.SHOWN
    _action(client, "donation", "messages_hide", own_gift)
    own_gift.refresh_from_db()
    assert own_gift.message_status == MessageStatus.HIDDEN
    assert _audited("charity.donation_message_shown") == 1
    assert _audited("charity.donation_message_hidden") == 1


# --- Read only, and who may come in ------------------------------------------------------------


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)


def test_nobody_adds_changes_or_deletes_ledger_rows_in_admin(
    client, superuser, charity_reviewer, second_reviewer, settled, own_gift
):
    _record(client, charity_reviewer, settled)
    client.force_login(second_reviewer)
    _action(client, "disbursement", "approve", Disbursement.objects.get())
    services.ledger_prove()
    rows = {
        "donation": Donation.objects.first(),
        "ledgerentry": LedgerEntry.objects.first(),
        "allocation": Allocation.objects.first(),
        "paymentnotice": PaymentNotice.objects.first(),
        "ledgerproof": LedgerProof.objects.first(),
        "disbursement": Disbursement.objects.first(),
        "platformimport": PlatformImport.objects.first(),
    }
    client.force_login(superuser)
    for model, row in rows.items():
        base = f"/admin/charity/{model}/"
        assert client.get(f"{base}{row.pk}/change/").status_code == 200, model
        assert client.post(f"{base}{row.pk}/change/", {}).status_code == 403, model
        assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403, model
        if model not in ("disbursement", "platformimport"):
            assert client.get(f"{base}add/").status_code == 403, model
    assert LedgerEntry.objects.count() == 4


def test_reviewer_runs_the_ledger_proof_now_and_the_auditor_cannot(
    client, charity_reviewer, auditor, settled
):
    client.force_login(auditor)
    listing = client.get("/admin/charity/ledgerproof/")
    assert "立即核对" not in listing.content.decode()
    assert client.post("/admin/charity/ledgerproof/prove/").status_code == 403

    client.force_login(charity_reviewer)
    assert "立即核对" in client.get("/admin/charity/ledgerproof/").content.decode()
    response = client.post("/admin/charity/ledgerproof/prove/")
    proof = LedgerProof.objects.get()
    assert response["Location"] == f"/admin/charity/ledgerproof/{proof.pk}/change/"
    assert proof.ok
    assert any("都与账目一致" in text for text in _shown(response))


@pytest.mark.parametrize(
    "path",
    [
        "/admin/charity/donation/",
        "/admin/charity/disbursement/add/",
        "/admin/charity/platformimport/add/",
        "/admin/charity/platformimport/template.csv",
        "/admin/charity/ledgerentry/",
        "/admin/charity/ledgerproof/",
    ],
)
def test_a_citizen_or_an_anonymous_visitor_is_sent_to_sign_in(client, citizen, path):
    assert "/login/" in client.get(path)["Location"]
    client.force_login(citizen)
    assert "/login/" in client.get(path)["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/charity/donation/",
        "/admin/charity/disbursement/",
        "/admin/charity/disbursement/add/",
        "/admin/charity/platformimport/",
        "/admin/charity/platformimport/add/",
        "/admin/charity/ledgerentry/",
        "/admin/charity/allocation/",
        "/admin/charity/paymentnotice/",
        "/admin/charity/ledgerproof/",
    ],
)
def test_every_money_page_opens_for_the_reviewer(client, charity_reviewer, settled, path):
    client.force_login(charity_reviewer)
    assert client.get(path).status_code == 200


def _grow(project, recorder, approver, tag: str) -> None:
    """Two more platform gifts and one more approved disbursement drawing on them."""
    services.platform_import(
        project_id=project.pk,
        upload=_upload(_csv(f"{tag}-1,{_yesterday()},10,,,", f"{tag}-2,{_yesterday()},10,,,")),
        source=PlatformImport.Source.ORGANISATION_EXPORT,
        stated_total_fen=0,
        actor=recorder,
    )
    recorded = services.disbursement_record(
        data=services.DisbursementInput(
            project_id=project.pk,
            amount_fen=1_000,
            paid_on=timezone.localdate(),
            purpose="助餐",
            payee="粮油店",
            evidence=_pdf(tag),
            public_copy=_pdf(tag + "-redacted"),
        ),
        actor=recorder,
    )
    services.disbursement_approve(disbursement_id=recorded.pk, actor=approver)


@pytest.mark.parametrize(
    "model", ["donation", "disbursement", "platformimport", "ledgerentry", "allocation"]
)
def test_a_money_list_costs_the_same_queries_for_few_rows_and_many(
    client, charity_reviewer, second_reviewer, settled, model
):
    client.force_login(charity_reviewer)
    _grow(settled, charity_reviewer, second_reviewer, "A")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/admin/charity/{model}/").status_code == 200
    for tag in ("B", "C", "D"):
        _grow(settled, charity_reviewer, second_reviewer, tag)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/admin/charity/{model}/").status_code == 200
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


# --- Projects: where their donations are taken -------------------------------------------------


def test_a_public_platform_project_is_published_only_with_its_platform_page(project):
    Project.objects.filter(pk=project.pk).update(donation_url="")
    project.refresh_from_db()
    assert any("平台上的捐赠页面地址" in r for r in services.project_publish_refusals(project))
    project.donation_url = PLATFORM_URL
    assert services.project_publish_refusals(project) == []


def test_an_own_channel_project_needs_a_provider_this_deployment_has(settings, project):
    project.donation_channel = "own"
    project.payment_provider = "simulated"
    assert services.project_publish_refusals(project) == []
    settings.CHARITY_PAYMENT_PROVIDERS = []
    assert any("已开通的支付服务商" in r for r in services.project_publish_refusals(project))


def test_the_project_form_offers_only_available_providers_and_shows_the_money(
    client, settings, charity_reviewer, settled
):
    client.force_login(charity_reviewer)
    draft = makers.project(makers.organisation(2, signed=makers.pact()), title="草稿")

    form = client.get(f"/admin/charity/project/{draft.pk}/change/").context["adminform"].form
    assert [code for code, _label in form.fields["payment_provider"].choices] == ["", "simulated"]
    settings.CHARITY_PAYMENT_PROVIDERS = []
    form = client.get(f"/admin/charity/project/{draft.pk}/change/").context["adminform"].form
    assert [code for code, _label in form.fields["payment_provider"].choices] == [""]

    page = client.get(f"/admin/charity/project/{settled.pk}/change/").content.decode()
    assert "1,000.00 元" in page
    assert f"/charity/projects/{settled.pk}/ledger/" in page
