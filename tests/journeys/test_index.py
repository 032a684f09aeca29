"""Reading a district's index on a phone in senior mode, with and without JavaScript.

An elderly reader opens the ranking, sees who is best and why without swiping sideways,
opens a district and reads two plain sentences first; the charts are either drawn in
large text or, without JavaScript, not there at all. An English reader sees English names.
"""

from datetime import date

import pytest

from civility_index import services
from civility_index.defaults import ensure_default_method
from civility_index.models import EnteredValue, Indicator, MethodSettings
from tests.journeys.support import (
    PHONE,
    assert_no_sideways_scroll,
    assert_senior_page,
    senior_context,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEPTEMBER = date(2026, 9, 1)
OCTOBER = date(2026, 10, 1)
# Security-incident handling (%) and literacy sessions per 10,000 people, per district:
# Lucheng leads in October after coming second in September.
SEPTEMBER_VALUES = {
    "330302": (96.0, 2.5),
    "330303": (99.0, 2.8),
    "330304": (90.0, 1.0),
    "330305": (80.0, 0.5),
    "330324": (85.0, 1.5),
    "330326": (88.0, 2.0),
    "330327": (70.0, 0.8),
    "330328": (75.0, 1.2),
    "330329": (60.0, 0.3),
    "330381": (92.0, 2.2),
    "330382": (94.0, 1.8),
    "330383": (65.0, 0.6),
}
OCTOBER_VALUES = {code: (min(100.0, a + 1), b) for code, (a, b) in SEPTEMBER_VALUES.items()}
OCTOBER_VALUES["330302"] = (99.5, 2.9)
OCTOBER_VALUES["330303"] = (95.0, 2.0)


@pytest.fixture
def two_months_of_index(transactional_db):
    """September and October computed and published for all twelve districts.

    Only the staff-entered indicators carry values here, so the missing-data cut-off is
    raised for this fixture: the pages, not the engine, are under test.
    """
    # Transactional tests flush the database, the method's data migration included.
    ensure_default_method()
    MethodSettings.objects.update(max_missing_share=0.9, robustness_draws=20)
    security = Indicator.objects.get(code="security_incident_handling_rate")
    literacy = Indicator.objects.get(code="literacy_sessions_per_10k")
    for period, values in ((SEPTEMBER, SEPTEMBER_VALUES), (OCTOBER, OCTOBER_VALUES)):
        for code, (handled, sessions) in values.items():
            EnteredValue.objects.create(
                indicator=security, district=code, period=period, value=handled, cases=100
            )
            EnteredValue.objects.create(
                indicator=literacy, district=code, period=period, value=sessions
            )
        services.snapshot_compute(period=period)


def _chart_font_sizes(page, selector: str) -> list[float]:
    """Every font size the drawn ECharts option uses (axis labels, names, bar labels)."""
    return page.evaluate(
        """(selector) => {
            const chart = echarts.getInstanceByDom(document.querySelector(selector));
            const sizes = [];
            const walk = (value, key) => {
                if (Array.isArray(value)) { value.forEach((v) => walk(v, key)); return; }
                if (value && typeof value === 'object') {
                    for (const [k, v] of Object.entries(value)) walk(v, k);
                    return;
                }
                if (key === 'fontSize' && typeof value === 'number') sizes.push(value);
            };
            walk(chart.getOption(), '');
            return sizes;
        }""",
        selector,
    )


def _svg_text_sizes(page, selector: str) -> list[float]:
    """The drawn text of a chart as the browser lays it out."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector + ' svg text')]
            .filter((t) => t.textContent.trim())
            .map((t) => parseFloat(getComputedStyle(t).fontSize))""",
        selector,
    )


def test_reading_the_ranking_and_a_district(senior_page, live_server, two_months_of_index):
    page = senior_page
    page.goto(live_server.url + "/index/")

    # Who is best and why: rank, name, total and strongest side, all within 360 px.
    first = page.locator("tr.ranking-row").first
    assert first.get_attribute("data-code") == "330302"
    for part in ("td.rank-number", "th", "td.total-score", "td.strongest"):
        box = first.locator(part).bounding_box()
        assert box is not None, part
        assert box["x"] >= 0, part
        assert box["x"] + box["width"] <= PHONE["width"], part
    assert "第 1 名" in first.locator("td.rank-number").inner_text()
    assert "鹿城区" in first.locator("th").inner_text()
    assert first.locator("td.strongest").inner_text() not in ("", "—")
    first.evaluate("(row) => row.scrollIntoView()")
    shoot(page, "index-ranking")
    assert_no_sideways_scroll(page)

    if page.javascript:
        page.wait_for_selector("#chart-ranking[data-rendered=true]")
        page.wait_for_selector("#chart-radar[data-rendered=true]")
        for chart in ("#chart-trend", "#chart-ranking", "#chart-radar"):
            assert min(_chart_font_sizes(page, chart)) >= 18, chart
            assert min(_svg_text_sizes(page, chart)) >= 18, chart
        # Every radar label lies wholly inside its box at 360 px.
        assert page.evaluate(
            """() => {
                const box = document.querySelector('#chart-radar').getBoundingClientRect();
                return [...document.querySelectorAll('#chart-radar svg text')].every((t) => {
                    const r = t.getBoundingClientRect();
                    return r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                        && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
                });
            }"""
        )
        page.locator("#chart-radar").evaluate("(box) => box.scrollIntoView()")
        shoot(page, "index-radar")
    else:
        # Without JavaScript no empty chart box takes space: the tables carry everything.
        for chart in ("#chart-trend", "#chart-ranking", "#chart-radar"):
            assert page.locator(chart).bounding_box() is None, chart
    assert_senior_page(page)

    page.locator("tr.ranking-row").first.locator("th a").click()
    page.wait_for_url("**/index/districts/330302/")
    sentences = page.locator("#plain-reading p")
    assert sentences.count() == 2
    assert "排第 1 名" in sentences.nth(0).inner_text()
    assert "做得最好的是" in sentences.nth(0).inner_text()
    assert "比上个月上升了 1 名" in sentences.nth(1).inner_text()
    assert_senior_page(page, shot="index-district")
    box = sentences.nth(1).bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE["height"], "the sentences are below the first screen"
    if not page.javascript:
        assert page.locator("#chart-trend").bounding_box() is None


def test_choosing_a_district_shows_its_profile_first(senior_page, live_server, two_months_of_index):
    page = senior_page
    page.goto(live_server.url + "/index/")
    page.select_option("#id_district", "330329")
    page.locator("form.inline-filter button[type=submit]").click()
    page.wait_for_url("**/index/?district=330329#outcome")
    assert "泰顺县" in page.locator("#outcome caption").inner_text()
    assert_senior_page(page, "#outcome", shot="index-profile")


def test_an_english_reader_sees_english_district_names_in_the_chart(
    browser, live_server, two_months_of_index
):
    context = senior_context(
        browser, live_server.url, size="x-large", javascript=True, language="en"
    )
    page = context.new_page()
    page.journey_id = "teda-js-en"
    page.javascript = True
    try:
        page.goto(live_server.url + "/index/")
        page.wait_for_selector("#chart-ranking[data-rendered=true]")
        names = page.evaluate(
            "() => echarts.getInstanceByDom(document.querySelector('#chart-ranking'))"
            ".getOption().yAxis[0].data"
        )
        assert "Lucheng" in " ".join(names)
        assert not any("区" in name or "县" in name or "市" in name for name in names), names
        chart_text = page.locator("#chart-ranking svg").text_content()
        assert "鹿城" not in chart_text
        ranking = page.locator("table.index-table").inner_text()
        assert "鹿城" not in ranking
        assert "Lucheng" in ranking
        page.locator("#chart-ranking").evaluate("(box) => box.scrollIntoView()")
        shoot(page, "index-ranking-en")
        assert_no_sideways_scroll(page)

        page.goto(live_server.url + "/index/districts/330302/")
        reading = page.locator("#plain-reading").inner_text()
        assert "Lucheng" in reading
        assert "鹿城" not in page.locator("main").inner_text()
        shoot(page, "index-district-en")
    finally:
        context.close()
