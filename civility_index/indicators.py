"""Computed indicators: registered functions, each one aggregate query per month.

A function takes the month's [start, end) and the district populations and returns, per
district code, a RawValue (value plus the number of cases behind it) and when its data
last changed. It reads other apps only through their selectors.
"""

from collections.abc import Callable
from datetime import datetime

from rumors import selectors as report_selectors

from .scoring import RawValue

Computed = dict[str, tuple[RawValue, datetime | None]]
IndicatorFunction = Callable[[datetime, datetime, dict[str, int]], Computed]

REGISTRY: dict[str, IndicatorFunction] = {}
LABELS: dict[str, str] = {}


def register(key: str, label: str) -> Callable[[IndicatorFunction], IndicatorFunction]:
    def add(func: IndicatorFunction) -> IndicatorFunction:
        REGISTRY[key] = func
        LABELS[key] = label
        return func

    return add


def _ratio(numerator: int, denominator: int) -> float | None:
    return 100.0 * numerator / denominator if denominator else None


@register("report_closure_rate", "received reports closed (%), reports received in the month")
def report_closure_rate(start: datetime, end: datetime, population: dict[str, int]) -> Computed:
    figures = report_selectors.district_report_figures(start=start, end=end)
    return {
        district: (
            RawValue(_ratio(row["closed"], row["received"]), row["received"]),
            row["last_updated"],
        )
        for district, row in figures.items()
    }


@register("report_on_time_share", "closed reports closed by their deadline (%)")
def report_on_time_share(start: datetime, end: datetime, population: dict[str, int]) -> Computed:
    figures = report_selectors.district_report_figures(start=start, end=end)
    return {
        district: (
            RawValue(_ratio(row["on_time"], row["with_due"]), row["with_due"]),
            row["last_updated"],
        )
        for district, row in figures.items()
        if row["with_due"]
    }


@register("report_working_days_to_close", "mean working days from report to closure")
def report_working_days_to_close(
    start: datetime, end: datetime, population: dict[str, int]
) -> Computed:
    figures = report_selectors.district_report_figures(start=start, end=end)
    return {
        district: (
            RawValue(float(row["working_days_to_close"]), row["closed"]),
            row["last_updated"],
        )
        for district, row in figures.items()
        if row["working_days_to_close"] is not None
    }


@register("reporter_satisfaction", "ratings that are satisfied or fairly satisfied (%)")
def reporter_satisfaction(start: datetime, end: datetime, population: dict[str, int]) -> Computed:
    figures = report_selectors.district_report_figures(start=start, end=end)
    return {
        district: (
            RawValue(_ratio(row["satisfied"], row["rated"]), row["rated"]),
            row["last_updated"],
        )
        for district, row in figures.items()
        if row["rated"]
    }


@register("reports_per_10k", "reports filed per 10,000 residents")
def reports_per_10k(start: datetime, end: datetime, population: dict[str, int]) -> Computed:
    figures = report_selectors.district_report_figures(start=start, end=end)
    values: Computed = {}
    for district, people in population.items():
        row = figures.get(district)
        received = row["received"] if row else 0
        values[district] = (
            RawValue(10_000.0 * received / people, received),
            row["last_updated"] if row else None,
        )
    return values


@register("campaign_participants_per_10k", "pledge signers per 10,000 residents")
def campaign_participants_per_10k(
    start: datetime, end: datetime, population: dict[str, int]
) -> Computed:
    from campaigns import selectors as campaign_selectors

    counts = campaign_selectors.participants_by_district(start=start, end=end)
    return {
        district: (
            RawValue(10_000.0 * counts.get(district, 0) / people, counts.get(district, 0)),
            None,
        )
        for district, people in population.items()
    }
