"""Filing a report as a newcomer on a phone in senior mode, with and without JavaScript.

She pastes what Douyin's share button copied, types her number with spaces, writes too
little and picks one photo the site cannot read beside a good screenshot. The error
summary is the first thing she sees; her words, her number and the good screenshot are
still there. She corrects the text, files the report, sees her tracking code first, opens
her private link, and later looks the report up with the code typed full-width with
Chinese dashes. When she files too often, the form comes back with everything kept and
says when to try again; going Back is no error.
"""

import time

import pytest
from django.core.cache import cache

from rumors.models import Report
from tests.browser import run_axe
from tests.journeys.support import (
    SHOTS,
    SIZES,
    assert_no_sideways_scroll,
    assert_senior_page,
    assert_senior_sizes,
    senior_context,
    shoot,
)
from tests.rumors.conftest import (  # noqa: F401  (fixtures)
    district_rules,
    longwan_office,
    lucheng_office,
)
from tests.rumors.images import image_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("district_rules"),
]

DOUYIN = (
    "7.43 复制打开抖音，看看【温州文明的作品】我们的城市 https://v.douyin.com/iRNBxyz/ "
    "a@B.xX 09/12 :/ "
)
WHAT_SHE_SAW = "视频说江心屿下个月要拆掉建酒店，让大家赶紧去看最后一眼，还要转发给亲戚。"


@pytest.fixture
def files(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    good = tmp_path / "photo1.png"
    good.write_bytes(image_bytes("PNG", size=(360, 640), color=(240, 240, 250)))
    bad = tmp_path / "photo3.heic"
    bad.write_bytes(b"ftypheic" + b"\0" * 400)  # an iPhone photo format the site cannot read
    yield good, bad
    cache.clear()


def _first_screen_shows(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    assert 0 <= box["y"] < page.viewport_size["height"] - 40, f"{selector} at y={box['y']:.0f}"


def _fill_report(page, *, content: str) -> None:
    page.get_by_label("举报类别").select_option("rumor")
    page.get_by_label("在哪个平台看到").select_option("douyin")
    page.get_by_label("举报内容").fill(content)


def test_a_newcomer_files_a_report_after_one_mistake_and_follows_it(
    senior_page, live_server, files
):
    page = senior_page
    good, bad = files
    page.goto(live_server.url + "/reports/new/")
    assert_senior_page(page, shot="report-1-form")

    # First try: too little text, one unreadable photo beside a good screenshot.
    _fill_report(page, content="要拆了")
    page.get_by_label("网址链接").fill(DOUYIN)
    page.get_by_label("截图证据（选填）").set_input_files([str(good), str(bad)])
    page.get_by_label("手机号码（选填）").fill("138 1234 5678")
    page.get_by_label("我同意网信办和处置部门通过以上方式联系我，告知办理进展。").check()
    page.get_by_role("button", name="提交举报").click()
    page.wait_for_load_state()
    assert page.url.endswith("/reports/new/#outcome")
    assert_senior_page(page, "#outcome", shot="report-2-mistake")
    outcome = page.locator("#outcome").inner_text()
    assert "请至少写 10 个字，说清楚看到了什么" in outcome
    assert "photo3.heic" in outcome
    assert "您已填写的内容都还在" in outcome
    assert "已选的 1 张图片也保留着" in outcome
    # Everything she typed and chose is still there, and the page says what it read.
    assert page.get_by_label("网址链接").input_value() == DOUYIN
    assert page.get_by_label("手机号码（选填）").input_value() == "138 1234 5678"
    assert "我们会记下的号码：138 1234 5678" in page.locator("#phone-to-store").inner_text()
    assert "https://v.douyin.com/iRNBxyz/" in page.locator("#url-context-note").inner_text()
    assert "已保留：photo1.png" in page.locator("#held-files").inner_text()
    page.screenshot(
        path=str(SHOTS / f"report-2-mistake-full-{page.journey_id}.png"), full_page=True
    )
    if page.javascript:  # axe-core runs as a script in the page
        assert run_axe(page) == []
    # The summary's link takes her to the field to fix.
    page.locator("#outcome a[href='#id_content']").click()
    assert page.evaluate("document.activeElement.id") == "id_content" or not page.javascript

    # She writes what she saw and sends it again, without choosing the photo again.
    page.get_by_label("举报内容").fill(WHAT_SHE_SAW)
    page.get_by_role("button", name="提交举报").click()
    page.wait_for_url("**/reports/submitted/#outcome")
    assert_senior_page(page, "#outcome", shot="report-3-submitted")
    outcome = page.locator("#outcome").inner_text()
    assert "举报已提交" in outcome
    assert "我们将用 138****5678 联系您" in outcome
    code = page.locator(".tracking-code").inner_text().strip()
    report = Report.objects.get()
    assert report.formatted_tracking_code == code
    assert report.url == "https://v.douyin.com/iRNBxyz/"
    assert "【温州文明的作品】我们的城市" in report.content
    assert report.contact_phone == "13812345678"
    assert report.evidence.count() == 1
    if page.javascript:
        assert run_axe(page) == []

    # Later she follows it from her private link ...
    path = page.locator("a.btn", has_text="查询处理进度").get_attribute("href")
    page.goto(live_server.url + path)
    shoot(page, "report-4-private-link")
    _first_screen_shows(page, "#status-heading")
    assert_no_sideways_scroll(page)
    assert_senior_sizes(page)

    # ... and looks it up with the code typed on a Chinese keyboard.
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code)
    typed = typed.replace("-", "－", 1).replace("-", "一", 1).replace("-", " — ", 1)
    page.goto(live_server.url + "/reports/track/")
    page.get_by_label("查询码").fill(typed)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert_senior_page(page, "#outcome", shot="report-5-lookup")
    assert "当前状态" in page.locator("#outcome").inner_text()


def test_a_newcomer_files_with_a_spaced_number_and_a_douyin_share_text_on_the_first_try(
    senior_page, live_server, files
):
    page = senior_page
    page.goto(live_server.url + "/reports/new/")
    _fill_report(page, content=WHAT_SHE_SAW)
    page.get_by_label("网址链接").fill(DOUYIN)
    page.get_by_label("手机号码（选填）").fill("138 1234 5678")
    page.get_by_label("我同意网信办和处置部门通过以上方式联系我，告知办理进展。").check()
    page.get_by_role("button", name="提交举报").click()
    page.wait_for_url("**/reports/submitted/#outcome")
    assert_senior_page(page, "#outcome", shot="report-first-try")
    assert "举报已提交" in page.locator("#outcome").inner_text()
    report = Report.objects.get()
    assert report.url == "https://v.douyin.com/iRNBxyz/"
    assert report.contact_phone == "13812345678"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_sixth_report_in_a_minute_keeps_the_form_and_back_is_no_error(
    browser, live_server, files, javascript
):
    context = senior_context(browser, live_server.url, size=SIZES["teda"], javascript=javascript)
    page = context.new_page()
    page.javascript = javascript
    page.journey_id = f"teda-{'js' if javascript else 'nojs'}"
    good, _bad = files
    # The per-minute budget counts in calendar-minute windows: six submissions straddling a
    # minute boundary are two windows, and the sixth would rightly be accepted. Start them
    # early in a minute (they take about 15 s).
    seconds_into_minute = time.time() % 60
    if seconds_into_minute > 20:
        time.sleep(60 - seconds_into_minute + 0.5)
    try:
        for number in range(6):
            page.goto(live_server.url + "/reports/new/")
            _fill_report(page, content=f"第 {number + 1} 条：{WHAT_SHE_SAW}")
            page.get_by_label("网址链接").fill(DOUYIN)
            if number == 5:
                page.get_by_label("截图证据（选填）").set_input_files(str(good))
            page.get_by_role("button", name="提交举报").click()
            page.wait_for_load_state()
        assert Report.objects.count() == 5
        assert page.url.endswith("/reports/new/#outcome")
        assert_senior_page(page, "#outcome", shot="report-6-too-often")
        outcome = page.locator("#outcome").inner_text()
        assert "请在 1 分钟后再提交，您填写的内容都还在" in outcome
        assert page.get_by_label("举报内容").input_value() == f"第 6 条：{WHAT_SHE_SAW}"
        assert page.get_by_label("网址链接").input_value() == DOUYIN
        assert "已保留：photo1.png" in page.locator("#held-files").inner_text()

        # Back is the form again, not an error.
        response = page.go_back()
        page.wait_for_load_state()
        assert response is not None
        assert response.status == 200
        assert page.url.endswith("/reports/new/")
        assert page.get_by_role("button", name="提交举报").is_visible()
        shoot(page, "report-7-back")
    finally:
        context.close()
