"""An elderly citizen on a phone in senior mode walks /charity/ → a project → its organisation.

At 360 px, at 大 and 特大, with JavaScript on and off: nothing scrolls sideways, every
target is at least 60 px and every text at least 18 px; the project shows its filing
number with the 慈善中国 link and when its next disclosure is due.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from charity import services
from tests.browser import run_axe
from tests.charity import makers
from tests.journeys.support import assert_senior_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register(transactional_db, make_staff):
    from django.apps import apps

    from wenzhou_portal.roles import Role, roles_sync

    roles_sync(apps)  # transactional tests flush the groups the data migration made
    reviewer = make_staff("zhang_wei_reviewer", Role.CHARITY_REVIEWER)
    pact = makers.pact()
    org = makers.organisation(signed=pact, name="温州市乐善公益基金会")
    today = timezone.localdate()
    project = makers.project(
        org,
        status="fundraising",
        title="山区留守老人“暖心食堂”",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=120),
    )
    services.disclosure_publish(
        organisation_id=org.pk,
        project_id=project.pk,
        kind="periodic",
        title="第一季度执行情况",
        summary="已为 300 名老人送餐 90 天。",
        document_date=today - timedelta(days=10),
        upload=makers.pdf(),
        actor=reviewer,
    )
    return {"organisation": org, "project": project}


def test_from_charity_to_a_project_and_its_organisation_in_senior_mode(
    live_server,
    senior_page,
    register,
):
    page = senior_page
    project = register["project"]
    page.goto(live_server.url + "/charity/")
    assert "本平台不经手善款" in page.content()
    assert_senior_page(page, shot="charity-landing")

    page.get_by_role("link", name=project.title).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == project.title
    assert "下次信息公开截止" in page.content()
    assert project.filing_number in page.content()
    check = page.get_by_role("link", name="打开“慈善中国”查询备案")
    assert check.get_attribute("href") == "https://cszg.mca.gov.cn/"
    assert "第一季度执行情况" in page.content()
    assert_senior_page(page, shot="charity-project")
    if page.javascript:  # axe needs scripts; the no-JS run checks the rest
        assert run_axe(page) == []

    page.get_by_role("link", name="温州市乐善公益基金会").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "温州市乐善公益基金会"
    assert "已签署第 1 版" in page.content()
    assert_senior_page(page, shot="charity-organisation")
    if page.javascript:  # axe needs scripts; the no-JS run checks the rest
        assert run_axe(page) == []


def test_filtering_by_district_works_without_javascript(live_server, senior_page, register):
    page = senior_page
    page.goto(live_server.url + "/charity/")
    if page.locator("details.filters:not([open])").count():
        page.locator("details.filters > summary").click()
    page.get_by_label("县（市、区）").select_option("330329")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert "没有符合条件的正在募捐的项目" in page.content()
    assert_senior_page(page, shot="charity-filtered")


def test_a_mistyped_code_is_answered_first_on_the_screen(live_server, senior_page, register):
    page = senior_page
    page.goto(live_server.url + "/charity/apply/")
    good = makers.code_for(77)
    page.get_by_label("组织名称").fill("温州市瓯海区春晖助学促进会")
    page.get_by_label("统一社会信用代码").fill(good[:17] + ("0" if good[17] != "0" else "1"))
    page.get_by_label("登记管理机关").fill("瓯海区民政局")
    page.get_by_label("所在县（市、区）").select_option("330304")
    page.get_by_label("联系人").fill("周老师")
    page.get_by_label("联系电话").fill("0577-86660000")
    page.get_by_label("签署人姓名").fill("周明")
    page.get_by_label("签署人职务").fill("会长")
    page.get_by_label("我已阅读").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert "校验码" in page.locator("#outcome").inner_text()
    assert_senior_page(page, "#outcome", shot="charity-apply-refused")
