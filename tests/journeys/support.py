"""What every journey asserts the way an elderly citizen meets the page.

A journey walks one task at 360 x 740 in senior mode, at 大 ("normal") and 特大
("x-large"), with JavaScript on and off. After each step it asks: is the outcome on the
first screen, does anything scroll sideways, is every target at least 60 px and every
text at least 18 px? It saves a screenshot of each step under test-artifacts/journeys/.
"""

from pathlib import Path

import pytest

from tests.browser import CHROMIUM_ARGS, small_targets  # noqa: F401  (re-exported)
from tests.support import ARTIFACTS

PHONE = {"width": 360, "height": 740}
SIZES = {"da": "normal", "teda": "x-large"}  # 大, 特大
SHOTS = ARTIFACTS / "journeys"

SMALL_TEXT_JS = """(minimum) => {
    const small = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.textContent.trim()) continue;
        const el = node.parentElement;
        if (!el || el.closest('script, style, noscript, svg, [hidden], [aria-hidden=true]')) continue;
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (box.bottom < 0) continue;  // the skip link waits above the page until focused
        if (parseFloat(style.fontSize) < minimum - 0.01) {
            small.push(`${el.tagName} "${node.textContent.trim().slice(0, 20)}" ${style.fontSize}`);
        }
    }
    return small;
}"""


def senior_context(browser, live_server_url: str, *, size: str, javascript: bool, language="zh"):
    """A phone-sized browser context with senior mode and a text size already chosen."""
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN" if language == "zh" else "en-GB",
        java_script_enabled=javascript,
        bypass_csp=True,
    )
    host = live_server_url.split("//", 1)[1].split(":", 1)[0]
    cookies = [
        {"name": "elder_mode", "value": "1", "domain": host, "path": "/"},
        {"name": "text_size", "value": size, "domain": host, "path": "/"},
    ]
    if language == "en":
        cookies.append({"name": "django_language", "value": "en", "domain": host, "path": "/"})
    context.add_cookies(cookies)
    return context


@pytest.fixture(
    params=[(s, js) for s in SIZES for js in (True, False)],
    ids=lambda p: f"{p[0]}-{'js' if p[1] else 'nojs'}",
)
def senior_page(request, browser, live_server):
    """A page in senior mode at 大 and 特大, with and without JavaScript (four runs)."""
    size_key, javascript = request.param
    context = senior_context(browser, live_server.url, size=SIZES[size_key], javascript=javascript)
    page = context.new_page()
    page.journey_id = f"{size_key}-{'js' if javascript else 'nojs'}"
    page.javascript = javascript
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


def shoot(page, name: str) -> Path:
    """Save what the first screen shows now (not the full page: the first screen matters)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{getattr(page, 'journey_id', 'page')}.png"
    page.screenshot(path=str(path))
    return path


def assert_on_first_screen(page, selector: str) -> None:
    """The element is visible, wholly or from its top, within the first screen as it opens
    now (after the browser followed any #fragment), and it holds focus when JS runs."""
    element = page.locator(selector).first
    element.wait_for(state="visible")
    box = element.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    height = page.viewport_size["height"]
    assert 0 <= box["y"] < height - 40, (
        f"{selector} starts at y={box['y']:.0f}, not on the first screen"
    )
    if getattr(page, "javascript", True):
        focused = page.evaluate(
            "(sel) => { const el = document.querySelector(sel);"
            " return !!el && (el === document.activeElement || el.contains(document.activeElement)); }",
            selector,
        )
        assert focused, f"{selector} is on screen but not focused"


def assert_no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways: {width} px wide"


def assert_senior_sizes(page, *, target=60, text=18) -> None:
    """Every target ≥ 60 px in both directions and every visible text ≥ 18 px."""
    assert small_targets(page, target) == []
    assert page.evaluate(SMALL_TEXT_JS, text) == []


def assert_senior_page(page, outcome_selector: str | None = None, *, shot: str = "") -> None:
    """All the checks of one journey step; a screenshot when shot is given."""
    if shot:
        shoot(page, shot)
    if outcome_selector:
        assert_on_first_screen(page, outcome_selector)
    assert_no_sideways_scroll(page)
    assert_senior_sizes(page)
