"""A citizen on a phone: language switch, senior mode and accessibility of the base layout."""

import pytest

from tests.browser import run_axe, small_targets
from tests.support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT_METRICS_JS = """() => {
    const p = document.querySelector('main p');
    const style = getComputedStyle(p);
    return {
        fontSize: parseFloat(style.fontSize),
        lineHeight: parseFloat(style.lineHeight),
        marginBottom: parseFloat(style.marginBottom),
    };
}"""


def test_home_page_at_phone_width_in_both_languages_and_senior_mode(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").inner_text() == "共建清朗网络空间"
    # Nothing sticks out sideways at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []
    assert small_targets(page, 44) == []

    # Language, text size and the full navigation sit in the one menu of the header.
    page.locator("summary.menu-button").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Report" in page.locator(".top-tasks").inner_text()
    assert run_axe(page) == []
    page.locator("summary.menu-button").click()
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"

    page.get_by_role("button", name="长辈模式").click()
    page.wait_for_load_state()
    assert "elder-mode" in page.locator("html").get_attribute("class")
    metrics = page.evaluate(TEXT_METRICS_JS)
    assert metrics["fontSize"] >= 18
    assert metrics["lineHeight"] / metrics["fontSize"] >= 1.3
    # Paragraphs are set further apart than lines are.
    assert metrics["marginBottom"] > metrics["lineHeight"] - metrics["fontSize"]
    assert small_targets(page, 60) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []

    page.locator("summary.menu-button").click()
    page.get_by_role("button", name="特大").click()
    page.wait_for_load_state()
    assert page.evaluate(TEXT_METRICS_JS)["fontSize"] > metrics["fontSize"]
    assert small_targets(page, 60) == []

    # The mode is remembered: a fresh visit in the same browser is still in senior mode.
    page.goto(live_server.url + "/reports/")
    assert "elder-mode" in page.locator("html").get_attribute("class")
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url + "/")
    page.screenshot(path=str(ARTIFACTS / "home-senior-mode-360.png"), full_page=True)


def test_keyboard_reaches_the_navigation_with_a_visible_focus(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "跳到主要内容"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_read_aloud_button_appears_only_where_speech_synthesis_exists(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    has_speech = page.evaluate("'speechSynthesis' in window")
    page.locator("summary.menu-button").click()
    assert page.locator("#read-aloud").is_visible() == has_speech


def test_without_javascript_no_control_that_needs_it_is_shown(live_server, browser):
    """The read-aloud button needs script; its hidden attribute must win over .btn."""
    from tests.browser import PHONE

    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.locator("#read-aloud").count() >= 1
        page.locator("summary.menu-button").click()
        assert page.locator("nav[aria-label='主导航']").is_visible()
        assert not page.locator("#read-aloud").first.is_visible()
    finally:
        context.close()
