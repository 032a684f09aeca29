"""Public statistics of the report desk: a page, a CSV download and a JSON endpoint.

All three read the same cached dict from `statistics.report_statistics_cached`.
"""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from wenzhou_portal.csv_export import csv_download, safe_row

from .serializers import ReportStatisticsSerializer
from .statistics import report_statistics_cached

# The three breakdowns, in the order the page and the CSV show them.
BREAKDOWNS = [
    ("by_category", _("按举报类别"), _("类别")),
    ("by_department", _("按牵头部门"), _("牵头部门")),
    ("by_district", _("按涉及县（市、区）"), _("县（市、区）")),
]


def _breakdowns(stats: dict) -> list[dict]:
    return [
        {"key": key, "title": title, "group_heading": heading, "rows": stats[key]}
        for key, title, heading in BREAKDOWNS
    ]


@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    stats = report_statistics_cached()
    return render(
        request,
        "rumors/stats.html",
        {
            "stats": stats,
            "breakdowns": _breakdowns(stats),
            "generated_at": datetime.fromisoformat(stats["generated_at"]),
        },
    )


def statistics_csv_rows(stats: dict) -> list[list]:
    """One section per table: a title row, a header row, the data rows, a blank row."""
    window = stats["window"]
    rows: list[list] = [
        [gettext("温州市委网信办举报受理情况统计")],
        [gettext("统计期"), window["first_day"], window["last_day"]],
        [gettext("生成时间"), stats["generated_at"]],
        [],
        [gettext("每月收到与办结")],
        [gettext("月份"), gettext("收到举报"), gettext("办结举报")],
        *([month["month"], month["received"], month["closed"]] for month in stats["months"]),
        [],
        [gettext("办结率")],
        [gettext("收到举报"), gettext("其中已办结"), gettext("办结率（%）")],
        [
            stats["totals"]["received"],
            stats["totals"]["closed"],
            stats["totals"]["closure_rate_percent"],
        ],
        [],
        [gettext("办理用时（工作日）")],
        [gettext("环节"), gettext("中位数"), gettext("第90百分位数"), gettext("依据的举报数")],
    ]
    for label, key in ((gettext("首次响应"), "first_response"), (gettext("办结"), "close")):
        figure = stats["working_days"][key]
        rows.append([label, figure["median"], figure["p90"], figure["count"]])
    deadline = stats["deadline"]
    rows += [
        [],
        [gettext("按期办结")],
        [gettext("设有办理期限的已办结举报"), gettext("按期办结"), gettext("按期办结率（%）")],
        [deadline["count"], deadline["on_time"], deadline["on_time_percent"]],
        [],
        [gettext("复核")],
        [gettext("申请复核"), gettext("维持原结果"), gettext("重新办理"), gettext("尚未决定")],
        [
            stats["reviews"]["requested"],
            stats["reviews"]["upheld"],
            stats["reviews"]["reopened"],
            stats["reviews"]["pending"],
        ],
    ]
    for breakdown in _breakdowns(stats):
        rows += [
            [],
            [str(breakdown["title"])],
            [
                gettext("排名"),
                str(breakdown["group_heading"]),
                gettext("收到举报"),
                gettext("其中已办结"),
                gettext("办结率（%）"),
                gettext("办结用时中位数（工作日）"),
                gettext("依据的举报数"),
            ],
        ]
        for group in breakdown["rows"]:
            rows.append(
                [
                    group["rank"] if group["ranked"] else gettext("样本较少，不参与排名"),
                    group["label"],
                    group["received"],
                    group["closed"],
                    group["closure_rate_percent"],
                    group["median_working_days_to_close"],
                    group["median_count"],
                ]
            )
    rows += [
        [],
        [gettext("每月发布辟谣")],
        [gettext("月份"), gettext("发布辟谣")],
        *([month["month"], month["published"]] for month in stats["debunks"]),
    ]
    return [safe_row(row) for row in rows]


@require_GET
def stats_csv(request: HttpRequest) -> HttpResponse:
    stats = report_statistics_cached()
    filename = f"report-statistics-{stats['window']['last_day'][:7]}.csv"
    return csv_download(statistics_csv_rows(stats), filename=filename)


class ReportStatisticsView(APIView):
    """The public statistics of the report desk, the same figures as /reports/stats/."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="Public statistics of the report desk (last 12 calendar months)",
        description=(
            "Counts, closure rate, nearest-rank median and 90th percentile of working days "
            "(each with its count), deadline compliance and breakdowns by category, lead "
            "department and district. Merged reports count as received and closed. "
            "Recomputed at most every 10 minutes."
        ),
        responses={200: ReportStatisticsSerializer},
    )
    def get(self, request):
        return Response(ReportStatisticsSerializer(report_statistics_cached()).data)
