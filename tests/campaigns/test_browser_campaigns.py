"""A citizen signs a pledge and votes on a phone; an editor publishes a campaign in admin."""

import re

import pytest

from campaigns.models import Campaign, Candidate, Signature, Vote
from tests.browser import run_axe
from tests.campaigns.test_campaigns import make_campaign
from tests.support import ARTIFACTS
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _last_code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


def test_sign_a_pledge_and_vote_at_phone_width(live_server, phone_page, settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    pledge = make_campaign("pledge", title="文明上网签名")
    vote = make_campaign("vote", title="最美骑手评选", votes_per_day=1)
    Candidate.objects.create(
        campaign=vote, name="骑手小王", story="暴雨夜救人。", status="approved"
    )
    page = phone_page

    page.goto(live_server.url + pledge.get_absolute_url())
    page.get_by_label("手机号码").fill("13812345678")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_load_state()
    page.get_by_label("短信验证码").fill(_last_code())
    page.get_by_label("署名").fill("李阿姨")
    page.get_by_role("button", name="确认签名").click()
    page.wait_for_load_state()
    assert "签名成功" in page.locator("h1").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="保存证书图片（手机）").click()
    assert download_info.value.suggested_filename == "pledge-1.png"
    assert Signature.objects.get().display_name == "李阿姨"
    page.goto(live_server.url + pledge.get_absolute_url())
    assert "李**" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []

    page.goto(live_server.url + vote.get_absolute_url())
    page.get_by_label("手机号码").fill("13812345678")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_load_state()
    page.get_by_label("短信验证码").fill(_last_code())
    page.get_by_role("button", name="验证手机号").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="投给骑手小王").click()
    page.wait_for_load_state()
    assert "投票成功" in page.content()
    assert Vote.objects.count() == 1
    assert run_axe(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "campaign-vote-360.png"), full_page=True)


def test_an_editor_creates_and_publishes_a_campaign_that_appears_in_the_list(
    live_server, browser, phone_page, make_staff
):
    from wenzhou_portal.roles import Role

    editor = make_staff("lin_jing", Role.CAMPAIGN_EDITOR)
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = staff.new_page()
    admin.goto(live_server.url + "/admin/login/")
    admin.fill("#id_username", editor.username)
    admin.fill("#id_password", "correct horse battery staple")
    admin.click("input[type=submit]")
    admin.goto(live_server.url + "/admin/campaigns/campaign/add/")
    admin.fill("#id_title", "青少年网络素养宣讲（瓯海站）")
    # The slug is left blank: it is made from the title in pinyin.
    admin.select_option("#id_kind", "event")
    admin.fill("#id_summary", "走进瓯海区中小学，讲防诈骗与防沉迷。")
    admin.fill("#id_starts_at_0", "2026-01-01")
    admin.fill("#id_starts_at_1", "09:00:00")
    admin.fill("#id_ends_at_0", "2030-12-31")
    admin.fill("#id_ends_at_1", "18:00:00")
    admin.fill("#id_capacity", "50")
    admin.click("input[name=_save]")
    admin.wait_for_load_state()
    campaign = Campaign.objects.get(title="青少年网络素养宣讲（瓯海站）")
    assert campaign.slug == "qing-shao-nian-wang-luo-su-yang-xuan-jiang-ou-hai-zhan"
    assert not campaign.is_published
    admin.goto(live_server.url + "/admin/campaigns/campaign/")
    admin.check(f"input[name=_selected_action][value='{campaign.pk}']")
    admin.select_option("select[name=action]", "publish")
    admin.click("button[name=index]")
    admin.wait_for_load_state()
    assert "已发布，公众现在可以看到它" in admin.locator(".messagelist").inner_text()
    staff.close()
    campaign.refresh_from_db()
    assert campaign.is_published

    page = phone_page
    page.goto(live_server.url + "/campaigns/")
    assert "青少年网络素养宣讲（瓯海站）" in page.content()
