"""A citizen finds a debunk on a phone; staff publish one and three reporters see it."""

import pytest

from rumors import services
from tests.browser import run_axe
from tests.rumors.conftest import report_input
from tests.support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_a_debunk_for_three_reports_then_citizens_find_it(
    live_server, browser, phone_page, debunk, district_rules, office_admin
):
    reports = []
    for i in range(3):
        report = services.report_submit(
            data=report_input(content=f"第{i + 1}位市民：群里说鹿城区要全面停水三天。")
        )
        services.report_link_debunk(report_id=report.pk, actor=office_admin, debunk_id=debunk.pk)
        reports.append(report)

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = staff.new_page()
    admin.goto(live_server.url + "/admin/login/")
    admin.fill("#id_username", office_admin.username)
    admin.fill("#id_password", "correct horse battery staple")
    admin.click("input[type=submit]")
    admin.goto(live_server.url + f"/admin/rumors/debunk/{debunk.pk}/change/")
    assert "3 条关联举报将自动办结" in admin.content()
    admin.click("input[value='发布辟谣']")
    admin.wait_for_load_state()
    assert "已发布" in admin.content()
    staff.close()

    page = phone_page
    for report in reports:
        page.goto(live_server.url + "/reports/track/")
        page.get_by_label("查询码").fill(report.formatted_tracking_code)
        page.get_by_role("button", name="查询").click()
        page.wait_for_load_state()
        assert "/debunks/water-cut-rumor/" in page.locator(".outcome").inner_text()
        assert "已反馈" in page.locator("#status-heading").inner_text()

    page.goto(live_server.url + "/debunks/")
    page.get_by_label("搜索").fill("停水")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="“鹿城区全面停水三天”系谣言").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "“鹿城区全面停水三天”系谣言"
    assert "谣言" in page.locator(".verdict").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "debunk-detail-360.png"), full_page=True)
