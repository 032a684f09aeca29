"""Public statistics of the report desk: aggregates run in the database, cached briefly.

Every figure is about the statistics window: the current calendar month and the eleven
before it, in Asia/Shanghai time. Nothing here reads report text, contacts or codes.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext

from wenzhou_portal.districts import District

from .models import CLOSED_STATUSES, Category, Debunk, Report, ReviewOutcome

WINDOW_MONTHS = 12
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
CACHE_SECONDS = 10 * 60
CACHE_VERSION = 2  # 2: reviews (复核) figures
MEDIAN = 50
P90 = 90


def min_group_size() -> int:
    """Groups with fewer reports than this are shown but not ranked."""
    return getattr(settings, "REPORT_STATS_MIN_GROUP", 5)


def nearest_rank(percentile: int, count: int) -> int | None:
    """The 1-based position of the percentile among `count` sorted values: ⌈p·n/100⌉."""
    if count <= 0:
        return None
    return (percentile * count + 99) // 100


def percent(part: int, whole: int) -> float | None:
    """A share as a percentage rounded to one decimal; None when there is nothing to share."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


def statistics_window(now: datetime) -> tuple[datetime, datetime]:
    """[start, end): midnight on the first of the month eleven months back, to next month."""
    local = timezone.localtime(now, LOCAL_TZ)
    months = local.year * 12 + local.month - 1
    first = months - (WINDOW_MONTHS - 1)
    start = datetime(first // 12, first % 12 + 1, 1, tzinfo=LOCAL_TZ)
    after = months + 1
    end = datetime(after // 12, after % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return start, end


def window_month_keys(start: datetime) -> list[str]:
    months = start.year * 12 + start.month - 1
    return [
        f"{(months + step) // 12:04d}-{(months + step) % 12 + 1:02d}"
        for step in range(WINDOW_MONTHS)
    ]


def _per_month(rows: QuerySet, field: str) -> dict[str, int]:
    counts = (
        rows.annotate(month=TruncMonth(field, tzinfo=LOCAL_TZ))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )
    return {row["month"].astimezone(LOCAL_TZ).strftime("%Y-%m"): row["count"] for row in counts}


def _value_at_rank(rows: QuerySet, field: str, percentile: int, count: int) -> int | None:
    """One row from the database: the value at the nearest rank, never the whole column."""
    position = nearest_rank(percentile, count)
    if position is None:
        return None
    # A slice, not an index: a row removed since the count leaves None, not an IndexError.
    found = list(rows.order_by(field, "pk").values_list(field, flat=True)[position - 1 : position])
    return found[0] if found else None


def _working_days(rows: QuerySet, field: str, count: int) -> dict:
    measured = rows.filter(**{f"{field}__isnull": False})
    return {
        "count": count,
        "median": _value_at_rank(measured, field, MEDIAN, count),
        "p90": _value_at_rank(measured, field, P90, count),
    }


def _group_medians(rows: QuerySet, group_field: str) -> dict:
    """Median working days to close per group, in one query with window functions."""
    measured = rows.filter(status__in=CLOSED_STATUSES, working_days_to_close__isnull=False)
    partition = [F(group_field)]
    at_median = (
        measured.annotate(
            position=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("working_days_to_close").asc(), F("pk").asc()],
            ),
            group_count=Window(Count("pk"), partition_by=partition),
        )
        # ⌈50·n/100⌉ in integer arithmetic, the same rank as nearest_rank(MEDIAN, n).
        .filter(position=(F("group_count") * MEDIAN + 99) / 100)
        .order_by()
        .values_list(group_field, "working_days_to_close", "group_count")
    )
    return {group: (median, count) for group, median, count in at_median}


def _ranked(groups: list[dict], min_group: int) -> list[dict]:
    """Rank groups big enough by closure rate (ties share a rank); list the small ones after."""
    eligible = [group for group in groups if group["received"] >= min_group]
    small = [group for group in groups if group["received"] < min_group]

    def rate(group: dict) -> Fraction:
        return Fraction(group["closed"], group["received"])

    eligible.sort(key=lambda group: (-rate(group), -group["received"], group["label"]))
    previous = None
    for index, group in enumerate(eligible, start=1):
        if previous is None or rate(group) != rate(previous):
            rank = index
        group["rank"] = rank
        group["ranked"] = True
        previous = group
    small.sort(key=lambda group: (-group["received"], group["label"]))
    for group in small:
        group["rank"] = None
        group["ranked"] = False
    return eligible + small


def _breakdown(
    rows: QuerySet, group_field: str, label_field: str | None, labels: dict, min_group: int
) -> list[dict]:
    """Received, closed and closure rate per group in one grouped aggregate query."""
    fields = [group_field, label_field] if label_field else [group_field]
    counts = (
        rows.values(*fields)
        .annotate(
            received=Count("pk"),
            closed=Count("pk", filter=Q(status__in=CLOSED_STATUSES)),
        )
        .order_by(group_field)
    )
    medians = _group_medians(rows, group_field)
    groups = []
    for row in counts:
        key = row[group_field]
        median, median_count = medians.get(key, (None, 0))
        label = row[label_field] if label_field and key is not None else labels.get(key, key)
        groups.append(
            {
                "code": "" if key is None else str(key),
                "label": str(label),
                "received": row["received"],
                "closed": row["closed"],
                "closure_rate_percent": percent(row["closed"], row["received"]),
                "median_working_days_to_close": median,
                "median_count": median_count,
            }
        )
    return _ranked(groups, min_group)


def _months(keys: Iterable[str], **series: dict[str, int]) -> list[dict]:
    return [
        {"month": key, **{name: counts.get(key, 0) for name, counts in series.items()}}
        for key in keys
    ]


def report_statistics(*, now: datetime | None = None) -> dict:
    """Every public figure of the report desk for the 12-month window, as plain data."""
    now = now or timezone.now()
    start, end = statistics_window(now)
    keys = window_month_keys(start)
    min_group = min_group_size()

    received = Report.objects.filter(created_at__gte=start, created_at__lt=end)
    closed = received.filter(status__in=CLOSED_STATUSES)
    closed_in_month = Report.objects.filter(
        status__in=CLOSED_STATUSES, closed_at__gte=start, closed_at__lt=end
    )
    totals = received.aggregate(
        received=Count("pk"),
        closed=Count("pk", filter=Q(status__in=CLOSED_STATUSES)),
        responded=Count("pk", filter=Q(working_days_to_first_response__isnull=False)),
        closed_measured=Count(
            "pk",
            filter=Q(status__in=CLOSED_STATUSES, working_days_to_close__isnull=False),
        ),
        with_deadline=Count(
            "pk",
            filter=Q(status__in=CLOSED_STATUSES, due_at__isnull=False, closed_at__isnull=False),
        ),
        on_time=Count(
            "pk",
            filter=Q(status__in=CLOSED_STATUSES, due_at__isnull=False, closed_at__lte=F("due_at")),
        ),
    )
    debunks = Debunk.objects.filter(
        is_published=True, published_at__gte=start, published_at__lt=end
    )
    reviews = Report.objects.filter(
        review_requested_at__gte=start, review_requested_at__lt=end
    ).aggregate(
        requested=Count("pk"),
        upheld=Count("pk", filter=Q(review_outcome=ReviewOutcome.UPHELD)),
        reopened=Count("pk", filter=Q(review_outcome=ReviewOutcome.REOPENED)),
    )

    return {
        "generated_at": timezone.localtime(now, LOCAL_TZ).isoformat(timespec="seconds"),
        "window": {
            "first_day": start.date().isoformat(),
            "last_day": (end - timedelta(days=1)).date().isoformat(),
            "first_month": keys[0],
            "last_month": keys[-1],
        },
        "min_group": min_group,
        "totals": {
            "received": totals["received"],
            "closed": totals["closed"],
            "closure_rate_percent": percent(totals["closed"], totals["received"]),
        },
        "months": _months(
            keys,
            received=_per_month(received, "created_at"),
            closed=_per_month(closed_in_month, "closed_at"),
        ),
        "working_days": {
            "first_response": _working_days(
                received, "working_days_to_first_response", totals["responded"]
            ),
            "close": _working_days(closed, "working_days_to_close", totals["closed_measured"]),
        },
        "deadline": {
            "count": totals["with_deadline"],
            "on_time": totals["on_time"],
            "on_time_percent": percent(totals["on_time"], totals["with_deadline"]),
        },
        "reviews": {
            **reviews,
            "pending": reviews["requested"] - reviews["upheld"] - reviews["reopened"],
        },
        "by_category": _breakdown(received, "category", None, dict(Category.choices), min_group),
        "by_department": _breakdown(
            received,
            "lead_department",
            "lead_department__name",
            {None: gettext("尚未分办")},
            min_group,
        ),
        "by_district": _breakdown(
            received, "district", None, {**dict(District.choices), "": gettext("未填写")}, min_group
        ),
        "debunks": _months(keys, published=_per_month(debunks, "published_at")),
    }


def statistics_cache_key() -> str:
    # Labels are translated, so each language keeps its own copy.
    return f"rumors:report_statistics:v{CACHE_VERSION}:{translation.get_language()}"


def report_statistics_cached() -> dict:
    """The statistics as the pages and API serve them: recomputed at most every 10 minutes."""
    return cache.get_or_set(statistics_cache_key(), report_statistics, CACHE_SECONDS)
