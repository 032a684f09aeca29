"""A citizen gives through the pages: donate, confirm, pay; bad input; projects taking none.

The portal never holds money: own-channel gifts go through the organisation's provider
(the simulated gateway here), platform gifts are sent to the platform. Every page answers
with what is true, and refusals keep what was typed.
"""

import pytest
from django.urls import reverse

from charity.models import (
    Donation,
    DonationStatus,
    MessageStatus,
    Project,
    ProjectStatus,
)
from charity.payments.simulated import SimulatedGateway
from tests.charity.donation_support import (
    PLATFORM_URL,
    confirm_url,
    donate_url,
    fill,
    give,
)

from . import makers

pytestmark = pytest.mark.django_db


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
