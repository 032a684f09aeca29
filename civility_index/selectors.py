"""Reads of the index: snapshots only, never aggregation at request time."""

from datetime import date

from django.db.models import Prefetch, QuerySet

from .models import Dimension, Indicator, MethodSettings, Snapshot


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


def latest_snapshot_id() -> int | None:
    return Snapshot.objects.order_by("-pk").values_list("pk", flat=True).first()


def method_live() -> tuple[MethodSettings | None, QuerySet[Dimension]]:
    """The live method for the methodology page: dimensions with their active indicators."""
    active = Prefetch(
        "indicators", queryset=Indicator.objects.filter(is_active=True), to_attr="active_indicators"
    )
    return MethodSettings.objects.first(), Dimension.objects.prefetch_related(active).order_by(
        "order"
    )
