"""Snapshots: computing a month, publishing a version, queueing recomputations.

``snapshot_compute`` is run by tasks, not by a person; ``snapshot_publish`` and
``snapshot_recompute_request`` are staff writes, each with one audit event in the
transaction of its write.
"""

import hashlib
import json
import logging
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.celery import enqueue_on_commit
from wenzhou_portal.districts import CITY_CODE, District

from .. import scoring
from ..indicators import REGISTRY, PeriodSources
from ..models import DistrictPopulation, EnteredValue, Indicator, PeriodLock, Snapshot
from .method import LoadedMethod, method_describe, method_load
from .periods import month_start, next_month, previous_month

logger = logging.getLogger("civility_index")


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_values(
    period: date, method: LoadedMethod, population: dict[str, int] | None = None
) -> tuple[dict[str, dict[str, scoring.RawValue]], dict[str, dict[str, str | None]]]:
    """Raw values per district and indicator for one month, and when each last changed.

    Each other app's figures are read once for the month, however many indicators use them.
    """
    if population is None:
        population = _population()
    sources = PeriodSources(_aware(period), _aware(next_month(period)), population)
    values: dict[str, dict[str, scoring.RawValue]] = {code: {} for code in District.values}
    updated: dict[str, dict[str, str | None]] = {code: {} for code in District.values}
    for indicator in method.indicators:
        if indicator.source == Indicator.Source.COMPUTED:
            for district, (raw, changed) in REGISTRY[indicator.computed_key](sources).items():
                if district in values and raw.value is not None:
                    values[district][indicator.code] = raw
                    updated[district][indicator.code] = changed.isoformat() if changed else None
    entered = EnteredValue.objects.filter(
        period=period, indicator__in=[i for i in method.indicators if i.source == "entered"]
    ).select_related("indicator")
    for row in entered:
        values[row.district][row.indicator.code] = scoring.RawValue(row.value, row.cases)
        updated[row.district][row.indicator.code] = row.updated_at.isoformat()
    return values, updated


def _population() -> dict[str, int]:
    return dict(DistrictPopulation.objects.values_list("district", "population"))


def inputs_digest(
    *,
    method: dict,
    population: dict[str, int],
    values: dict[str, dict[str, scoring.RawValue]],
    updated: dict[str, dict[str, str | None]],
    previous_overall: dict[str, float | None] | None,
) -> str:
    """A fingerprint of everything a month's snapshot is computed from.

    The method as stored with the snapshot (version, weights, goalposts, robustness seed),
    the populations, every raw value with its cases and when it changed, and the previous
    month's scores behind the change column: the engine is deterministic, so equal digests
    mean equal results.
    """
    document = {
        "method": method,
        "population": population,
        "values": {
            district: {code: [raw.value, raw.cases] for code, raw in by_code.items()}
            for district, by_code in values.items()
        },
        "updated": updated,
        "previous": previous_overall,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def snapshot_compute(*, period: date) -> Snapshot:
    """Recompute one month into a new snapshot version, in one transaction, under a lock.

    Keyed by its inputs: when the month's latest version was computed from the same inputs
    (same digest), nothing is written and that version is returned, so a re-delivered or
    repeated task is harmless. The one exception is the month's first computation after it
    ends, which is written (and published) even with unchanged inputs.
    """
    period = month_start(period)
    PeriodLock.objects.get_or_create(period=period)
    with transaction.atomic():
        # Two recomputations of one month queue here instead of interleaving.
        PeriodLock.objects.select_for_update().get(period=period)
        method = method_load()
        described = method_describe(method)
        population = _population()
        values, updated = period_values(period, method, population)
        previous = _published_or_latest(previous_month(period))
        previous_overall = (
            {code: unit["overall"] for code, unit in previous.results["units"].items()}
            if previous
            else None
        )
        digest = inputs_digest(
            method=described,
            population=population,
            values=values,
            updated=updated,
            previous_overall=previous_overall,
        )
        latest = Snapshot.objects.filter(period=period).order_by("-version").first()
        period_over = next_month(period) <= timezone.localdate()
        first_of_month = not Snapshot.objects.filter(period=period, is_published=True).exists()
        publish = period_over and first_of_month
        if latest is not None and latest.input_digest == digest and not publish:
            logger.info(
                "index snapshot unchanged",
                extra={"period": period.isoformat(), "version": latest.version},
            )
            return latest
        result = scoring.compute(method.spec, values, previous_overall)
        robust = scoring.robustness(
            method.spec,
            values,
            draws=method.settings.robustness_draws,
            spread=method.settings.robustness_spread,
            seed=method.settings.robustness_seed,
        )
        results = _results_json(method, values, updated, result, robust, population)
        version = (latest.version if latest else 0) + 1
        snapshot = Snapshot.objects.create(
            period=period,
            version=version,
            method_version=method.settings.version,
            is_published=publish,
            published_at=timezone.now() if publish else None,
            city_score=results["city"]["overall"],
            results=results,
            method=described,
            input_digest=digest,
        )
    logger.info("index snapshot", extra={"period": period.isoformat(), "version": version})
    return snapshot


def _published_or_latest(period: date) -> Snapshot | None:
    snapshots = Snapshot.objects.filter(period=period)
    return snapshots.filter(is_published=True).first() or snapshots.order_by("-version").first()


def _results_json(method, values, updated, result, robust, population: dict[str, int]) -> dict:
    names = {i.code: (i.name_zh, i.name_en) for i in method.indicators}
    names |= {d.code: (d.name_zh, d.name_en) for d in method.dimensions}
    units = {}
    for code, unit in result.units.items():
        # Keyed by district code only: pages translate the code, so a month computed while
        # one language was active never shows its district names on the other's pages.
        units[code] = {
            "overall": unit.overall,
            "rank": unit.rank,
            "improvement_rank": unit.improvement_rank,
            "change": unit.change,
            "dimensions": unit.dimension_scores,
            "indicators": {
                indicator.code: {
                    "raw": values[code][indicator.code].value
                    if indicator.code in values[code]
                    else None,
                    "cases": values[code][indicator.code].cases
                    if indicator.code in values[code]
                    else None,
                    "updated": updated[code].get(indicator.code),
                    "score": unit.indicator_scores.get(indicator.code),
                }
                for indicator in method.indicators
            },
            "flags": [[kind, detail, *names.get(detail, ("", ""))] for kind, detail in unit.flags],
            "robustness": (
                {
                    "rank_configured": robust[code].rank_configured,
                    "rank_equal_weights": robust[code].rank_equal_weights,
                    "rank_min": robust[code].rank_min,
                    "rank_max": robust[code].rank_max,
                    "rank_median": robust[code].rank_median,
                }
                if code in robust
                else None
            ),
        }
    return {"units": units, "city": _city(units, population, method)}


def _city(units: dict, population: dict[str, int], method: LoadedMethod) -> dict:
    """The city as a whole: the population-weighted mean of the districts' scores."""

    def weighted(get) -> float | None:
        pairs = [(get(unit), population.get(code, 0)) for code, unit in units.items()]
        pairs = [(score, people) for score, people in pairs if score is not None and people]
        total = sum(people for _score, people in pairs)
        return sum(score * people for score, people in pairs) / total if total else None

    return {
        "code": CITY_CODE,
        "overall": weighted(lambda unit: unit["overall"]),
        "dimensions": {
            d.code: weighted(lambda unit, code=d.code: unit["dimensions"].get(code))
            for d in method.dimensions
        },
    }


def snapshot_publish(*, snapshot_id: int, actor, request: HttpRequest | None = None) -> Snapshot:
    """Publish a version (a restatement replaces the published one, which stays on record)."""
    with transaction.atomic():
        snapshot = Snapshot.objects.select_for_update().get(pk=snapshot_id)
        if snapshot.is_published:
            raise ValidationError(
                gettext("%(snapshot)s 已经是发布版本。") % {"snapshot": snapshot},
                code="already_published",
            )
        replaced = list(
            Snapshot.objects.filter(period=snapshot.period, is_published=True).values_list(
                "version", flat=True
            )
        )
        Snapshot.objects.filter(period=snapshot.period, is_published=True).update(
            is_published=False
        )
        snapshot.is_published = True
        snapshot.published_at = timezone.now()
        snapshot.save(update_fields=["is_published", "published_at"])
        audit_record(
            action="civility_index.snapshot_published",
            actor=actor,
            target=audit_target(snapshot),
            request=request,
            detail={
                "period": f"{snapshot.period:%Y-%m}",
                "version": snapshot.version,
                "replaced_version": replaced[0] if replaced else None,
            },
        )
        return snapshot


def snapshot_recompute_request(
    *, periods: list[date], actor, request: HttpRequest | None = None
) -> list[date]:
    """Queue a recomputation of these months for a member of staff: one audit event.

    The work is the task's (``recompute_period``, keyed by its inputs); this records who
    asked for which months, and queues the tasks once the record is committed.
    """
    months = sorted({month_start(period) for period in periods})
    if not months:
        raise ValidationError(gettext("请选择要重新计算的月份。"), code="no_periods")
    with transaction.atomic():
        audit_record(
            action="civility_index.recompute_requested",
            actor=actor,
            target="civility_index.snapshot:" + ",".join(f"{m:%Y-%m}" for m in months),
            request=request,
            detail={"periods": [m.isoformat() for m in months]},
        )
        for month in months:
            enqueue_on_commit("civility_index.tasks.recompute_period", month.isoformat())
    return months
