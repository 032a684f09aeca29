"""Browser-test fixtures: Debian's Chromium driven by Playwright, never a downloaded browser."""

import os
import shutil
from pathlib import Path

import pytest

from tests.support import ARTIFACTS, require_service

# Playwright's sync API runs an event loop in this thread; the Django test database is
# still touched only synchronously, between browser calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    require_service(
        Path(CHROMIUM).exists() or bool(shutil.which(CHROMIUM)),
        f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser, request):
    """A phone-sized page; a screenshot is kept when the test fails."""
    # bypass_csp lets the test inject axe-core; the site itself never needs inline code.
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


def run_axe(page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page and return the violations."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)
            }));
        }"""
    )


SMALL_TARGETS_JS = """(minimum) => {
    const small = [];
    for (const el of document.querySelectorAll('a[href], button, input[type=submit], select')) {
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none' || el.hidden) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (box.bottom < 0) continue;  // the skip link waits above the page until focused
        if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
            const label = el.textContent.trim().slice(0, 20);
            const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
            small.push(`${el.tagName} "${label}" ${size}`);
        }
    }
    return small;
}"""


def small_targets(page, minimum: int) -> list[str]:
    return page.evaluate(SMALL_TARGETS_JS, minimum)
