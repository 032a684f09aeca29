"""Campaign journeys of an elderly citizen on a 360 x 740 phone in senior mode.

Pledging with a phone code, voting (and taking the vote back), registering for an event:
after every step the answer is on the first screen (and focused when JavaScript runs),
nothing scrolls sideways, every target and text is senior-sized. Screenshots of each step
are saved under test-artifacts/journeys/.
"""

import re

import pytest

from campaigns.models import Candidate, EventRegistration, Signature, Vote
from tests.browser import run_axe
from tests.campaigns.test_campaigns import make_campaign
from tests.journeys.support import SHOTS, assert_senior_page, assert_senior_sizes
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()


def _last_code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


def _submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def _step(page, shot: str) -> None:
    assert_senior_page(page, "#outcome", shot=shot)
    assert_senior_sizes(page)
    if page.javascript:  # axe-core needs script; the no-JS runs share the same markup
        assert run_axe(page) == []


def test_pledging_with_a_phone_code(senior_page, live_server):
    campaign = make_campaign("pledge", title="文明上网，从你我做起")
    page = senior_page
    page.goto(live_server.url + campaign.get_absolute_url())
    assert_senior_sizes(page)

    # A mistake first: a number too short is explained at the top, what was typed kept.
    page.get_by_label("手机号码").fill("138 1234")
    _submit(page, "获取验证码")
    _step(page, "campaign-pledge-phone-error")
    assert "请输入 11 位中国大陆手机号码" in page.locator("#outcome").inner_text()

    page.get_by_label("手机号码").fill("138 1234 5678")
    _submit(page, "获取验证码")
    _step(page, "campaign-pledge-code-sent")
    assert "138****5678" in page.locator("#outcome").inner_text()

    page.get_by_label("短信验证码").fill(_last_code())
    page.get_by_label("署名").fill("李阿姨")
    _submit(page, "确认签名")
    _step(page, "campaign-pledge-signed")
    assert "签名成功" in page.locator("#outcome").inner_text()
    assert page.get_by_role("link", name="保存证书图片（手机）").is_visible()
    assert Signature.objects.get().display_name == "李阿姨"

    # Taking it back: a confirmation page, then the answer.
    page.get_by_role("link", name="撤回签名").click()
    page.wait_for_load_state()
    _step(page, "campaign-pledge-withdraw-confirm")
    assert "确定撤回吗？" in page.locator("#outcome").inner_text()
    _submit(page, "确定撤回")
    _step(page, "campaign-pledge-withdrawn")
    assert Signature.objects.get().withdrawn_at is not None


def test_voting_and_taking_the_vote_back(senior_page, live_server):
    campaign = make_campaign("vote", title="最美外卖骑手", votes_per_day=1)
    Candidate.objects.create(
        campaign=campaign, name="骑手小王", story="暴雨夜救人。", status="approved"
    )
    page = senior_page
    page.goto(live_server.url + campaign.get_absolute_url())
    page.get_by_label("手机号码").fill("139 1234 5678")
    _submit(page, "获取验证码")
    _step(page, "campaign-vote-code-sent")

    page.get_by_label("短信验证码").fill(_last_code())
    _submit(page, "验证手机号")
    _step(page, "campaign-vote-verified")
    assert "已验证" in page.locator("#outcome").inner_text()

    _submit(page, "投给骑手小王")
    _step(page, "campaign-vote-cast")
    assert "投票成功" in page.locator("#outcome").inner_text()
    assert Vote.objects.count() == 1

    page.get_by_role("link", name="撤回这一票").click()
    page.wait_for_load_state()
    _step(page, "campaign-vote-withdraw-confirm")
    _submit(page, "确定撤回")
    _step(page, "campaign-vote-withdrawn")
    assert "这一票已撤回" in page.locator("#outcome").inner_text()
    assert Vote.objects.get().withdrawn_at is not None


def test_registering_for_an_event(senior_page, live_server):
    campaign = make_campaign(
        "event", title="青少年网络素养宣讲", capacity=30, venue="瓯海区实验小学报告厅"
    )
    page = senior_page
    page.goto(live_server.url + campaign.get_absolute_url())
    page.get_by_label("姓名").fill("周阿姨")
    page.get_by_label("手机号码").fill("137 0000 0001")
    _submit(page, "获取验证码")
    _step(page, "campaign-event-code-sent")
    assert "137****0001" in page.locator("#outcome").inner_text()

    page.get_by_label("短信验证码").fill(_last_code())
    _submit(page, "确认报名")
    _step(page, "campaign-event-registered")
    assert "报名成功" in page.locator("#outcome").inner_text()
    registration = EventRegistration.objects.get()
    assert page.locator(".short-code").inner_text() == registration.short_code
    assert page.locator("img.qr").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SHOTS / f"campaign-event-registered-whole-{page.journey_id}.png"), full_page=True
    )

    # Later, from the campaigns page: the code and the last four digits.
    page.goto(live_server.url + "/campaigns/cancel/")
    page.get_by_label("取消码").fill(registration.short_code.lower())
    page.get_by_label("报名手机号的后四位").fill("0001")
    _submit(page, "查找我的报名")
    _step(page, "campaign-event-cancel-confirm")
    _submit(page, "确认取消报名")
    _step(page, "campaign-event-cancelled")
    registration.refresh_from_db()
    assert registration.status == EventRegistration.Status.CANCELLED
