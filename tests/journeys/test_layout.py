"""The header an elderly citizen meets on every page, on a 360 x 740 phone in senior mode.

At 大 the header (name, top tasks, call, menu button) ends within a quarter of the first
screen, at 特大 within a third, in Chinese and in English, with JavaScript on and off; its
menu opens without JavaScript and its links work; nothing scrolls sideways; every target
and text is senior-sized; axe-core finds nothing; read-aloud shows only where it can work.
"""

import pytest
from django.utils import timezone

from tests.browser import run_axe
from tests.journeys.support import (
    SIZES,
    assert_no_sideways_scroll,
    assert_senior_sizes,
    senior_context,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN_HEIGHT = 740
HEADER_LIMIT = {"da": SCREEN_HEIGHT / 4, "teda": SCREEN_HEIGHT / 3}  # 185 px, 246 px
PAGES = {
    "home": "/",
    "report-form": "/reports/new/",
    "debunks": "/debunks/",
    "index": "/index/",
    "campaigns": "/campaigns/",
}
HEADER_BOTTOM_JS = "document.querySelector('.site-header').getBoundingClientRect().bottom"
# Header controls whose label spills out of their box (a long English word, say).
SPILLED_LABELS_JS = """() => [...document.querySelectorAll('.site-header a, .site-header summary')]
    .filter(el => el.checkVisibility() && el.scrollWidth > el.clientWidth + 1)
    .map(el => `${el.textContent.trim().slice(0, 20)} ${el.scrollWidth}>${el.clientWidth}`)"""
RUNS = [
    (size, language, javascript)
    for size in SIZES
    for language in ("zh", "en")
    for javascript in (True, False)
]


def axe(page, browser, live_server, *, menu_open: bool = False) -> list[dict]:
    """axe-core's violations for the page. axe needs script, so a page opened without
    JavaScript is checked as a twin: the same URL in a context whose own scripts are
    blocked (the page's DOM is then the one a no-JS browser shows)."""
    if page.javascript:
        return run_axe(page)
    size, language = page.run
    context = senior_context(
        browser, live_server.url, size=SIZES[size], javascript=True, language=language
    )
    try:
        twin = context.new_page()
        twin.route(
            "**/static/js/**", lambda route: route.fulfill(body="", content_type="text/javascript")
        )
        twin.goto(page.url)
        if menu_open:
            twin.locator("summary.menu-button").click()
        return run_axe(twin)
    finally:
        context.close()


def _run_id(run) -> str:
    size, language, javascript = run
    return f"{size}-{language}-{'js' if javascript else 'nojs'}"


@pytest.fixture(autouse=True)
def _index_method(transactional_db):
    """Transactional tests flush the rows data migrations made; the index needs its method."""
    from civility_index.defaults import ensure_default_method

    ensure_default_method()


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_(size: str, language: str, javascript: bool):
        context = senior_context(
            browser, live_server.url, size=SIZES[size], javascript=javascript, language=language
        )
        contexts.append(context)
        page = context.new_page()
        page.journey_id = f"{size}-{language}-{'js' if javascript else 'nojs'}"
        page.javascript = javascript
        page.run = (size, language)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("run", RUNS, ids=_run_id)
def test_the_header_leaves_the_first_screen_to_the_page(open_page, browser, live_server, run):
    size, language, javascript = run
    page = open_page(size, language, javascript)
    for name, path in PAGES.items():
        page.goto(live_server.url + path)
        bottom = page.evaluate(HEADER_BOTTOM_JS)
        assert bottom <= HEADER_LIMIT[size], f"{name}: the header ends at y={bottom:.0f}"
        main_top = page.evaluate("document.getElementById('main').getBoundingClientRect().top")
        assert main_top <= HEADER_LIMIT[size] + 1, f"{name}: <main> starts at y={main_top:.0f}"
        # The three top tasks and a call to a person, one tap from every page.
        for href in ("/reports/new/", "/debunks/", "/reports/track/"):
            assert page.locator(f".top-tasks a[href='{href}']").is_visible(), (name, href)
        assert page.locator("a[href='tel:12377']").is_visible(), name
        # Read-aloud needs script and speech: with JS off it is never seen.
        if not javascript:
            assert page.locator("#read-aloud").is_hidden(), name
        assert page.evaluate(SPILLED_LABELS_JS) == [], name
        assert_no_sideways_scroll(page)
        assert_senior_sizes(page)
        assert axe(page, browser, live_server) == [], name
        shoot(page, f"layout-{name}")


@pytest.mark.parametrize("run", RUNS, ids=_run_id)
def test_the_menu_opens_and_its_links_work_with_or_without_javascript(
    open_page, browser, live_server, run
):
    size, language, javascript = run
    page = open_page(size, language, javascript)
    page.goto(live_server.url + "/reports/new/")
    menu = page.locator("nav[aria-label]").filter(has=page.locator(".menu-links"))
    assert menu.is_hidden()
    page.locator("summary.menu-button").click()
    assert menu.is_visible()
    shoot(page, "layout-menu-open")
    assert_no_sideways_scroll(page)
    assert_senior_sizes(page)
    assert axe(page, browser, live_server, menu_open=True) == []
    # Language, senior mode and text size are in the menu; so is sign-in.
    assert page.locator("#site-menu button[name='size'][value='x-large']").is_visible()
    assert page.locator("#site-menu button[name='language']").is_visible()
    assert page.locator("#site-menu a[href='/account/sign-in/']").is_visible()
    if not javascript:
        assert page.locator("#read-aloud").is_hidden()
    page.locator(".menu-links a[href='/index/']").click()
    page.wait_for_url("**/index/")
    assert page.locator(".menu-links").is_hidden()  # a new page opens with the menu closed


def test_text_size_chosen_in_the_menu_applies_to_the_next_page(open_page, live_server):
    page = open_page("da", "zh", False)
    page.goto(live_server.url + "/debunks/")
    page.locator("summary.menu-button").click()
    page.get_by_role("button", name="特大").click()
    page.wait_for_url("**/debunks/")
    assert "text-x-large" in page.locator("html").get_attribute("class")
    assert page.evaluate(HEADER_BOTTOM_JS) <= HEADER_LIMIT["teda"]


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_office_hotline_is_one_tap_away_when_it_is_set(
    open_page, live_server, settings, size, language
):
    settings.OFFICE_HOTLINE = "0577-8888 1234"
    page = open_page(size, language, False)
    for name, path in PAGES.items():
        page.goto(live_server.url + path)
        shoot(page, f"layout-office-hotline-{name}")
        assert page.locator("a[href='tel:12377']").is_visible(), name
        # Shown once: beside 12377 at 大, in the row of top tasks at larger sizes.
        assert page.locator("a[href='tel:057788881234']:visible").count() == 1, name
        bottom = page.evaluate(HEADER_BOTTOM_JS)
        assert bottom <= HEADER_LIMIT[size], f"{name}: the header ends at y={bottom:.0f}"
        assert page.evaluate(SPILLED_LABELS_JS) == [], name
        assert_no_sideways_scroll(page)
        assert_senior_sizes(page)


def test_without_senior_mode_there_is_no_call_button_but_senior_mode_is_one_tap(
    browser, live_server
):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.locator("a[href^='tel:']").count() == 0
        page.get_by_role("button", name="长辈模式").click()
        page.wait_for_load_state()
        assert "elder-mode" in page.locator("html").get_attribute("class")
        assert page.locator("a[href='tel:12377']").is_visible()
    finally:
        context.close()


def test_senior_mode_has_an_extra_large_cursor(open_page, live_server):
    page = open_page("da", "zh", True)
    page.goto(live_server.url + "/")
    assert "cursor-large.svg" in page.evaluate("getComputedStyle(document.body).cursor")
    link_cursor = page.evaluate("getComputedStyle(document.querySelector('.top-tasks a')).cursor")
    assert "cursor-hand-large.svg" in link_cursor
    assert link_cursor.endswith("pointer")  # the fallback where an image cannot be used
    image = page.request.get(live_server.url + "/static/img/cursor-large.svg")
    assert image.ok


@pytest.mark.parametrize("language", ["zh", "en"])
def test_home_page_looks_right_on_a_phone_and_a_desktop(browser, live_server, language):
    """Without senior mode, at 360 and 1280 px: a short header, nothing sideways."""
    host = live_server.url.split("//", 1)[1].split(":", 1)[0]
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="zh-CN", bypass_csp=True
        )
        if language == "en":
            context.add_cookies(
                [{"name": "django_language", "value": "en", "domain": host, "path": "/"}]
            )
        try:
            page = context.new_page()
            page.goto(live_server.url + "/")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            # The English name takes a line of its own on a phone.
            limit = 180 if language == "en" and width == 360 else 130
            assert page.evaluate(HEADER_BOTTOM_JS) <= limit
            assert run_axe(page) == []
            path = shoot_path(f"layout-home-{language}-{width}")
            page.screenshot(path=str(path), full_page=True)
        finally:
            context.close()


def test_the_pages_made_without_a_request_keep_the_top_tasks():
    """Django's server-error page (no request, no cookies) still offers the three tasks."""
    from django.test import RequestFactory

    from wenzhou_portal import errors

    html = errors.server_error(RequestFactory().get("/campaigns/")).content.decode()
    for href in ("/reports/new/", "/debunks/", "/reports/track/"):
        assert f'href="{href}"' in html


def shoot_path(name: str):
    from tests.journeys.support import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"


# --- Read-aloud -------------------------------------------------------------------------

# A speech engine that records what it is asked to say, with a Chinese and an English
# voice: headless Chromium has the API but no voices.
FAKE_SPEECH_JS = """
(() => {
  const voices = [
    {name: 'English', lang: 'en-US', default: true},
    {name: 'Chinese', lang: 'zh-CN', default: false},
  ];
  window.__spoken = [];
  const synth = {
    speaking: false,
    getVoices: () => voices,
    speak(u) { window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name}); },
    cancel() {},
    addEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();
"""
NO_SPEECH_JS = """
(() => {
  delete window.speechSynthesis;
  Object.defineProperty(window, 'speechSynthesis', {value: undefined, configurable: true});
})();
"""


@pytest.fixture
def long_debunk(office_admin):
    from rumors import services
    from rumors.models import Debunk

    paragraph = "温州水务集团核实，鹿城区各水厂运行正常，" * 12
    item = Debunk.objects.create(
        slug="water-cut-rumor",
        title="“鹿城区全面停水三天”系谣言",
        claim="微信群流传鹿城区下周全面停水三天。",
        verdict="false",
        summary="温州水务：鹿城区没有停水计划。",
        body=f"## 核实\n\n{paragraph}\n\n短的一段。",
        authority=services.office_department(),
        keywords="停水",
    )
    services.debunk_publish(debunk_id=item.pk, actor=office_admin)
    item.refresh_from_db()
    assert item.published_at <= timezone.now()
    return item


@pytest.mark.parametrize("language", ["zh", "en"])
def test_read_aloud_reads_in_the_pages_language_with_a_voice_of_that_language(
    open_page, live_server, language
):
    page = open_page("da", language, True)
    page.add_init_script(FAKE_SPEECH_JS)
    page.goto(live_server.url + "/")
    page.locator("summary.menu-button").click()
    page.locator("#read-aloud").click()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1
    expected = {"zh": ("zh-CN", "Chinese"), "en": ("en-GB", "English")}[language]
    assert (spoken[0]["lang"], spoken[0]["voice"]) == expected
    assert spoken[0]["text"].strip()


def test_a_long_text_gets_its_own_read_this_button_and_a_short_one_none(
    open_page, live_server, long_debunk
):
    page = open_page("da", "zh", True)
    page.add_init_script(FAKE_SPEECH_JS)
    page.goto(live_server.url + long_debunk.get_absolute_url())
    buttons = page.get_by_role("button", name="读这一段")
    assert buttons.count() == 1
    buttons.first.scroll_into_view_if_needed()
    shoot(page, "layout-read-this")
    buttons.first.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[-1]["text"].startswith("温州水务集团核实")
    assert spoken[-1]["voice"] == "Chinese"
    # Reading the whole page does not read the buttons' own labels.
    page.locator("summary.menu-button").click()
    page.locator("#read-aloud").click()
    page_text = page.evaluate("window.__spoken")[-1]["text"]
    assert "温州水务集团核实" in page_text
    assert "读这一段" not in page_text
    assert page.get_by_role("button", name="读这一段").is_visible()
    assert_no_sideways_scroll(page)
    assert_senior_sizes(page)
    assert run_axe(page) == []


def test_where_the_browser_cannot_speak_no_read_aloud_button_is_shown(
    open_page, live_server, long_debunk
):
    page = open_page("da", "zh", True)
    page.add_init_script(NO_SPEECH_JS)
    page.goto(live_server.url + long_debunk.get_absolute_url())
    page.locator("summary.menu-button").click()
    assert page.locator("#read-aloud").is_hidden()
    assert page.get_by_role("button", name="读这一段").count() == 0


def test_without_javascript_read_aloud_is_never_seen(open_page, live_server, long_debunk):
    page = open_page("teda", "zh", False)
    page.goto(live_server.url + long_debunk.get_absolute_url())
    page.locator("summary.menu-button").click()
    assert page.locator("#read-aloud").is_hidden()
    assert page.get_by_role("button", name="读这一段").count() == 0
