"""The index in the database: indicators, imports, snapshots, pages and API."""

import csv
import io
import json
import threading
import time
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civility_index import indicators, services
from civility_index.models import Dimension, EnteredValue, Indicator, Snapshot
from civility_index.services import snapshots
from rumors.models import Report
from tests.rumors.conftest import report_input
from tests.support import require_service

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")

OCTOBER = date(2026, 10, 1)


def _at(day: int) -> datetime:
    return datetime(2026, 10, day, 10, 0, tzinfo=SHANGHAI)


def _place(report: Report, created: datetime, **fields) -> None:
    Report.objects.filter(pk=report.pk).update(created_at=created, **fields)


LUCHENG_REPORTS = (
    "有人在微信群里说鹿城区自来水被污染了，不能喝。",
    "短视频称五马街商场起火，其实是外地的旧视频。",
    "朋友圈流传一份鹿城区中小学提前放寒假的假通知。",
    "网传江心屿景区因台风永久关闭，附有伪造的公告截图。",
)
LONGWAN_REPORTS = (
    "陌生号码冒充机场客服，以航班取消退款为名索要银行卡验证码。",
    "直播间以低价黄金吸引下单，付款后主播失联。",
)


@pytest.fixture
def october_reports(submit, district_rules, lucheng_handler, office_admin):
    """Lucheng: 4 reports, 3 closed (2 on time), ratings 2 of 3 satisfied; Longwan: 2, none closed."""
    from rumors import services as desk

    # Four different things reported, each its own link: near-identical reports would be
    # linked as duplicates, and closing the first would close the whole cluster.
    made = [
        submit(district="330302", content=content, url=f"https://example.org/lucheng/{i}")
        for i, content in enumerate(LUCHENG_REPORTS)
    ]
    for report in made[:3]:
        desk.report_resolve(report_id=report.pk, actor=lucheng_handler, feedback="已处理。")
    for i, report in enumerate(made):
        _place(
            report,
            _at(2 + i),
            due_at=_at(10),
            closed_at=_at(5 + 4 * i) if i < 3 else None,
            working_days_to_close=[2, 4, 6][i] if i < 3 else None,
        )
    Report.objects.filter(pk=made[0].pk).update(rating="satisfied")
    Report.objects.filter(pk=made[1].pk).update(rating="unsatisfied")
    Report.objects.filter(pk=made[2].pk).update(rating="fairly")
    for i, content in enumerate(LONGWAN_REPORTS):
        report = submit(district="330303", content=content, url=f"https://example.org/longwan/{i}")
        _place(report, _at(3 + i))
    # Outside the month: must not count.
    late = submit(
        district="330302", content="十一月的举报，不属于十月。", url="https://example.org/nov"
    )
    _place(late, datetime(2026, 11, 2, 10, tzinfo=SHANGHAI))
    return made


def _computed(key: str) -> dict:
    start = datetime(2026, 10, 1, tzinfo=SHANGHAI)
    end = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    population = {"330302": 1_000_000, "330303": 500_000}
    sources = indicators.PeriodSources(start, end, population)
    return {d: raw for d, (raw, _changed) in indicators.REGISTRY[key](sources).items()}


def test_computed_indicators_match_an_independent_count(october_reports):
    rows = list(Report.objects.all())
    in_month = [r for r in rows if r.created_at.month == 10 and r.created_at.year == 2026]
    lucheng = [r for r in in_month if r.district == "330302"]
    closed = [r for r in lucheng if r.status in ("resolved", "rejected", "merged")]
    on_time = [r for r in closed if r.due_at and r.closed_at <= r.due_at]
    rated = [r for r in lucheng if r.rating]
    happy = [r for r in rated if r.rating in ("satisfied", "fairly")]

    closure = _computed("report_closure_rate")
    assert closure["330302"].value == pytest.approx(100 * len(closed) / len(lucheng))  # 75.0
    assert closure["330302"].cases == len(lucheng) == 4
    assert closure["330303"].value == 0.0
    assert _computed("report_on_time_share")["330302"].value == pytest.approx(
        100 * len(on_time) / len(closed)
    )
    assert _computed("report_working_days_to_close")["330302"].value == pytest.approx(
        sum(r.working_days_to_close for r in closed) / len(closed)
    )
    assert _computed("reporter_satisfaction")["330302"].value == pytest.approx(
        100 * len(happy) / len(rated)
    )
    per_10k = _computed("reports_per_10k")
    assert per_10k["330302"].value == pytest.approx(10_000 * 4 / 1_000_000)
    assert per_10k["330303"].value == pytest.approx(10_000 * 2 / 500_000)


def test_each_computed_indicator_is_one_query(october_reports):
    for key in indicators.REGISTRY:
        with CaptureQueriesContext(connection) as queries:
            _computed(key)
        assert len(queries) == 1, key


CSV_HEADER = "indicator,district,period,value,cases\n"


def test_a_clean_csv_imports_and_a_second_upload_updates(index_editor):
    text = (
        CSV_HEADER
        + "security_incident_handling_rate,330302,2026-10,99.2,120\nliteracy_sessions_per_10k,330303,2026-10,1.5,\n"
    )
    first = services.entered_values_import(text=text, actor=index_editor)
    assert (first.ok, first.created, first.updated) == (True, 2, 0)
    second = services.entered_values_import(text=text.replace("99.2", "98.1"), actor=index_editor)
    assert (second.created, second.updated) == (0, 2)
    assert EnteredValue.objects.get(district="330302").value == 98.1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("security_incident_handling_rate,999999,2026-10,99,", "未知的行政区划代码"),
        ("security_incident_handling_rate,330302,2026-10,101,", "数值超出范围"),
        ("security_incident_handling_rate,330302,2026-10,-1,", "数值超出范围"),
        ("security_incident_handling_rate,330302,2026-10,abc,", "数值不是数字"),
        ("security_incident_handling_rate,330302,2026-13,99,", "月份格式"),
        ("security_incident_handling_rate,330302,2026-10,nan,", "数值超出范围"),
        ("report_closure_rate,330302,2026-10,99,", "未知的填报指标"),
        ("security_incident_handling_rate,330302,2026-10,99,x", "案例数"),
    ],
)
def test_any_bad_row_refuses_the_whole_file_with_a_row_report(row, message, index_editor):
    good = "literacy_sessions_per_10k,330303,2026-10,1.5,\n"
    report = services.entered_values_import(text=CSV_HEADER + good + row + "\n", actor=index_editor)
    assert not report.ok
    assert report.errors[0][0] == 3  # the header is line 1
    assert message in report.errors[0][1]
    assert EnteredValue.objects.count() == 0


def test_a_duplicate_row_and_missing_columns_are_refused(index_editor):
    dup = "literacy_sessions_per_10k,330303,2026-10,1.5,\n"
    report = services.entered_values_import(text=CSV_HEADER + dup + dup, actor=index_editor)
    assert [line for line, _problem in report.errors] == [3]
    assert "重复" in report.errors[0][1]
    assert not services.entered_values_import(
        text="district,value\n330302,1\n", actor=index_editor
    ).ok
    assert EnteredValue.objects.count() == 0


def test_the_admin_import_shows_the_row_report(client, index_editor):
    client.force_login(index_editor)
    upload = io.BytesIO(
        (CSV_HEADER + "security_incident_handling_rate,330302,2026-10,150,\n").encode()
    )
    upload.name = "values.csv"
    response = client.post("/admin/civility_index/enteredvalue/import/", {"file": upload})
    assert response.status_code == 400
    assert "数值超出范围" in response.content.decode()
    assert EnteredValue.objects.count() == 0


def test_a_snapshot_holds_raw_values_cases_scores_ranks_and_robustness(october_reports):
    snapshot = services.snapshot_compute(period=OCTOBER)
    lucheng = snapshot.results["units"]["330302"]
    assert lucheng["indicators"]["report_closure_rate"]["raw"] == 75.0
    assert lucheng["indicators"]["report_closure_rate"]["cases"] == 4
    # Goalposts 50–100: (75 - 50) / 50 = 50 points.
    assert lucheng["indicators"]["report_closure_rate"]["score"] == pytest.approx(50.0)
    assert [
        "missing",
        "security_incident_handling_rate",
        "网络安全事件处置率",
        "Security incident handling rate",
    ] in lucheng["flags"]
    assert snapshot.version == 1
    assert snapshot.method["version"] == services.method_settings().version
    assert snapshot.is_published  # October is over
    EnteredValue.objects.create(
        indicator=Indicator.objects.get(code="security_incident_handling_rate"),
        district="330302",
        period=OCTOBER,
        value=99.0,
    )  # a late figure: the month's inputs changed
    again = services.snapshot_compute(period=OCTOBER)
    assert again.version == 2
    assert not again.is_published  # a restatement stands beside, not over, the published one


def test_a_failed_recomputation_leaves_no_partial_snapshot(october_reports):
    with (
        mock.patch("civility_index.scoring.robustness", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.snapshot_compute(period=OCTOBER)
    assert Snapshot.objects.count() == 0


def test_changing_the_method_marks_snapshots_stale_and_the_methodology_page_follows(
    client, october_reports, index_editor
):
    services.snapshot_compute(period=OCTOBER)
    page = client.get("/index/methodology/").content.decode()
    assert "权重 0.35" in page
    assert "稳健性分析结果" in page  # the published month's rank ranges
    Dimension.objects.filter(code="governance").update(weight=0.5)
    services.method_changed(actor=index_editor)
    assert Snapshot.objects.filter(is_stale=False).count() == 0
    page = client.get("/index/methodology/").content.decode()
    assert "权重 0.5" in page
    assert "v2" in page


def test_the_dashboard_reads_snapshots_with_a_constant_number_of_queries(client, october_reports):
    services.snapshot_compute(period=OCTOBER)
    with CaptureQueriesContext(connection) as one_period:
        assert client.get("/index/").status_code == 200
    for months_back in range(1, 6):
        period = date(2026, 10 - months_back, 1)
        services.snapshot_compute(period=period)
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as six_periods:
        page = client.get("/index/")
    assert len(six_periods) == len(one_period)
    assert "鹿城区" in page.content.decode()
    with CaptureQueriesContext(connection) as cached:
        client.get("/index/")
    assert len(cached) <= 2  # the latest snapshot id, and the session at most


def test_the_snapshot_csv_escapes_formula_text_and_keeps_negative_numbers(client, october_reports):
    snapshot = services.snapshot_compute(period=OCTOBER)
    results = snapshot.results
    lucheng = results["units"]["330302"]
    lucheng["name"] = "=1+2"
    lucheng["change"] = -3.5
    lucheng["flags"] = [["@cmd", "-1+1"]]
    Snapshot.objects.filter(pk=snapshot.pk).update(results=results)

    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/index/snapshots/2026-10.csv").content.decode("utf-8-sig"))
        )
    )

    row = next(row for row in rows if row["district_code"] == "330302")
    assert row["district"] == "'=1+2"
    assert row["change"] == "-3.5"
    assert row["flags"] == "'@cmd:-1+1"
    assert float(row["report_closure_rate:raw"]) == 75.0


def test_downloads_and_api_serve_the_snapshot(client, october_reports):
    snapshot = services.snapshot_compute(period=OCTOBER)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/index/snapshots/2026-10.csv").content.decode("utf-8-sig"))
        )
    )
    lucheng = next(row for row in rows if row["district_code"] == "330302")
    assert float(lucheng["report_closure_rate:raw"]) == 75.0
    document = json.loads(client.get("/index/snapshots/2026-10.json").content)
    assert document["results"] == snapshot.results
    assert client.get("/index/snapshots/2026-13.csv").status_code == 404
    assert client.get("/index/snapshots/2020-01.json").status_code == 404
    api = client.get("/api/v1/index/snapshots/", {"period": "2026-10"}).json()
    assert [item["version"] for item in api] == [1]
    assert client.get("/api/v1/index/latest/").json()["period"] == "2026-10"
    assert client.get("/api/v1/index/snapshots/", {"period": "October"}).status_code == 400


def test_district_drill_down_shows_raw_values_and_rank_range(client, october_reports):
    services.snapshot_compute(period=OCTOBER)
    page = client.get("/index/districts/330302/").content.decode()
    assert "83.33" not in page  # only October's own figures
    assert "75.00 %" in page
    assert "网络安全事件处置率" in page
    assert client.get("/index/districts/999999/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_recomputations_of_one_month_never_interleave(october_reports_committed):
    require_service(connection.vendor == "postgresql", "row locks need PostgreSQL (DATABASE_URL)")
    original = snapshots.period_values
    errors = []

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return original(*args, **kwargs)

    def run():
        try:
            services.snapshot_compute(period=OCTOBER)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    # Patched where snapshot_compute looks it up, in its own module of the package.
    with mock.patch.object(snapshots, "period_values", side_effect=slow):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    # The second waited for the first, then found the same inputs and wrote nothing.
    assert list(Snapshot.objects.filter(period=OCTOBER).values_list("version", flat=True)) == [1]


@pytest.fixture
def october_reports_committed(transactional_db, district_rules, default_method):
    from rumors import services as desk

    report = desk.report_submit(data=report_input(district="330302"))
    _place(report, _at(3))
    return [report]


def test_index_editors_may_not_touch_reports(client, index_editor):
    client.force_login(index_editor)
    assert client.get("/admin/rumors/report/").status_code == 403
    assert client.get("/admin/civility_index/indicator/").status_code == 200
    assert Indicator.objects.filter(source="entered").exists()


def test_the_previous_month_feeds_the_change_and_improvement_rank(october_reports):
    services.snapshot_compute(period=date(2026, 9, 1))
    october = services.snapshot_compute(period=OCTOBER)
    assert "change" in october.results["units"]["330302"]
    assert timedelta(0) <= timezone.now() - october.computed_at
