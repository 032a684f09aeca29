"""Computed indicators: registered functions over one month's reads of the other apps.

A function takes the month's ``PeriodSources`` and returns, per district code, a RawValue
(value plus the number of cases behind it) and when its data last changed. It reads other
apps only through their selectors, and only through ``PeriodSources``, which runs each
selector once per computation however many indicators share it: the five report-desk
indicators are built from one grouped query, not five.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from rumors import selectors as report_selectors

from .scoring import RawValue

Computed = dict[str, tuple[RawValue, datetime | None]]


@dataclass
class PeriodSources:
    """The month [start, end), the district populations, and the other apps' figures."""

    start: datetime
    end: datetime
    population: dict[str, int]

    @cached_property
    def report_figures(self) -> dict[str, dict]:
        """Per district, the report desk's counts for reports received in the month."""
        return report_selectors.district_report_figures(start=self.start, end=self.end)

    @cached_property
    def pledge_signers(self) -> dict[str, int]:
        """Per district, pledge signers in the month."""
        from campaigns import selectors as campaign_selectors

        return campaign_selectors.participants_by_district(start=self.start, end=self.end)

    @cached_property
    def charity_disclosures(self) -> dict[str, dict]:
        """Per district, charity disclosures due in the month and how many were on time."""
        from charity import selectors as charity_selectors

        return charity_selectors.disclosure_punctuality_by_district(start=self.start, end=self.end)

    @cached_property
    def charity_donors(self) -> dict[str, int]:
        """Per district, distinct donors to charity projects located there, in the month."""
        from charity import selectors as charity_selectors

        return charity_selectors.donors_by_district(start=self.start, end=self.end)


IndicatorFunction = Callable[[PeriodSources], Computed]

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
def report_closure_rate(sources: PeriodSources) -> Computed:
    return {
        district: (
            RawValue(_ratio(row["closed"], row["received"]), row["received"]),
            row["last_updated"],
        )
        for district, row in sources.report_figures.items()
    }


@register("report_on_time_share", "closed reports closed by their deadline (%)")
def report_on_time_share(sources: PeriodSources) -> Computed:
    return {
        district: (
            RawValue(_ratio(row["on_time"], row["with_due"]), row["with_due"]),
            row["last_updated"],
        )
        for district, row in sources.report_figures.items()
        if row["with_due"]
    }


@register("report_working_days_to_close", "mean working days from report to closure")
def report_working_days_to_close(sources: PeriodSources) -> Computed:
    return {
        district: (
            RawValue(float(row["working_days_to_close"]), row["closed"]),
            row["last_updated"],
        )
        for district, row in sources.report_figures.items()
        if row["working_days_to_close"] is not None
    }


@register("reporter_satisfaction", "ratings that are satisfied or fairly satisfied (%)")
def reporter_satisfaction(sources: PeriodSources) -> Computed:
    return {
        district: (
            RawValue(_ratio(row["satisfied"], row["rated"]), row["rated"]),
            row["last_updated"],
        )
        for district, row in sources.report_figures.items()
        if row["rated"]
    }


@register("reports_per_10k", "reports filed per 10,000 residents")
def reports_per_10k(sources: PeriodSources) -> Computed:
    figures = sources.report_figures
    values: Computed = {}
    for district, people in sources.population.items():
        row = figures.get(district)
        received = row["received"] if row else 0
        values[district] = (
            RawValue(10_000.0 * received / people, received),
            row["last_updated"] if row else None,
        )
    return values


@register("campaign_participants_per_10k", "pledge signers per 10,000 residents")
def campaign_participants_per_10k(sources: PeriodSources) -> Computed:
    counts = sources.pledge_signers
    return {
        district: (
            RawValue(10_000.0 * counts.get(district, 0) / people, counts.get(district, 0)),
            None,
        )
        for district, people in sources.population.items()
    }


# Offered, not in the default method: an index editor adds it to the method in admin (an
# indicator with this computed key), which makes a new method version; no migration does.
@register(
    "charity_disclosure_on_time_share",
    "charity disclosures due in the month that were published on time (%)",
)
def charity_disclosure_on_time_share(sources: PeriodSources) -> Computed:
    figures = sources.charity_disclosures
    values: Computed = {}
    for district in sources.population:
        row = figures.get(district, {"due": 0, "on_time": 0})
        values[district] = (
            RawValue(_ratio(row["on_time"], row["due"]), row["due"]),
            row.get("last_updated"),
        )
    return values


# Offered, not in the default method, like the disclosure indicator above.
@register(
    "charity_donors_per_10k",
    "distinct donors to charity projects located in the district, per 10,000 residents",
)
def charity_donors_per_10k(sources: PeriodSources) -> Computed:
    counts = sources.charity_donors
    return {
        district: (
            RawValue(10_000.0 * counts.get(district, 0) / people, counts.get(district, 0)),
            None,
        )
        for district, people in sources.population.items()
    }
