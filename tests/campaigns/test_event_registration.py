"""An event place is taken only by a number proven with a text-message code."""

import re

import pytest

from campaigns.models import EventRegistration
from tests.campaigns.test_campaigns import make_campaign
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()


def _code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


def _start(client, campaign, name="周阿姨", phone="13900000001"):
    return client.post(f"/campaigns/{campaign.slug}/register/", {"name": name, "phone": phone})


def _confirm(client, campaign, code):
    return client.post(f"/campaigns/{campaign.slug}/register/confirm/", {"code": code})


def test_signing_up_sends_a_code_and_takes_no_place_yet(client):
    campaign = make_campaign("event", capacity=5)
    response = _start(client, campaign)
    html = response.content.decode()
    assert response.status_code == 200
    assert "验证码已发送" in html
    assert LocmemSMSBackend.outbox[-1][0] == "13900000001"
    assert not EventRegistration.objects.exists()


def test_the_right_code_takes_the_place(client):
    campaign = make_campaign("event", capacity=5)
    _start(client, campaign)
    response = _confirm(client, campaign, _code())
    registration = EventRegistration.objects.get()
    assert response.status_code == 200
    assert registration.name == "周阿姨"
    assert registration.phone_tail == "0001"
    assert registration.status == EventRegistration.Status.CONFIRMED
    assert registration.cancel_token in response.content.decode()


def test_a_wrong_code_takes_no_place_and_can_be_corrected(client):
    campaign = make_campaign("event", capacity=5)
    _start(client, campaign)
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    refused = _confirm(client, campaign, wrong)
    assert refused.status_code == 400
    assert "验证码不正确" in refused.content.decode()
    assert not EventRegistration.objects.exists()
    assert _confirm(client, campaign, right).status_code == 200
    assert EventRegistration.objects.count() == 1


def test_made_up_numbers_from_one_address_take_no_places(client, settings):
    settings.CAMPAIGN_FORM_LIMIT = "100/m"
    settings.PHONE_CODE_LIMIT_PER_CLIENT = "100/h"
    campaign = make_campaign("event", capacity=100)
    for n in range(60):
        _start(client, campaign, name=f"假人{n}", phone=f"139{n:08d}")
        # Whoever makes numbers up never sees the text message: any code but the one sent.
        _confirm(client, campaign, f"{(int(_code()) + 1) % 1_000_000:06d}")
    assert not EventRegistration.objects.exists()


def test_codes_for_one_client_are_limited(client, settings):
    settings.PHONE_CODE_LIMIT_PER_CLIENT = "3/h"
    campaign = make_campaign("event", capacity=100)
    statuses = [_start(client, campaign, phone=f"1390000000{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(LocmemSMSBackend.outbox) == 3


def test_confirming_without_asking_for_a_code_is_refused(client):
    campaign = make_campaign("event", capacity=5)
    response = _confirm(client, campaign, "123456")
    assert response.status_code == 400
    assert "获取验证码" in response.content.decode()
    assert not EventRegistration.objects.exists()


def test_a_closed_event_sends_no_code(client):
    campaign = make_campaign("event", starts=-10, ends=-1)
    response = _start(client, campaign)
    assert response.status_code == 400
    assert LocmemSMSBackend.outbox == []


def test_event_sign_ups_and_report_tracking_have_separate_budgets(client, settings):
    settings.CAMPAIGN_FORM_LIMIT = "30/m"
    settings.TRACK_RATE_LIMIT = "20/m"
    settings.PHONE_CODE_LIMIT_PER_CLIENT = "100/h"
    campaign = make_campaign("event", capacity=100)
    for n in range(21):
        _start(client, campaign, phone=f"139{n:08d}")
    assert client.post("/reports/track/", {"code": "x"}).status_code == 200


def test_a_number_typed_with_spaces_and_country_code_is_understood(client):
    campaign = make_campaign("event", capacity=5)
    response = _start(client, campaign, phone="+86 139-0000 0001")
    assert response.status_code == 200
    assert LocmemSMSBackend.outbox[-1][0] == "13900000001"
    assert _confirm(client, campaign, _code()).status_code == 200
    assert EventRegistration.objects.get().phone_tail == "0001"


def test_a_landline_is_refused_with_the_field_kept(client):
    campaign = make_campaign("event", capacity=5)
    response = _start(client, campaign, phone="0577 8888 8888")
    html = response.content.decode()
    assert response.status_code == 400
    assert "11 位中国大陆手机号码" in html
    assert "0577 8888 8888" in html
    assert LocmemSMSBackend.outbox == []


def test_a_client_sending_sign_ups_too_fast_is_told_when_to_come_back(client, settings):
    settings.CAMPAIGN_FORM_LIMIT = "2/h"  # an hour: a minute could turn over mid-test
    settings.PHONE_CODE_LIMIT_PER_CLIENT = "100/h"
    campaign = make_campaign("event", capacity=100)
    assert [_start(client, campaign, phone=f"1390000000{n}").status_code for n in range(2)] == [
        200,
        200,
    ]
    refused = _start(client, campaign, name="刷子", phone="13900000009")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "提交太频繁了，请在" in html
    assert "后再试" in html
    assert 'value="刷子"' in html  # what was typed stays in the form
    assert len(LocmemSMSBackend.outbox) == 2  # no code went out for the refused one


def test_sign_ups_on_the_page_and_the_api_spend_one_budget(client, settings):
    settings.CAMPAIGN_FORM_LIMIT = "2/h"
    settings.PHONE_CODE_LIMIT_PER_CLIENT = "100/h"
    campaign = make_campaign("event", capacity=100)
    _start(client, campaign, phone="13900000001")
    _start(client, campaign, phone="13900000002")
    sent = client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13900000003"})
    refused = client.post(
        f"/api/v1/campaigns/{campaign.slug}/register/",
        {"name": "甲", "verification_id": sent.json()["verification_id"], "code": _code()},
        content_type="application/json",
    )
    assert refused.status_code == 429
    assert not EventRegistration.objects.exists()
