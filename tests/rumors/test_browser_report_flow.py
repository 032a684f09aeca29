"""A citizen reports from a phone, a handler resolves it in admin, the citizen rates it."""

import pytest

from rumors.models import Report, Status
from tests.browser import run_axe, small_targets
from tests.rumors.images import image_bytes
from tests.support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def screenshot_file(tmp_path):
    path = tmp_path / "screenshot.png"
    path.write_bytes(image_bytes("PNG", size=(360, 640), color=(240, 240, 250)))
    return path


def test_report_resolve_and_rate_end_to_end(
    live_server,
    browser,
    phone_page,
    district_rules,
    lucheng_handler,
    screenshot_file,
    settings,
    tmp_path,
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    page = phone_page
    ARTIFACTS.mkdir(exist_ok=True)

    # The citizen, in senior mode on a 360 px phone.
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="长辈模式").click()
    page.goto(live_server.url + "/reports/new/")
    assert run_axe(page) == []
    assert small_targets(page, 60) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("举报类别").select_option("rumor")
    page.get_by_label("在哪个平台看到").select_option("wechat")
    page.get_by_label("举报内容").fill("群里说鹿城区自来水被污染了，让大家囤水，没有任何官方消息。")
    page.get_by_label("网址链接").fill("https://mp.weixin.qq.com/s/e2e")
    page.get_by_label("涉及县（市、区）（选填）").select_option("330302")
    page.get_by_label("截图证据（选填）").set_input_files(str(screenshot_file))
    page.screenshot(path=str(ARTIFACTS / "report-form-senior-360.png"), full_page=True)
    page.get_by_role("button", name="提交举报").click()
    page.wait_for_url("**/reports/submitted/#outcome")
    code = page.locator(".tracking-code").inner_text().strip()
    assert len(code) == 19
    page.screenshot(path=str(ARTIFACTS / "report-submitted-360.png"), full_page=True)
    report = Report.objects.get()
    assert report.status == Status.ROUTED
    assert report.evidence.count() == 1

    # The Lucheng handler resolves it in admin.
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = staff.new_page()
    admin.goto(live_server.url + "/admin/login/")
    admin.fill("#id_username", lucheng_handler.username)
    admin.fill("#id_password", "correct horse battery staple")
    admin.click("input[type=submit]")
    admin.goto(live_server.url + f"/admin/rumors/report/{report.pk}/change/")
    admin.locator("#action-resolve summary").click()
    admin.fill(
        "#id_resolve-feedback", "经核实，鹿城区供水水质检测全部合格，该消息为谣言，平台已删除。"
    )
    admin.click("#action-resolve input[type=submit]")
    admin.wait_for_load_state()
    assert "已完成" in admin.content()
    admin.screenshot(path=str(ARTIFACTS / "admin-report-resolved.png"), full_page=True)
    staff.close()

    # The citizen follows up with the code typed in lower case without dashes.
    page.goto(live_server.url + "/reports/track/")
    page.get_by_label("查询码").fill(code.replace("-", "").lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert "水质检测全部合格" in page.locator(".outcome").inner_text()
    assert "已反馈" in page.locator("#status-heading").inner_text()
    assert run_axe(page) == []
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "谢谢您的评价" in page.content()
    page.screenshot(path=str(ARTIFACTS / "report-tracked-rated-360.png"), full_page=True)
    report.refresh_from_db()
    assert report.rating == "satisfied"
