"""The public statistics of the report desk: every figure checked against an independent count."""

import csv
import io
import math
import re
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from rumors import services
from rumors.models import CLOSED_STATUSES, Category, Debunk, Report, Status, Verdict
from rumors.statistics import (
    nearest_rank,
    report_statistics,
    statistics_cache_key,
    statistics_window,
)
from rumors.stats_views import statistics_csv_rows
from tests.browser import run_axe, small_targets
from tests.support import ARTIFACTS
from wenzhou_portal.districts import District

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 6, 15, 10, 0, tzinfo=SHANGHAI)
WINDOW_MONTHS = [f"2024-{month:02d}" for month in range(7, 13)] + [
    f"2025-{month:02d}" for month in range(1, 7)
]
BOM = "\ufeff"
_urls = count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def place(report: Report, **fields) -> None:
    Report.objects.filter(pk=report.pk).update(**fields)


@pytest.fixture
def file_report(submit):
    """File a report as a citizen would, then move it to a date (and state) of our choosing."""

    def run(
        created_at: datetime, *, route: bool = True, category="rumor", district="330302", **placed
    ):
        report = submit(
            route=route,
            category=category,
            district=district,
            url=f"https://example.org/post/{next(_urls)}",
        )
        place(report, created_at=created_at, **placed)
        report.refresh_from_db()
        return report

    return run


def close(report: Report, created_at: datetime, closed_at: datetime, **placed) -> None:
    place(
        report,
        status=Status.RESOLVED,
        created_at=created_at,
        closed_at=closed_at,
        first_response_at=placed.pop("first_response_at", closed_at),
        **placed,
    )


@pytest.fixture
def desk(file_report, district_rules, office_admin, lucheng_handler, longwan_office):
    """A year of the desk as of NOW: open, resolved, rejected and merged reports in
    several categories, districts and departments, plus some from before the window."""
    # Resolved by Lucheng on time, first response after 1 working day.
    first = file_report(at(2024, 7, 3), category=Category.FRAUD)
    services.report_accept(report_id=first.pk, actor=lucheng_handler)
    services.report_resolve(report_id=first.pk, actor=lucheng_handler, feedback="已处置。")
    place(
        first,
        first_response_at=at(2024, 7, 4),
        working_days_to_first_response=1,
        closed_at=at(2024, 7, 10),
        working_days_to_close=5,
        due_at=at(2024, 7, 12, 17, 30),
    )
    # Received in July, closed in August, late.
    late = file_report(at(2024, 7, 20), category=Category.FRAUD)
    services.report_resolve(report_id=late.pk, actor=lucheng_handler, feedback="已处置。")
    place(
        late,
        first_response_at=at(2024, 8, 5),
        working_days_to_first_response=11,
        closed_at=at(2024, 8, 5),
        working_days_to_close=11,
        due_at=at(2024, 7, 30, 17, 30),
    )
    # Filed 00:30 on New Year's Day in Wenzhou (still 31 December in UTC): January.
    file_report(at(2025, 1, 1, 0, 30), district=District.LONGWAN)
    # Rejected by the office exactly at the deadline: on time.
    rejected = file_report(at(2025, 3, 3), district=District.LONGWAN)
    services.report_reject(
        report_id=rejected.pk, actor=office_admin, reason="not_harmful", text="经核查不属实。"
    )
    place(
        rejected,
        first_response_at=at(2025, 3, 5, 17, 30),
        working_days_to_first_response=2,
        closed_at=at(2025, 3, 5, 17, 30),
        working_days_to_close=2,
        due_at=at(2025, 3, 5, 17, 30),
    )
    # Merged into the rejected one: received and closed.
    merged = file_report(at(2025, 3, 4), district=District.LONGWAN)
    services.report_merge(
        report_id=merged.pk, actor=office_admin, primary_code=rejected.tracking_code
    )
    place(
        merged,
        first_response_at=at(2025, 3, 6),
        working_days_to_first_response=2,
        closed_at=at(2025, 3, 6),
        working_days_to_close=2,
        due_at=None,
    )
    # Being handled in June, and one just routed.
    handling = file_report(at(2025, 6, 2), category=Category.CYBERBULLYING)
    services.report_accept(report_id=handling.pk, actor=lucheng_handler)
    place(handling, first_response_at=at(2025, 6, 5), working_days_to_first_response=3)
    file_report(at(2025, 6, 10), category=Category.CYBERBULLYING)
    # Three resolved fraud reports in Lucheng with no deadline, closed in May.
    for days in (7, 3, 4):
        report = file_report(at(2025, 5, 5), category=Category.FRAUD)
        close(
            report, at(2025, 5, 5), at(2025, 5, 5 + days), working_days_to_close=days, due_at=None
        )
    # Before the window: filed 23:00 on 30 June 2024, closed in July 2024.
    old = file_report(at(2024, 6, 30, 23, 0), category=Category.FRAUD)
    close(
        old, at(2024, 6, 30, 23, 0), at(2024, 7, 2), working_days_to_close=2, due_at=at(2024, 7, 5)
    )
    # No district, not routed yet: filed last, as any routing run routes every pending report.
    file_report(at(2025, 5, 20), route=False, district="", category=Category.PORNOGRAPHY)
    # Debunks: two published in the window, one draft, one published before the window.
    for slug, published, is_published in [
        ("water", at(2025, 2, 1), True),
        ("bridge", at(2025, 6, 1, 0, 10), True),
        ("draft", None, False),
        ("old", at(2024, 6, 30), True),
    ]:
        Debunk.objects.create(
            title=slug,
            slug=slug,
            claim="网传",
            verdict=Verdict.FALSE,
            summary="不实",
            authority=longwan_office,
            is_published=is_published,
            published_at=published,
        )


def month_of(moment: datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment, SHANGHAI).strftime("%Y-%m")


def value_at(percentile: int, values: list[int]) -> int | None:
    if not values:
        return None
    return sorted(values)[math.ceil(percentile * len(values) / 100) - 1]


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def independent_count(min_group: int) -> dict:
    """Every figure again, in plain Python over all rows, without the selector's queries."""
    rows = list(Report.objects.select_related("lead_department"))
    published = [debunk for debunk in Debunk.objects.all() if debunk.is_published]
    window = [row for row in rows if month_of(row.created_at) in WINDOW_MONTHS]
    closed = [row for row in window if row.status in CLOSED_STATUSES]
    responded = [
        row.working_days_to_first_response
        for row in window
        if row.working_days_to_first_response is not None
    ]
    to_close = [
        row.working_days_to_close for row in closed if row.working_days_to_close is not None
    ]
    with_deadline = [row for row in closed if row.due_at is not None and row.closed_at is not None]
    on_time = [row for row in with_deadline if row.closed_at <= row.due_at]

    def groups(key, label) -> dict:
        found: dict = {}
        for row in window:
            group = found.setdefault(
                key(row), {"label": label(row), "received": 0, "closed": 0, "days": []}
            )
            group["received"] += 1
            if row.status in CLOSED_STATUSES:
                group["closed"] += 1
                if row.working_days_to_close is not None:
                    group["days"].append(row.working_days_to_close)
        result = {}
        for code, group in found.items():
            rate = group["closed"] / group["received"]
            ranked = group["received"] >= min_group
            better = sum(
                1
                for other in found.values()
                if other["received"] >= min_group and other["closed"] / other["received"] > rate
            )
            result[code] = {
                "label": group["label"],
                "received": group["received"],
                "closed": group["closed"],
                "closure_rate_percent": share(group["closed"], group["received"]),
                "median_working_days_to_close": value_at(50, group["days"]),
                "median_count": len(group["days"]),
                "rank": better + 1 if ranked else None,
                "ranked": ranked,
            }
        return result

    return {
        "totals": {
            "received": len(window),
            "closed": len(closed),
            "closure_rate_percent": share(len(closed), len(window)),
        },
        "months": [
            {
                "month": month,
                "received": sum(1 for row in window if month_of(row.created_at) == month),
                "closed": sum(
                    1
                    for row in rows
                    if row.status in CLOSED_STATUSES and month_of(row.closed_at) == month
                ),
            }
            for month in WINDOW_MONTHS
        ],
        "working_days": {
            "first_response": {
                "count": len(responded),
                "median": value_at(50, responded),
                "p90": value_at(90, responded),
            },
            "close": {
                "count": len(to_close),
                "median": value_at(50, to_close),
                "p90": value_at(90, to_close),
            },
        },
        "deadline": {
            "count": len(with_deadline),
            "on_time": len(on_time),
            "on_time_percent": share(len(on_time), len(with_deadline)),
        },
        "by_category": groups(lambda row: row.category, lambda row: row.get_category_display()),
        "by_department": groups(
            lambda row: str(row.lead_department_id or ""),
            lambda row: row.lead_department.name if row.lead_department else "尚未分办",
        ),
        "by_district": groups(
            lambda row: row.district,
            lambda row: row.get_district_display() if row.district else "未填写",
        ),
        "debunks": [
            {
                "month": month,
                "published": sum(
                    1 for debunk in published if month_of(debunk.published_at) == month
                ),
            }
            for month in WINDOW_MONTHS
        ],
    }


def by_code(groups: list[dict]) -> dict:
    return {group["code"]: {k: v for k, v in group.items() if k != "code"} for group in groups}


def test_every_figure_matches_an_independent_count_of_the_rows(desk, settings):
    settings.REPORT_STATS_MIN_GROUP = 3
    stats = report_statistics(now=NOW)
    expected = independent_count(min_group=3)

    assert stats["window"] == {
        "first_day": "2024-07-01",
        "last_day": "2025-06-30",
        "first_month": "2024-07",
        "last_month": "2025-06",
    }
    assert stats["min_group"] == 3
    for figure in ("totals", "months", "working_days", "deadline", "debunks"):
        assert stats[figure] == expected[figure], figure
    for breakdown in ("by_category", "by_department", "by_district"):
        assert by_code(stats[breakdown]) == expected[breakdown], breakdown
        ranks = [group["rank"] for group in stats[breakdown] if group["ranked"]]
        assert ranks == sorted(ranks), "ranked groups come first, best first"
        assert all(not group["ranked"] for group in stats[breakdown][len(ranks) :])

    # The data were built to exercise these; a broken fixture must not pass silently.
    assert stats["totals"] == {"received": 11, "closed": 7, "closure_rate_percent": 63.6}
    assert stats["deadline"] == {"count": 3, "on_time": 2, "on_time_percent": 66.7}
    assert {group["code"]: group["rank"] for group in stats["by_category"]} == {
        "fraud": 1,
        "rumor": 2,
        "cyberbullying": None,
        "pornography": None,
    }
    assert by_code(stats["by_district"])[""]["label"] == "未填写"
    assert "尚未分办" in {group["label"] for group in stats["by_department"]}


def test_a_report_filed_just_after_midnight_on_new_years_day_counts_in_january(file_report):
    file_report(at(2025, 1, 1, 0, 30))
    file_report(at(2024, 12, 31, 23, 30))
    # Months are Wenzhou's whatever time zone a request or task has activated.
    with timezone.override(ZoneInfo("UTC")):
        months = {month["month"]: month for month in report_statistics(now=NOW)["months"]}
    assert months["2025-01"]["received"] == 1
    assert months["2024-12"]["received"] == 1


def test_the_window_is_the_current_month_and_the_eleven_before_it_in_wenzhou_time():
    # 17:00 UTC on 31 May is already 1 June in Wenzhou.
    start, end = statistics_window(datetime(2025, 5, 31, 17, 0, tzinfo=ZoneInfo("UTC")))
    assert (start, end) == (at(2024, 7, 1, 0), at(2025, 7, 1, 0))
    start, end = statistics_window(at(2025, 1, 10))
    assert (start, end) == (at(2024, 2, 1, 0), at(2025, 2, 1, 0))


@pytest.mark.parametrize(
    ("percentile", "count", "position"),
    [(50, 10, 5), (90, 10, 9), (50, 1, 1), (90, 1, 1), (50, 2, 1), (50, 3, 2), (90, 11, 10)],
)
def test_nearest_rank_is_the_ceiling_of_p_times_n_over_100(percentile, count, position):
    assert nearest_rank(percentile, count) == position


def test_nearest_rank_of_nothing_is_none():
    assert nearest_rank(50, 0) is None


def test_working_days_one_to_ten_have_median_five_and_90th_percentile_nine(file_report):
    for days in (7, 3, 10, 1, 5, 9, 2, 8, 4, 6):  # shuffled: the database sorts
        report = file_report(at(2025, 4, 1), route=False, category=Category.FRAUD)
        close(
            report,
            at(2025, 4, 1),
            at(2025, 4, 20),
            working_days_to_close=days,
            working_days_to_first_response=days,
        )
    stats = report_statistics(now=NOW)
    assert stats["working_days"]["close"] == {"count": 10, "median": 5, "p90": 9}
    assert stats["working_days"]["first_response"] == {"count": 10, "median": 5, "p90": 9}
    (fraud,) = stats["by_category"]
    assert (fraud["median_working_days_to_close"], fraud["median_count"]) == (5, 10)


def test_an_even_group_takes_the_lower_middle_value_and_groups_do_not_mix(file_report):
    for category, days in [("fraud", 1), ("fraud", 9), ("rumor", 4), ("rumor", 6), ("rumor", 8)]:
        report = file_report(at(2025, 4, 1), route=False, category=category)
        close(report, at(2025, 4, 1), at(2025, 4, 20), working_days_to_close=days)
    groups = by_code(report_statistics(now=NOW)["by_category"])
    assert (groups["fraud"]["median_working_days_to_close"], groups["fraud"]["median_count"]) == (
        1,
        2,
    )
    assert (groups["rumor"]["median_working_days_to_close"], groups["rumor"]["median_count"]) == (
        6,
        3,
    )


def test_open_reports_and_reports_outside_the_window_are_not_in_the_medians(file_report):
    report = file_report(at(2025, 4, 1), route=False)
    close(report, at(2025, 4, 1), at(2025, 4, 3), working_days_to_close=2)
    file_report(at(2025, 4, 2), route=False)  # open: no working days yet
    old = file_report(at(2024, 5, 1), route=False)
    close(old, at(2024, 5, 1), at(2024, 8, 1), working_days_to_close=60)
    close_days = report_statistics(now=NOW)["working_days"]["close"]
    assert close_days == {"count": 1, "median": 2, "p90": 2}


def _categories(file_report, closed_by_category: dict[str, tuple[int, int]]) -> None:
    for category, (received, closed) in closed_by_category.items():
        for number in range(received):
            report = file_report(at(2025, 4, 1), route=False, category=category)
            if number < closed:
                close(report, at(2025, 4, 1), at(2025, 4, 8), working_days_to_close=5)


def test_small_groups_are_shown_but_not_ranked_even_with_the_best_rate(file_report, settings):
    del settings.REPORT_STATS_MIN_GROUP  # the default applies: 5
    _categories(file_report, {"fraud": (5, 3), "cyberbullying": (6, 5), "rumor": (4, 4)})
    groups = report_statistics(now=NOW)["by_category"]
    assert [(g["code"], g["rank"], g["ranked"]) for g in groups] == [
        ("cyberbullying", 1, True),
        ("fraud", 2, True),
        ("rumor", None, False),
    ]
    assert groups[2]["closure_rate_percent"] == 100.0


def test_the_minimum_group_size_comes_from_settings(file_report, settings):
    settings.REPORT_STATS_MIN_GROUP = 4
    _categories(file_report, {"fraud": (5, 3), "rumor": (4, 4)})
    groups = report_statistics(now=NOW)["by_category"]
    assert [(g["code"], g["rank"]) for g in groups] == [("rumor", 1), ("fraud", 2)]


def test_groups_with_the_same_closure_rate_share_a_rank(file_report, settings):
    settings.REPORT_STATS_MIN_GROUP = 1
    _categories(file_report, {"fraud": (2, 1), "rumor": (4, 2), "cyberbullying": (1, 0)})
    groups = report_statistics(now=NOW)["by_category"]
    assert [(g["code"], g["rank"]) for g in groups] == [
        ("rumor", 1),
        ("fraud", 1),
        ("cyberbullying", 3),
    ]


def test_a_merged_report_counts_as_received_and_closed(submit, district_rules, office_admin):
    primary = submit(url="https://example.org/a")
    duplicate = submit(url="https://example.org/b")
    services.report_merge(
        report_id=duplicate.pk, actor=office_admin, primary_code=primary.tracking_code
    )
    stats = report_statistics()
    assert stats["totals"] == {"received": 2, "closed": 1, "closure_rate_percent": 50.0}
    assert stats["working_days"]["close"]["count"] == 1


def test_a_report_closed_exactly_at_its_deadline_is_on_time(file_report):
    on_time = file_report(at(2025, 4, 1), route=False)
    close(on_time, at(2025, 4, 1), at(2025, 4, 8, 17, 30), due_at=at(2025, 4, 8, 17, 30))
    late = file_report(at(2025, 4, 1), route=False)
    close(late, at(2025, 4, 1), at(2025, 4, 8, 17, 31), due_at=at(2025, 4, 8, 17, 30))
    no_deadline = file_report(at(2025, 4, 1), route=False)
    close(no_deadline, at(2025, 4, 1), at(2025, 4, 30))
    assert report_statistics(now=NOW)["deadline"] == {
        "count": 2,
        "on_time": 1,
        "on_time_percent": 50.0,
    }


def test_an_empty_desk_has_twelve_zero_months_and_no_rates():
    stats = report_statistics(now=NOW)
    assert [month["month"] for month in stats["months"]] == WINDOW_MONTHS
    assert all(month["received"] == month["closed"] == 0 for month in stats["months"])
    assert stats["totals"] == {"received": 0, "closed": 0, "closure_rate_percent": None}
    assert stats["working_days"]["close"] == {"count": 0, "median": None, "p90": None}
    assert stats["deadline"]["on_time_percent"] is None
    assert stats["by_category"] == stats["by_department"] == stats["by_district"] == []


# --- Page, CSV and API: built from "now", since they always show the current window ---


@pytest.fixture
def this_months_desk(file_report, district_rules, lucheng_handler):
    """Ten reports closed this month after 1..10 working days, and two open ones."""
    now = timezone.now()
    for days in range(1, 11):
        report = file_report(now, category=Category.FRAUD)
        services.report_resolve(report_id=report.pk, actor=lucheng_handler, feedback="已处置。")
        place(report, working_days_to_close=days, working_days_to_first_response=days)
    file_report(now, category=Category.RUMOR, district=District.LONGWAN)
    file_report(now, route=False, category=Category.RUMOR, district="")


def figure_card(html: str, title: str) -> tuple[str, str]:
    """The value and the "based on n reports" line of one figure on the page."""
    card = re.search(
        rf"<h3>{title}</h3>\s*<p class=\"stats-value\">(.*?)</p>\s*"
        r'<p class="stats-basis">(.*?)</p>',
        html,
    )
    assert card, title
    return card.group(1), card.group(2)


def test_the_page_shows_every_median_next_to_its_count(client, this_months_desk):
    html = client.get("/reports/stats/").content.decode()
    assert figure_card(html, "首次响应用时中位数") == ("5 个工作日", "依据 10 件举报")
    assert figure_card(html, "首次响应用时第90百分位数") == ("9 个工作日", "依据 10 件举报")
    assert figure_card(html, "办结用时中位数") == ("5 个工作日", "依据 10 件举报")
    assert figure_card(html, "办结用时第90百分位数") == ("9 个工作日", "依据 10 件举报")
    assert figure_card(html, "办结率") == ("83.3%", "依据 12 件举报")
    assert figure_card(html, "按期办结率") == ("100.0%", "依据 10 件举报")
    assert "最近秩法" in html
    assert "既计入收到，也计入办结" in html


def test_the_page_ranks_big_groups_and_marks_small_ones(client, this_months_desk):
    html = client.get("/reports/stats/").content.decode()

    def rank_cell(label: str) -> str:
        cell = re.search(
            rf'<th scope="row"[^>]*>{label}</th>\s*<td [^>]*class="stats-rank"[^>]*>(.*?)</td>',
            html,
            re.S,
        )
        return cell.group(1)

    assert rank_cell("诈骗") == "1"
    assert "样本较少，不参与排名" in rank_cell("谣言")
    assert "样本较少，不参与排名" in rank_cell("未填写")


def test_the_page_is_accessible_and_needs_no_inline_code(client, this_months_desk):
    response = client.get("/reports/stats/")
    assert response.status_code == 200
    html = response.content.decode()
    main = html[html.index('<main id="main"') : html.index("</main>")]
    tables = main.count("<table")
    assert tables == 5
    assert main.count("<caption") == tables
    assert main.count('<div class="table-scroll"') == tables
    assert "<th>" not in main, "every header cell has a scope"
    assert "style=" not in main
    assert "<script" not in main
    assert "Content-Security-Policy" in response


def test_the_page_issues_a_bounded_number_of_queries_and_then_none(
    client, file_report, django_assert_max_num_queries
):
    now = timezone.now()
    for category in Category.values:
        for district in District.values[:3]:
            report = file_report(now, route=False, category=category, district=district)
            close(report, now, now, working_days_to_close=1, working_days_to_first_response=1)
    # Two per month series and debunks, one headline aggregate, one of second looks, four
    # percentile rows, two per breakdown: the same however many groups there are.
    with django_assert_max_num_queries(15):
        assert client.get("/reports/stats/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/stats/").status_code == 200
        assert client.get("/reports/stats/report-statistics.csv").status_code == 200
        assert client.get("/api/v1/reports/stats/").status_code == 200
    touching = [
        query["sql"]
        for query in queries
        if "rumors_report" in query["sql"] or "rumors_debunk" in query["sql"]
    ]
    assert touching == []


def test_each_language_has_its_own_cached_copy(client, this_months_desk, settings):
    client.get("/reports/stats/")
    with translation.override("zh-hans"):
        assert cache.get(statistics_cache_key()) is not None
    with translation.override("en"):
        assert cache.get(statistics_cache_key()) is None
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/reports/stats/").status_code == 200
    with translation.override("en"):
        assert cache.get(statistics_cache_key()) is not None


def _csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    assert content.startswith(BOM.encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8").removeprefix(BOM))))
    sections: dict[str, list[list[str]]] = {}
    current = None
    for row in rows:
        if not row:
            current = None
        elif current is None:
            current = row[0]
            sections[current] = []
        else:
            sections[current].append(row)
    return sections


def text(value) -> str:
    return "" if value is None else str(value)


def test_the_csv_has_the_same_numbers_as_the_page(client, this_months_desk):
    response = client.get("/reports/stats/report-statistics.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    stats = cache.get(statistics_cache_key())
    sections = _csv_sections(response.content)

    header, *months = sections["每月收到与办结"]
    assert header == ["月份", "收到举报", "办结举报"]
    assert months == [[m["month"], text(m["received"]), text(m["closed"])] for m in stats["months"]]
    assert sections["办结率"][1] == ["12", "10", "83.3"]
    assert sections["办理用时（工作日）"][1:] == [
        ["首次响应", "5", "9", "10"],
        ["办结", "5", "9", "10"],
    ]
    deadline = stats["deadline"]
    assert sections["按期办结"][1] == [
        text(deadline["count"]),
        text(deadline["on_time"]),
        text(deadline["on_time_percent"]),
    ]
    header, *categories = sections["按举报类别"]
    assert header[0] == "排名"
    assert categories == [
        ["1", "诈骗", "10", "10", "100.0", "5", "10"],
        ["样本较少，不参与排名", "谣言", "2", "0", "0.0", "", "0"],
    ]
    districts = {row[1]: row for row in sections["按涉及县（市、区）"][1:]}
    assert districts["未填写"][2] == "1"
    assert len(sections["每月发布辟谣"]) == 13


def test_the_csv_of_an_empty_desk_parses(client):
    sections = _csv_sections(client.get("/reports/stats/report-statistics.csv").content)
    assert sections["办结率"][1] == ["0", "0", ""]
    assert sections["按举报类别"] == [sections["按举报类别"][0]]


def test_csv_cells_cannot_become_spreadsheet_formulas():
    stats = report_statistics(now=NOW)
    stats["by_department"] = [
        {
            "code": "1",
            "label": "=HYPERLINK(1)",
            "received": 1,
            "closed": 0,
            "closure_rate_percent": 0.0,
            "median_working_days_to_close": None,
            "median_count": 0,
            "rank": None,
            "ranked": False,
        }
    ]
    cells = [cell for row in statistics_csv_rows(stats) for cell in row]
    assert "'=HYPERLINK(1)" in cells
    assert "=HYPERLINK(1)" not in cells


def _hostile_department(label: str, **figures) -> dict:
    return {
        "code": "1",
        "label": label,
        "received": 1,
        "closed": 0,
        "closure_rate_percent": 0.0,
        "median_working_days_to_close": None,
        "median_count": 0,
        "rank": None,
        "ranked": False,
        **figures,
    }


@pytest.mark.parametrize(
    "label", ["-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1+2", "\r=1+2", "+SUM(1)"]
)
def test_csv_cells_starting_with_any_formula_character_are_escaped(label):
    stats = report_statistics(now=NOW)
    stats["by_department"] = [_hostile_department(label)]
    cells = [cell for row in statistics_csv_rows(stats) for cell in row]
    assert "'" + label in cells
    assert label not in cells


def test_the_downloaded_csv_escapes_a_department_named_as_a_formula_and_keeps_numbers(
    client, monkeypatch
):
    from rumors import stats_views

    stats = report_statistics(now=NOW)
    stats["by_department"] = [
        _hostile_department("=1+2", received=7, closed=3, closure_rate_percent=-1.5)
    ]
    monkeypatch.setattr(stats_views, "report_statistics_cached", lambda: stats)

    sections = _csv_sections(client.get("/reports/stats/report-statistics.csv").content)

    [row] = sections["按牵头部门"][1:]
    assert row[1] == "'=1+2"
    assert row[2:5] == ["7", "3", "-1.5"]


def test_the_api_returns_the_same_figures_to_anyone(client, this_months_desk):
    response = client.get("/api/v1/reports/stats/")
    assert response.status_code == 200
    body = response.json()
    expected = report_statistics()
    body.pop("generated_at")
    expected.pop("generated_at")
    assert body == expected
    assert body["working_days"]["close"] == {"count": 10, "median": 5, "p90": 9}
    assert body["totals"] == {"received": 12, "closed": 10, "closure_rate_percent": 83.3}


def test_the_api_is_documented_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/reports/stats/"]["get"]
    assert "200" in operation["responses"]
    assert operation.get("security") in (None, [], [{}])


def test_an_empty_desk_renders_everywhere(client):
    page = client.get("/reports/stats/")
    assert page.status_code == 200
    assert "暂无" in page.content.decode()
    assert "统计期内没有收到举报。" in page.content.decode()
    assert client.get("/api/v1/reports/stats/").json()["totals"]["closure_rate_percent"] is None


def test_nothing_about_a_single_report_is_published(client, submit, district_rules):
    report = submit(
        content="举报人私下写的一段独特文字，不应出现在统计里。",
        contact_phone="13800000000",
        contact_consent=True,
    )
    responses = [
        client.get("/reports/stats/").content.decode(),
        client.get("/reports/stats/report-statistics.csv").content.decode("utf-8"),
        client.get("/api/v1/reports/stats/").content.decode(),
    ]
    for body in responses:
        assert "独特文字" not in body
        assert "13800000000" not in body
        assert report.tracking_code not in body
        assert report.formatted_tracking_code not in body
        assert str(report.public_id) not in body


def test_figures_are_served_from_the_cache_until_it_is_refreshed(client, this_months_desk, submit):
    first = client.get("/api/v1/reports/stats/").json()["totals"]["received"]
    submit(url="https://example.org/new")
    assert client.get("/api/v1/reports/stats/").json()["totals"]["received"] == first
    cache.clear()  # what ten minutes do
    assert client.get("/api/v1/reports/stats/").json()["totals"]["received"] == first + 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_reads_the_statistics_on_a_phone(live_server, phone_page, this_months_desk):
    page = phone_page
    page.goto(live_server.url + "/reports/stats/")
    assert page.locator("h1").inner_text() == "举报受理情况统计"
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []
    assert small_targets(page, 44) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stats-phone.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载全部表格（CSV）").click()
    assert download.value.suggested_filename.endswith(".csv")
