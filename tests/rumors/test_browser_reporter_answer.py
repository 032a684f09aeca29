"""On a 360 px phone, a reporter keeps the private link and answers a request for more
information, with JavaScript and without it (issue 12)."""

import pytest

from rumors import services
from rumors.models import EventKind, Evidence, Report, ReportEvent, Status
from tests.browser import PHONE, run_axe, small_targets
from tests.rumors.images import image_bytes
from tests.support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "请问您是在哪个微信群看到的？请补充群名称和聊天记录截图。"
ANSWER = "是在“鹿城买菜群”里看到的，截图在下面。"


@pytest.fixture
def screenshot_file(tmp_path):
    path = tmp_path / "chat.png"
    path.write_bytes(image_bytes("PNG", size=(360, 640), color=(230, 245, 230)))
    return path


@pytest.fixture
def site(live_server, settings, tmp_path):
    """The live server is the portal's public address; evidence goes to a scratch folder."""
    settings.SITE_URL = live_server.url
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


@pytest.fixture
def waiting(routed, lucheng_handler):
    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    services.report_pause(report_id=routed.pk, actor=lucheng_handler, request_text=QUESTION)
    routed.refresh_from_db()
    return routed


@pytest.fixture
def no_script_page(browser):
    """A phone whose browser runs no JavaScript at all."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def _answer_on(page, site, report, screenshot_file, name: str, *, audit: bool = False) -> None:
    page.goto(f"{site}/reports/track/{report.tracking_code.lower()}/")
    # Senior mode is switched on from the private link itself: its form posts must pass
    # the CSRF check under the page's referrer policy.
    page.get_by_role("button", name="长辈模式").click()
    page.wait_for_url(f"**/reports/track/{report.tracking_code.lower()}/")
    assert "elder-mode" in (page.locator("html").get_attribute("class") or "")
    assert QUESTION in page.locator(".staff-request").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if audit:  # axe runs as a script in the page
        assert run_axe(page) == []
        assert small_targets(page, 60) == []
    page.screenshot(path=str(ARTIFACTS / f"answer-request-{name}-360.png"), full_page=True)
    page.get_by_label("补充内容").fill(ANSWER)
    page.get_by_label("补充截图（选填）").set_input_files(str(screenshot_file))
    page.get_by_role("button", name="提交补充").click()
    page.wait_for_url(f"**/reports/track/{report.tracking_code}/#outcome")
    assert "您的补充已提交" in page.content()
    assert ANSWER in page.locator(".timeline").inner_text()
    assert page.locator(".answer-form").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"answer-sent-{name}-360.png"), full_page=True)
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    event = ReportEvent.objects.get(report=report, kind=EventKind.REPORTER_ANSWERED)
    assert event.public_text == ANSWER
    assert Evidence.objects.filter(event=event).count() == 1


def test_the_reporter_answers_with_javascript(site, phone_page, waiting, screenshot_file):
    page = phone_page
    referers = []
    page.on("request", lambda request: referers.append(request.headers.get("referer", "")))
    page.goto(f"{site}/reports/track/{waiting.tracking_code}/")
    assert run_axe(page) == []
    # Nothing the private link's page asks for carries its path (and so the code).
    assert referers
    assert not [r for r in referers if waiting.tracking_code in r.upper()]
    _answer_on(page, site, waiting, screenshot_file, "js", audit=True)
    assert small_targets(page, 60) == []
    assert run_axe(page) == []


def test_the_reporter_answers_without_javascript(site, no_script_page, waiting, screenshot_file):
    _answer_on(no_script_page, site, waiting, screenshot_file, "nojs")


def test_a_blank_answer_is_explained_on_the_page(site, no_script_page, waiting):
    page = no_script_page
    page.goto(f"{site}/reports/track/{waiting.tracking_code}/")
    # Spaces pass the browser's own "required" check; the server answers in the form.
    page.get_by_label("补充内容").fill("   ")
    page.get_by_role("button", name="提交补充").click()
    page.wait_for_load_state()
    assert "请填写您要补充的内容" in page.content() or "必填" in page.content()
    page.screenshot(path=str(ARTIFACTS / "answer-blank-nojs-360.png"), full_page=True)
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING_REPORTER


def test_the_confirmation_page_keeps_the_code_and_opens_the_private_link(
    site, browser, district_rules
):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page = context.new_page()
    try:
        page.goto(f"{site}/reports/new/")
        page.get_by_label("举报类别").select_option("rumor")
        page.get_by_label("在哪个平台看到").select_option("wechat")
        page.get_by_label("举报内容").fill("群里说鹿城区明天全面停水，让大家赶紧囤水。")
        page.get_by_label("网址链接").fill("https://mp.weixin.qq.com/s/keep-the-code")
        page.get_by_label("涉及县（市、区）（选填）").select_option("330302")
        page.get_by_role("button", name="提交举报").click()
        page.wait_for_url("**/reports/submitted/#outcome")
        report = Report.objects.get()
        private_url = f"{site}/reports/track/{report.tracking_code}/"
        assert page.locator("#private-link").inner_text() == private_url
        assert page.locator(".qr img").evaluate("img => img.naturalWidth > 0")
        assert "无法找回" in page.locator(".notice").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert run_axe(page) == []
        copy = page.get_by_role("button", name="复制链接")
        copy.click()
        page.wait_for_function(
            "document.querySelector('.copy-status').textContent.length > 0", timeout=5000
        )
        assert page.evaluate("navigator.clipboard.readText()") == private_url
        page.screenshot(path=str(ARTIFACTS / "report-submitted-keep-code-360.png"), full_page=True)
        page.get_by_role("link", name="查询处理进度").click()
        page.wait_for_url(f"**/reports/track/{report.tracking_code}/")
        assert page.get_by_label("查询码").input_value() == report.formatted_tracking_code
        assert "当前状态" in page.content()
    finally:
        context.close()


def test_without_javascript_the_copy_button_stays_hidden(site, no_script_page, filed_in_session):
    page = no_script_page
    page.context.add_cookies([filed_in_session])
    page.goto(f"{site}/reports/submitted/")
    assert page.get_by_role("button", name="复制链接").count() == 0
    assert page.locator("#private-link").is_visible()
    page.screenshot(path=str(ARTIFACTS / "report-submitted-nojs-360.png"), full_page=True)


@pytest.fixture
def filed_in_session(site, submit, district_rules):
    """A session cookie for a browser that has just filed a report."""
    from django.conf import settings as django_settings
    from django.contrib.sessions.backends.db import SessionStore

    from rumors.views import SUBMITTED_SESSION_KEY

    report = submit()
    session = SessionStore()
    session[SUBMITTED_SESSION_KEY] = report.tracking_code
    session.save()
    return {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": session.session_key,
        "url": site,
    }
