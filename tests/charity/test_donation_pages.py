"""A citizen gives through the pages: donate, confirm, pay, the receipt, cancel, verify, ledger.

The portal never holds money: own-channel gifts go through the organisation's provider
(the simulated gateway here), platform gifts are sent to the platform. Every page answers
with what is true, refusals keep what was typed, and private things stay private.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from charity import services
from charity.models import (
    Donation,
    DonationStatus,
    MessageStatus,
    Project,
    ProjectStatus,
)
from charity.payments.simulated import SimulatedGateway
from wenzhou_portal.roles import Role

from . import makers

pytestmark = pytest.mark.django_db

PLATFORM_URL = "https://gongyi.example.org/projects/4242"
REDACTED_PDF = b"%PDF-1.4\n% redacted copy\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def project():
    """山区留守老人助餐, raising through its organisation's own (simulated) provider."""
    org = makers.organisation()
    return makers.project(
        org,
        status=ProjectStatus.FUNDRAISING,
        donation_channel="own",
        payment_provider="simulated",
        target_fen=1_000_000,
    )


@pytest.fixture
def platform_project():
    """A project whose gifts are taken on a designated platform only."""
    org = makers.organisation(2)
    return makers.project(
        org,
        status=ProjectStatus.FUNDRAISING,
        title="泰顺助学",
        donation_platform="腾讯公益",
        donation_channel="platform",
        donation_url=PLATFORM_URL,
    )


def donate_url(project) -> str:
    return reverse("charity:donate", args=[project.pk])


def confirm_url(project) -> str:
    return reverse("charity:donate_confirm", args=[project.pk])


def fill(client, project, **fields):
    data = {"amount": "50", "donor_name": "", "message": "", "contact": "", **fields}
    return client.post(donate_url(project), data)


def give(client, project, *, pay=True, capture=None, **fields) -> Donation:
    """Fill in, confirm, and (unless told not to) pay at the simulated gateway."""
    assert fill(client, project, **fields).status_code == 302
    to_gateway = client.post(confirm_url(project))
    assert to_gateway.status_code == 302
    donation = Donation.objects.latest("pk")
    assert to_gateway["Location"] == reverse("charity:gateway", args=[donation.reference])
    if pay:
        with capture(execute=True):
            back = client.post(to_gateway["Location"], {"action": "pay"})
        assert back["Location"].endswith(donation.get_absolute_url())
        donation.refresh_from_db()
    return donation


def settle_older(donation: Donation, minutes: int = 11) -> None:
    """As if the gift was paid ``minutes`` ago (past its cancel window)."""
    Donation.objects.filter(pk=donation.pk).update(
        paid_at=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.fixture
def reviewers(make_staff):
    """张伟 records disbursements, 刘芳 approves them (four eyes)."""
    return (
        make_staff("zhang_wei_reviewer", Role.CHARITY_REVIEWER, first_name="张伟"),
        make_staff("liu_fang_reviewer", Role.CHARITY_REVIEWER, first_name="刘芳"),
    )


def spend(project, reviewers, *, amount_fen: int, purpose="采购大米 200 袋", payee="文成粮油店"):
    recorder, approver = reviewers
    disbursement = services.disbursement_record(
        data=services.DisbursementInput(
            project_id=project.pk,
            amount_fen=amount_fen,
            paid_on=timezone.localdate(),
            purpose=purpose,
            payee=payee,
            evidence=makers.pdf("发票原件-含身份证号.pdf"),
            public_copy=SimpleUploadedFile("copy.pdf", REDACTED_PDF, "application/pdf"),
        ),
        actor=recorder,
    )
    return services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver)


# --- The whole own-channel journey ------------------------------------------------------


def test_a_gift_goes_from_the_form_through_the_gateway_to_a_paid_receipt(
    client, project, django_capture_on_commit_callbacks
):
    page = client.get(project.get_absolute_url()).content.decode()
    assert "我要捐赠" in page
    assert donate_url(project) in page
    assert "本平台不经手善款" in page
    assert "本平台不接受捐款" not in page

    filled = fill(
        client,
        project,
        amount="other",
        amount_other="50.5",
        donor_name="王阿姨",
        message="祝老人们身体健康",
        contact="138 0013 8000",
    )
    assert filled.status_code == 302
    assert filled["Location"] == confirm_url(project) + "#outcome"

    confirm = client.get(confirm_url(project)).content.decode()
    assert 'id="outcome"' in confirm
    assert "50.50 元" in confirm
    assert "王阿姨" in confirm
    assert "祝老人们身体健康" in confirm
    assert "138****8000" in confirm
    assert "13800138000" not in confirm
    assert "10 分钟内" in confirm
    assert "全额原路退款" in confirm
    assert "收款商户账户" in confirm
    assert "确认并前往支付" in confirm
    assert "返回修改" in confirm

    to_gateway = client.post(confirm_url(project))
    donation = Donation.objects.get()
    assert to_gateway["Location"] == reverse("charity:gateway", args=[donation.reference])
    assert client.session["charity_donations"] == [donation.reference]
    assert "charity_donation_draft" not in client.session
    assert donation.status == DonationStatus.PENDING
    assert donation.amount_fen == 5050

    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(to_gateway["Location"], {"action": "pay"})
    assert back["Location"] == "http://testserver" + donation.get_absolute_url()
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID  # by the signed notification, on commit

    receipt = client.get(donation.get_absolute_url()).content.decode()
    assert "已到账" in receipt
    assert "50.50 元" in receipt
    assert "王阿姨" in receipt
    assert donation.reference[:4] in receipt
    assert project.organisation.name in receipt
    assert reverse("charity:receipt_cancel", args=[donation.reference]) in receipt
    assert "13800138000" not in receipt

    project_page = client.get(project.get_absolute_url()).content.decode()
    assert "50.50 元" in project_page
    assert 'value="0"' in project_page  # 50.50 of 10,000 yuan rounds down to 0 %


def test_a_pending_gift_says_payment_is_being_confirmed_and_offers_a_refresh(client, project):
    donation = give(client, project, pay=False)
    page = client.get(donation.get_absolute_url()).content.decode()
    assert "正在确认付款" in page
    assert "刷新付款状态" in page
    assert reverse("charity:receipt_cancel", args=[donation.reference]) not in page


def test_a_donor_back_before_the_notification_sees_the_gift_paid(client, project):
    donation = give(client, project, pay=False)
    SimulatedGateway().pay(donation.reference)  # the notification is still on its way
    page = client.get(donation.get_absolute_url()).content.decode()
    assert "已到账" in page


def test_the_project_page_moves_as_gifts_arrive(
    client, project, django_capture_on_commit_callbacks
):
    give(client, project, capture=django_capture_on_commit_callbacks, amount="200")
    give(
        client,
        project,
        capture=django_capture_on_commit_callbacks,
        amount="other",
        amount_other="300",
    )
    page = client.get(project.get_absolute_url()).content.decode()
    assert "500 元" in page
    assert 'max="100" value="5"' in page
    assert "已达到目标的 5%" in page
    assert reverse("charity:ledger", args=[project.pk]) in page


# --- Filling in: bad input is answered and nothing typed is lost ---------------------------


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0", "捐赠金额必须大于 0"),
        ("-1", "捐赠金额必须大于 0"),
        ("1.234", "小数点后最多两位"),
        ("abc", "请用数字填写金额"),
        ("", "请填写捐赠金额"),
        ("0.5", "每笔捐赠至少"),
    ],
)
def test_a_bad_amount_is_explained_and_everything_typed_comes_back(client, project, typed, reason):
    response = fill(
        client,
        project,
        amount="other",
        amount_other=typed,
        donor_name="李伯伯",
        message="早日康复",
        contact="li@example.com",
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert reason in " ".join(form.errors["amount_other"])
    page = response.content.decode()
    assert 'id="outcome"' in page
    assert 'href="#id_amount_other"' in page
    assert f'value="{typed}"' in page if typed else 'name="amount_other"' in page
    assert 'value="李伯伯"' in page
    assert "早日康复</textarea>" in page
    assert 'value="li@example.com"' in page
    assert 'value="other" id="id_amount_4" checked' in page
    assert not Donation.objects.exists()


def test_a_long_amount_is_kept_whole_not_cut(client, project):
    typed = "1" * 40
    page = fill(client, project, amount="other", amount_other=typed).content.decode()
    assert f'value="{typed}"' in page
    assert 'inputmode="decimal"' in page
    assert "maxlength" not in page


def test_a_full_width_amount_typed_on_a_chinese_keyboard_is_accepted(client, project):
    assert fill(client, project, amount="other", amount_other="５０").status_code == 302
    page = client.get(confirm_url(project)).content.decode()
    assert "50 元" in page


def test_a_typed_amount_without_choosing_other_is_the_amount(client, project):
    assert fill(client, project, amount="", amount_other="30").status_code == 302
    assert "30 元" in client.get(confirm_url(project)).content.decode()


def test_a_quick_choice_and_a_different_typed_amount_are_asked_about(client, project):
    response = fill(client, project, amount="50", amount_other="30")
    assert response.status_code == 400
    assert "您选了 50 元" in " ".join(response.context["form"].errors["amount_other"])


def test_nothing_chosen_is_refused_on_the_choice(client, project):
    response = fill(client, project, amount="", amount_other="")
    assert "请填写捐赠金额" in " ".join(response.context["form"].errors["amount"])
    assert 'href="#id_amount_0"' in response.content.decode()


def test_a_bad_contact_and_a_long_message_are_refused_on_their_fields(client, project):
    response = fill(client, project, contact="12345")
    assert "11 位手机号或电子邮箱" in " ".join(response.context["form"].errors["contact"])
    response = fill(client, project, message="好" * 201)
    assert "最多 200 个字" in " ".join(response.context["form"].errors["message"])


def test_anonymous_wins_over_a_typed_name(client, project):
    fill(client, project, donor_name="王阿姨", anonymous="on")
    page = client.get(confirm_url(project)).content.decode()
    assert "王阿姨" not in page
    assert "匿名" in page


def test_going_back_to_change_keeps_what_was_filled_in(client, project):
    fill(client, project, amount="other", amount_other="66.6", donor_name="王阿姨", message="加油")
    page = client.get(donate_url(project)).content.decode()
    assert 'value="66.60"' in page
    assert 'value="王阿姨"' in page
    assert "加油</textarea>" in page
    fill(client, project, amount="100")
    assert (
        'value="100" id="id_amount_2" checked' in client.get(donate_url(project)).content.decode()
    )


def test_opening_orders_too_fast_is_refused_with_the_summary_kept(client, project, settings):
    settings.CHARITY_FORM_LIMIT = "1/m"
    fill(client, project, amount="100", donor_name="王阿姨")
    assert client.post(confirm_url(project)).status_code == 302
    fill(client, project, amount="200", donor_name="王阿姨")
    response = client.post(confirm_url(project))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert "提交太频繁了" in page
    assert "200 元" in page
    assert "王阿姨" in page
    assert Donation.objects.count() == 1


def test_confirming_without_a_draft_goes_back_to_the_form_with_a_message(client, project):
    response = client.get(confirm_url(project), follow=True)
    assert response.redirect_chain[-1][0] == donate_url(project) + "#messages"
    assert "请先填写捐赠信息" in response.content.decode()


def test_an_expired_draft_must_be_filled_in_again(client, project):
    fill(client, project)
    session = client.session
    session["charity_donation_draft"]["at"] -= 31 * 60
    session.save()
    assert client.get(confirm_url(project))["Location"] == donate_url(project) + "#messages"
    assert client.post(confirm_url(project)).status_code == 302
    assert not Donation.objects.exists()


def test_a_draft_for_another_project_is_not_confirmed_here(client, project):
    other = makers.project(
        project.organisation,
        status=ProjectStatus.FUNDRAISING,
        donation_channel="own",
        payment_provider="simulated",
        title="另一个项目",
    )
    fill(client, project)
    assert client.get(confirm_url(other)).status_code == 302


# --- Projects that take no gifts here ------------------------------------------------------


def test_a_closed_project_shows_why_instead_of_a_form(client, project):
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.CLOSED)
    page = client.get(donate_url(project)).content.decode()
    assert "不再接受捐赠" in page
    assert 'name="amount"' not in page
    assert fill(client, project).status_code == 200
    assert not Donation.objects.exists()
    project_page = client.get(project.get_absolute_url()).content.decode()
    assert "不再接受捐赠" in project_page
    assert donate_url(project) not in project_page


def test_a_project_closed_between_filling_in_and_confirming_is_refused(client, project):
    fill(client, project)
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.CLOSED)
    response = client.post(confirm_url(project))
    assert response.status_code == 409
    assert "不再接受捐赠" in response.content.decode()
    assert not Donation.objects.exists()


def test_a_platform_project_sends_donors_to_the_platform_under_its_rules(client, platform_project):
    page = client.get(platform_project.get_absolute_url()).content.decode()
    assert f'href="{PLATFORM_URL}" rel="noopener"' in page
    assert "前往腾讯公益捐赠" in page
    assert "退款规则" in page
    assert "本平台不经手善款" in page
    assert donate_url(platform_project) not in page
    donate_page = client.get(donate_url(platform_project)).content.decode()
    assert 'name="amount"' not in donate_page
    assert PLATFORM_URL in donate_page
    fill(client, platform_project)
    assert not Donation.objects.exists()


def test_a_draft_project_has_no_donation_page(client):
    draft = makers.project(
        makers.organisation(3), donation_channel="own", payment_provider="simulated"
    )
    assert client.get(donate_url(draft)).status_code == 404
    assert client.get(reverse("charity:ledger", args=[draft.pk])).status_code == 404


def test_only_messages_a_reviewer_let_through_are_shown(
    client, project, django_capture_on_commit_callbacks
):
    shown = give(client, project, capture=django_capture_on_commit_callbacks, message="早日康复")
    give(client, project, capture=django_capture_on_commit_callbacks, message="广告：加微信")
    Donation.objects.filter(pk=shown.pk).update(message_status=MessageStatus.SHOWN)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "早日康复" in page
    assert "广告" not in page


# --- Cancelling within the window, from this browser only ---------------------------------


def test_the_donor_cancels_within_ten_minutes_and_is_refunded_in_full(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks, amount="100")
    receipt = client.get(donation.get_absolute_url()).content.decode()
    deadline = timezone.localtime(services.cancel_deadline(donation))
    assert f"（{deadline:%H:%M} 前）" in receipt

    response = client.post(
        reverse("charity:receipt_cancel", args=[donation.reference]), follow=True
    )
    assert response.redirect_chain[-1][0] == donation.get_absolute_url() + "#outcome"
    page = response.content.decode()
    assert "已撤销，已全额退款" in page
    assert "100.00 元将原路全额退回" in page
    donation.refresh_from_db()
    project.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert project.refunded_fen == 10000
    assert project.balance_fen == 0
    assert reverse("charity:receipt_cancel", args=[donation.reference]) not in page


def test_another_browser_cannot_cancel_someone_elses_gift(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    from django.test import Client

    stranger = Client()
    page = stranger.get(donation.get_absolute_url()).content.decode()
    assert reverse("charity:receipt_cancel", args=[donation.reference]) not in page
    response = stranger.post(reverse("charity:receipt_cancel", args=[donation.reference]))
    assert response.status_code == 403
    assert "同一个浏览器" in response.content.decode()
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_cancelling_after_the_window_is_refused_with_the_reason(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    settle_older(donation)
    page = client.get(donation.get_absolute_url()).content.decode()
    assert reverse("charity:receipt_cancel", args=[donation.reference]) not in page
    response = client.post(reverse("charity:receipt_cancel", args=[donation.reference]))
    assert response.status_code == 409
    page = response.content.decode()
    assert "已超过时限" in page
    assert 'role="alert"' in page
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_a_shorter_window_in_settings_is_the_one_applied(
    client, project, settings, django_capture_on_commit_callbacks
):
    settings.CHARITY_CANCEL_MINUTES = 1
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    settle_older(donation, minutes=2)
    response = client.post(reverse("charity:receipt_cancel", args=[donation.reference]))
    assert response.status_code == 409
    assert "1 分钟内" in response.content.decode()


# --- The receipt is private by address --------------------------------------------------


def test_the_receipt_is_not_indexed_cached_or_leaked_in_a_referer(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks, message="加油")
    response = client.get(donation.get_absolute_url())
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "strict-origin"
    page = response.content.decode()
    assert '<meta name="robots" content="noindex' in page
    assert "加油" not in page
    assert "待审核" in page


def test_a_receipt_typed_in_lower_case_redirects_to_its_one_address(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    typed = reverse("charity:receipt", args=[donation.reference.lower()])
    assert client.get(typed)["Location"] == donation.get_absolute_url()
    assert client.get(reverse("charity:receipt", args=["0" * 16])).status_code == 404


# --- Verifying a receipt by its reference ----------------------------------------------------


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in text)


def test_a_reference_typed_full_width_with_dashes_finds_the_receipt(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    typed = _full_width(donation.reference_display).replace("-", "－")
    response = client.post(reverse("charity:verify"), {"reference": typed})
    assert response.status_code == 302
    assert response["Location"] == donation.get_absolute_url() + "#outcome"


def test_an_unknown_reference_is_a_form_error_with_what_was_typed_kept(client):
    response = client.post(reverse("charity:verify"), {"reference": "ABCD-EFGH-JKMN-PQRS"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有找到这个凭证号" in page
    assert 'value="ABCD-EFGH-JKMN-PQRS"' in page
    assert 'id="outcome"' in page
    assert 'href="#id_reference"' in page
    assert client.post(reverse("charity:verify"), {"reference": ""}).status_code == 400


def test_verifying_too_often_is_refused_with_when_to_retry(client, settings):
    settings.CHARITY_FORM_LIMIT = "2/m"
    for _attempt in range(2):
        client.post(reverse("charity:verify"), {"reference": "ABCD"})
    response = client.post(reverse("charity:verify"), {"reference": "WXYZ"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert "提交太频繁了" in page
    assert 'value="WXYZ"' in page


def test_the_verify_page_is_linked_from_project_pages_and_receipts(client, project):
    verify = reverse("charity:verify")
    assert verify == "/charity/donations/verify/"
    assert verify in client.get(project.get_absolute_url()).content.decode()
    assert client.get(verify).status_code == 200


# --- The public ledger -------------------------------------------------------------------


@pytest.fixture
def spent_project(client, project, reviewers, django_capture_on_commit_callbacks):
    """Three gifts (one cancelled), one approved disbursement drawn from the oldest gift."""
    first = give(client, project, capture=django_capture_on_commit_callbacks, amount="200")
    second = give(client, project, capture=django_capture_on_commit_callbacks, amount="100")
    cancelled = give(client, project, capture=django_capture_on_commit_callbacks, amount="10")
    client.post(reverse("charity:receipt_cancel", args=[cancelled.reference]))
    settle_older(first, minutes=30)
    settle_older(second, minutes=20)
    disbursement = spend(project, reviewers, amount_fen=15000)
    project.refresh_from_db()
    return {
        "project": project,
        "first": first,
        "second": second,
        "cancelled": cancelled,
        "disbursement": disbursement,
    }


def test_the_ledger_shows_every_total_linked_to_its_rows(client, spent_project):
    project = spent_project["project"]
    assert (project.raised_fen, project.refunded_fen, project.spent_fen) == (31000, 1000, 15000)
    url = reverse("charity:ledger", args=[project.pk])
    page = client.get(url).content.decode()
    for figure in ("310 元", "10 元", "150 元", "150 元"):
        assert figure in page
    for kind in ("donation", "refund", "disbursement"):
        assert f'href="?kind={kind}#rows"' in page
    assert "先到先用" in page
    assert reverse("charity:ledger_csv", args=[project.pk]) in page

    donations = client.get(url, {"kind": "donation"}).content.decode()
    assert spent_project["first"].reference_display in donations
    assert "文成粮油店" not in donations
    spending = client.get(url, {"kind": "disbursement"}).content.decode()
    assert "采购大米 200 袋" in spending
    assert "文成粮油店" in spending
    assert reverse("charity:disbursement_copy", args=[spent_project["disbursement"].pk]) in spending
    assert spent_project["first"].reference_display not in spending
    refunds = client.get(url, {"kind": "refund"}).content.decode()
    assert spent_project["cancelled"].reference_display in refunds


def test_the_ledger_pages_its_rows(client, project, settings, django_capture_on_commit_callbacks):
    settings.CHARITY_FORM_LIMIT = "100/m"  # one browser opening 21 orders in a test
    for _gift in range(21):
        give(client, project, capture=django_capture_on_commit_callbacks, amount="10")
    url = reverse("charity:ledger", args=[project.pk])
    first = client.get(url).content.decode()
    assert first.count('class="card ledger-row') == 20
    assert "第 1 / 2 页" in first
    assert client.get(url, {"page": 2}).content.decode().count('class="card ledger-row') == 1


def test_the_ledger_reads_in_a_fixed_number_of_queries(
    client, spent_project, django_assert_max_num_queries
):
    url = reverse("charity:ledger", args=[spent_project["project"].pk])
    with django_assert_max_num_queries(4):
        client.get(url)
    with django_assert_max_num_queries(4):
        client.get(url, {"kind": "disbursement"})


def test_the_receipt_says_which_disbursements_the_gift_funded(client, spent_project):
    first = spent_project["first"]
    page = client.get(first.get_absolute_url()).content.decode()
    assert "采购大米 200 袋" in page
    assert "用了您的 150 元" in page
    assert "先到先用" in page
    assert "还有 50 元没有用出" in page
    row = reverse("charity:ledger", args=[first.project_id])
    row += f"?disbursement={spent_project['disbursement'].pk}#rows"
    assert row in page
    single = client.get(row.split("#")[0]).content.decode()
    assert single.count('class="card ledger-row') == 1
    assert "采购大米 200 袋" in single
    second = client.get(spent_project["second"].get_absolute_url()).content.decode()
    assert "采购大米" not in second
    assert "还没有被用于支出" in second


def test_the_ledger_csv_has_every_row_and_no_formula_survives(
    client, project, reviewers, django_capture_on_commit_callbacks
):
    gift = give(client, project, capture=django_capture_on_commit_callbacks, amount="100")
    settle_older(gift)
    spend(
        project,
        reviewers,
        amount_fen=3000,
        purpose='=HYPERLINK("http://evil.example","点我")',
        payee="@SUM(1+1)",
    )
    response = client.get(reverse("charity:ledger_csv", args=[project.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "类型", "金额（元）"]
    assert rows[1][1] == "捐赠收入"
    assert rows[1][2] == "100.00"
    assert rows[1][4] == gift.reference_display
    assert rows[2][4].startswith("'=HYPERLINK")
    assert rows[2][5] == "'@SUM(1+1)"
    assert rows[2][3] == "70.00"


# --- The evidence original never leaves staff hands ----------------------------------------


def test_only_the_redacted_public_copy_is_served(client, spent_project):
    disbursement = spent_project["disbursement"]
    response = client.get(reverse("charity:disbursement_copy", args=[disbursement.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == REDACTED_PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    project = spent_project["project"]
    for url in (
        reverse("charity:ledger", args=[project.pk]) + "?kind=disbursement",
        project.get_absolute_url(),
        spent_project["first"].get_absolute_url(),
    ):
        page = client.get(url).content.decode()
        assert disbursement.evidence.name not in page
        assert "发票原件" not in page
    assert client.get("/media/" + disbursement.evidence.name).status_code == 404


def test_a_disbursement_not_approved_has_no_public_copy(
    client, project, reviewers, django_capture_on_commit_callbacks
):
    gift = give(client, project, capture=django_capture_on_commit_callbacks, amount="100")
    settle_older(gift)
    pending = services.disbursement_record(
        data=services.DisbursementInput(
            project_id=project.pk,
            amount_fen=1000,
            paid_on=timezone.localdate(),
            purpose="待批准的支出",
            payee="某商店",
            evidence=makers.pdf(),
            public_copy=SimpleUploadedFile("copy.pdf", REDACTED_PDF, "application/pdf"),
        ),
        actor=reviewers[0],
    )
    assert client.get(reverse("charity:disbursement_copy", args=[pending.pk])).status_code == 404
    page = client.get(reverse("charity:ledger", args=[project.pk])).content.decode()
    assert "待批准的支出" not in page
