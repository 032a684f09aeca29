"""Reads of the index: snapshots only, never aggregation at request time."""

from datetime import date

from django.db.models import Max, Prefetch, QuerySet

from .models import Dimension, Indicator, MethodSettings, Snapshot
from .reading import DistrictReading, district_reading
from .services.periods import previous_month


def snapshots_current(*, periods: int = 24) -> list[Snapshot]:
    """Per month (newest first): the published snapshot if any, else the newest version."""
    recent = list(
        Snapshot.objects.order_by("-period", "-is_published", "-version").only(
            "pk", "period", "version", "is_published", "city_score", "computed_at"
        )
    )
    chosen: dict[date, int] = {}
    for snapshot in recent:
        chosen.setdefault(snapshot.period, snapshot.pk)
        if len(chosen) >= periods:
            break
    return list(Snapshot.objects.filter(pk__in=chosen.values()).order_by("-period"))


def snapshot_for(period: date) -> Snapshot | None:
    return Snapshot.objects.filter(period=period).order_by("-is_published", "-version").first()


def restatement_for(snapshot: Snapshot) -> Snapshot | None:
    """A newer computation of a published month, shown beside it, never over it."""
    if not snapshot.is_published:
        return None
    return (
        Snapshot.objects.filter(period=snapshot.period, version__gt=snapshot.version)
        .order_by("-version")
        .first()
    )


def snapshots_version() -> str:
    """What the public pages' cache keys hang on: changes with every new snapshot and every
    publication (a restatement is published on an existing row; the newest id alone stayed
    the same and every node served the superseded figures until the cache expired)."""
    figures = Snapshot.objects.aggregate(newest=Max("pk"), published=Max("published_at"))
    published = figures["published"].timestamp() if figures["published"] else 0
    return f"{figures['newest'] or 0}-{published:.6f}"


def method_live() -> tuple[MethodSettings | None, QuerySet[Dimension]]:
    """The live method for the methodology page: dimensions with their active indicators."""
    active = Prefetch(
        "indicators", queryset=Indicator.objects.filter(is_active=True), to_attr="active_indicators"
    )
    return MethodSettings.objects.first(), Dimension.objects.prefetch_related(active).order_by(
        "order"
    )


def district_reading_for(*, code: str, snapshots: list[Snapshot]) -> DistrictReading | None:
    """A district's newest complete month against the month before, from stored snapshots.

    ``snapshots`` is ``snapshots_current()``: one per month, newest first. The headline month
    is the newest published one (the running month is provisional), as on the pages.
    """
    months = [s for s in snapshots if code in s.results["units"]]
    current = next((s for s in months if s.is_published), months[0] if months else None)
    if current is None:
        return None
    before = previous_month(current.period)
    previous = next((s for s in snapshots if s.period == before), None)
    return district_reading(
        code=code,
        period=current.period,
        units=current.results["units"],
        previous_units=previous.results["units"] if previous else None,
        dimension_order=[d["code"] for d in current.method["dimensions"]],
    )
