"""Giving on a phone in senior mode: through the organisation's own provider, or a platform.

王阿姨 opens a project at 360 px (大 and 特大, with and without JavaScript), types an
amount the site cannot read, is told why at the top with her name and message kept, picks
50 元, checks the summary, pays at the (simulated) gateway, and lands on her receipt; the
project's progress has moved. 陈伯 opens a project raised on a designated platform and is
sent there (the platform is stubbed: the test never reaches the internet). After every
step the answer is on the first screen, nothing scrolls sideways, every target and text is
senior-sized; screenshots are saved under test-artifacts/journeys/.
"""

import pytest

from charity.models import Donation, DonationStatus, ProjectStatus
from tests.browser import run_axe
from tests.charity import makers
from tests.journeys.support import assert_senior_page, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLATFORM_URL = "https://gongyi.example.org/projects/4242"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _step(page, shot: str, outcome: str | None = "#outcome") -> None:
    assert_senior_page(page, outcome, shot=shot)
    if page.javascript:  # axe-core needs script; the no-JS runs share the same markup
        assert run_axe(page) == []


def _click(page, role: str, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def test_a_citizen_gives_50_yuan_and_sees_her_receipt_and_the_progress(senior_page, live_server):
    org = makers.organisation(name="温州市乐善公益基金会")
    project = makers.project(
        org,
        status=ProjectStatus.FUNDRAISING,
        title="山区留守老人“暖心食堂”",
        donation_channel="own",
        payment_provider="simulated",
        target_fen=10_000,  # 100 yuan
    )
    page = senior_page
    page.goto(live_server.url + project.get_absolute_url())
    assert "0 元" in page.locator("#money").inner_text()
    _step(page, "donate-1-project", None)

    _click(page, "link", "我要捐赠")
    _step(page, "donate-2-form", None)

    # A mistake first: letters where the amount goes. Told why, at the top; nothing lost.
    page.get_by_label("其他金额", exact=True).check()
    page.get_by_label("其他金额（元）").fill("五十")
    page.get_by_label("署名（选填）").fill("王阿姨")
    page.get_by_label("留言（选填）").fill("祝老人们身体健康")
    _click(page, "button", "下一步：核对信息")
    _step(page, "donate-3-amount-refused")
    assert "请用数字填写金额" in page.locator("#outcome").inner_text()
    assert page.get_by_label("署名（选填）").input_value() == "王阿姨"
    assert page.get_by_label("留言（选填）").input_value() == "祝老人们身体健康"

    page.get_by_label("其他金额（元）").fill("")
    page.get_by_label("50 元").check()
    _click(page, "button", "下一步：核对信息")
    _step(page, "donate-4-confirm")
    summary = page.locator("#outcome").inner_text()
    assert "50 元" in summary
    assert "王阿姨" in summary
    assert "温州市乐善公益基金会" in summary

    _click(page, "button", "确认并前往支付")
    _step(page, "donate-5-gateway")
    assert "模拟支付网关" in page.content()

    _click(page, "button", "支付 ¥50.00")
    _step(page, "donate-6-receipt")
    receipt = page.locator("#outcome").inner_text()
    assert "已到账" in receipt
    assert "50 元" in receipt
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.PAID
    assert donation.reference[:4] in page.locator(".receipt-reference").inner_text()
    assert page.get_by_role("button", name="撤销这笔捐赠并全额退款").is_visible()

    # Where the money is: the project's public ledger, its rows behind each total.
    _click(page, "link", "查看项目账目")
    _step(page, "donate-7-ledger", None)
    page.get_by_role("link", name="收到捐赠").click()
    page.wait_for_load_state()
    _step(page, "donate-8-ledger-donations", "#rows")
    assert donation.reference_display in page.locator(".ledger-rows").inner_text()

    # Later she checks her receipt by typing its number, full-width, with Chinese dashes.
    _click(page, "link", "核验捐赠凭证")
    typed = "".join(
        chr(ord(c) + 0xFEE0) if c.isalnum() else "－" for c in donation.reference_display
    )
    page.get_by_label("捐赠凭证号").fill(typed)
    _click(page, "button", "核验")
    _step(page, "donate-9-verified")
    assert "已到账" in page.locator("#outcome").inner_text()

    _click(page, "link", "返回项目页")
    money = page.locator("#money").inner_text()
    assert "50 元" in money
    assert "已达到目标的 50%" in money
    page.locator("#money").scroll_into_view_if_needed()
    shoot(page, "donate-10-progress")
    _step(page, "donate-10-project-after", None)


def test_a_citizen_on_a_platform_project_is_sent_to_the_platform(senior_page, live_server):
    org = makers.organisation(2, name="温州市慈善总会")
    project = makers.project(
        org,
        status=ProjectStatus.FUNDRAISING,
        title="泰顺山区助学",
        donation_platform="腾讯公益",
        donation_channel="platform",
        donation_url=PLATFORM_URL,
    )
    page = senior_page
    reached = []

    def platform(route):
        reached.append(route.request.url)
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body="<!doctype html><html lang='zh'><title>腾讯公益</title><h1>腾讯公益 · 泰顺山区助学</h1></html>",
        )

    page.route("https://gongyi.example.org/**", platform)
    page.goto(live_server.url + project.get_absolute_url())
    money = page.locator("#money").inner_text()
    assert "退款规则" in money
    assert "本平台不经手善款" in money
    assert page.get_by_role("link", name="我要捐赠").count() == 0
    link = page.get_by_role("link", name="前往腾讯公益捐赠")
    assert link.get_attribute("rel") == "noopener"
    page.locator("#money").scroll_into_view_if_needed()
    shoot(page, "donate-platform-project")
    _step(page, "donate-platform-project-top", None)

    _click(page, "link", "前往腾讯公益捐赠")
    assert page.url == PLATFORM_URL
    assert reached == [PLATFORM_URL]
    assert "腾讯公益" in page.locator("h1").inner_text()
