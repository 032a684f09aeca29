"""Every write of the index: recomputing a month, method changes, importing entered data.

Staff services (``method_changed``, ``snapshot_publish``, ``entered_values_import``,
``snapshot_recompute_request``) take a keyword-only ``actor`` and write one audit event in
the transaction of their write. ``snapshot_compute`` is run by tasks, not by a person.
"""

import csv
import hashlib
import io
import json
import logging
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.celery import enqueue_on_commit
from wenzhou_portal.districts import CITY_CODE, District

from . import scoring
from .indicators import REGISTRY, PeriodSources
from .models import (
    Dimension,
    DistrictPopulation,
    EnteredValue,
    Indicator,
    MethodSettings,
    PeriodLock,
    Snapshot,
)

logger = logging.getLogger("civility_index")


# The months the index can hold: wide enough for any real figure, narrow enough that a
# typo ("0206-10") is refused, and the neighbouring months a computation reads (the
# previous month's scores, the next month's start) are always dates too.
FIRST_YEAR = 2000
LAST_YEAR = 2099
PERIOD_RE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")
PERIOD_MAX_LENGTH = 32


def parse_period(text: str) -> date:
    """'2026-10' to date(2026, 10, 1); ValidationError if it is not a month the index holds.

    Full-width digits and dash (a Chinese input method's "２０２６－１０") are folded to
    ASCII first; other scripts' digits, which ``int()`` would read, are refused.
    """
    # Long text is refused before folding (which can lengthen it), never cut to length
    # (which would accept "2026-10" followed by anything).
    match = (
        PERIOD_RE.fullmatch(unicodedata.normalize("NFKC", text).strip())
        if len(text) <= PERIOD_MAX_LENGTH
        else None
    )
    if match is None or not 1 <= int(match["month"]) <= 12:
        raise ValidationError(gettext("月份格式应为 YYYY-MM，例如 2026-10。"), code="period_format")
    year = int(match["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            gettext("月份应在 %(first)s 至 %(last)s 之间。")
            % {"first": f"{FIRST_YEAR}-01", "last": f"{LAST_YEAR}-12"},
            code="period_range",
        )
    return date(year, int(match["month"]), 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(period: date) -> date:
    return date(period.year + period.month // 12, period.month % 12 + 1, 1)


def previous_month(period: date) -> date:
    return date(period.year - (period.month == 1), (period.month - 2) % 12 + 1, 1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def method_settings() -> MethodSettings:
    return MethodSettings.objects.first() or MethodSettings.objects.create()


@dataclass(frozen=True)
class LoadedMethod:
    settings: MethodSettings
    dimensions: list[Dimension]
    indicators: list[Indicator]
    spec: scoring.Method


def method_load() -> LoadedMethod:
    """The live method, as the scoring engine takes it."""
    options = method_settings()
    dimensions = list(Dimension.objects.all())
    indicators = list(Indicator.objects.filter(is_active=True).select_related("dimension"))
    spec = scoring.Method(
        dimensions=tuple(
            scoring.DimensionSpec(d.code, d.weight, d.floor)
            for d in dimensions
            if any(i.dimension_id == d.pk for i in indicators)
        ),
        indicators=tuple(
            scoring.IndicatorSpec(
                code=i.code,
                dimension=i.dimension.code,
                weight=i.weight,
                direction=i.direction,
                lower=i.lower,
                upper=i.upper,
                method=i.scheme,
                bands=tuple((float(t), float(s)) for t, s in i.bands),
            )
            for i in indicators
        ),
        max_missing_share=options.max_missing_share,
        min_cases=options.min_cases,
        exclude_small_samples_from_ranking=options.exclude_small_samples_from_ranking,
        normalisation=options.normalisation,
    )
    return LoadedMethod(options, dimensions, indicators, spec)


def method_changed(*, actor, request: HttpRequest | None = None, cause: str = "") -> int:
    """Record a change of method: a new version, and every snapshot marked stale.

    ``cause`` names what changed ("civility_index.dimension:3 …"), for the audit record.
    """
    with transaction.atomic():
        options = MethodSettings.objects.select_for_update().get(pk=method_settings().pk)
        options.version += 1
        options.save(update_fields=["version", "updated_at"])
        stale = Snapshot.objects.filter(is_stale=False).update(is_stale=True)
        audit_record(
            action="civility_index.method_changed",
            actor=actor,
            target=audit_target(options),
            request=request,
            detail={"version": options.version, "cause": cause[:200], "snapshots_stale": stale},
        )
        return options.version


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
        units[code] = {
            "name": str(District(code).label),
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


def method_describe(method: LoadedMethod) -> dict:
    """The method as stored with each snapshot, so old results stay explainable."""
    return {
        "version": method.settings.version,
        "normalisation": method.settings.normalisation,
        "max_missing_share": method.settings.max_missing_share,
        "min_cases": method.settings.min_cases,
        "robustness": {
            "draws": method.settings.robustness_draws,
            "spread": method.settings.robustness_spread,
            "seed": method.settings.robustness_seed,
        },
        "dimensions": [
            {
                "code": d.code,
                "name_zh": d.name_zh,
                "name_en": d.name_en,
                "weight": d.weight,
                "floor": d.floor,
            }
            for d in method.dimensions
        ],
        "indicators": [
            {
                "code": i.code,
                "name_zh": i.name_zh,
                "name_en": i.name_en,
                "dimension": i.dimension.code,
                "unit": i.unit,
                "unit_en": i.unit_en,
                "direction": i.direction,
                "weight": i.weight,
                "scheme": i.scheme,
                "lower": i.lower,
                "upper": i.upper,
                "bands": i.bands,
                "source": i.source,
            }
            for i in method.indicators
        ],
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


# --- Importing staff-entered values --------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


CSV_COLUMNS = ("indicator", "district", "period", "value", "cases")


def entered_values_import(*, text: str, actor, request: HttpRequest | None = None) -> ImportReport:
    """Import a CSV of entered values; any bad row refuses the whole file, row by row.

    A refused file writes nothing; an accepted one is one transaction and one audit event.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"indicator", "district", "period", "value"} - set(reader.fieldnames or [])
    if missing:
        report.errors.append(
            (1, gettext("缺少列：%(columns)s") % {"columns": ", ".join(sorted(missing))})
        )
        return report
    indicators = {i.code: i for i in Indicator.objects.filter(source="entered")}
    rows, seen = [], set()
    for number, row in enumerate(reader, start=2):
        problem, parsed = _parse_row(row, indicators)
        if problem:
            report.errors.append((number, problem))
            continue
        key = (parsed["indicator"].pk, parsed["district"], parsed["period"])
        if key in seen:
            report.errors.append((number, gettext("与前面的行重复（同一指标、地区和月份）。")))
            continue
        seen.add(key)
        rows.append(parsed)
    if not rows and not report.errors:
        report.errors.append((1, gettext("文件中没有数据行。")))
    if report.errors:
        return report
    with transaction.atomic():
        for parsed in rows:
            _, created = EnteredValue.objects.update_or_create(
                indicator=parsed["indicator"],
                district=parsed["district"],
                period=parsed["period"],
                defaults={"value": parsed["value"], "cases": parsed["cases"], "entered_by": actor},
            )
            if created:
                report.created += 1
            else:
                report.updated += 1
        periods = sorted({f"{parsed['period']:%Y-%m}" for parsed in rows})
        audit_record(
            action="civility_index.entered_values_imported",
            actor=actor,
            target="civility_index.enteredvalue:" + ",".join(periods),
            request=request,
            detail={
                "created": report.created,
                "updated": report.updated,
                "periods": periods,
                "indicators": sorted({parsed["indicator"].code for parsed in rows}),
            },
        )
    return report


def _parse_row(row: dict, indicators: dict[str, Indicator]) -> tuple[str | None, dict]:
    code = (row.get("indicator") or "").strip()
    indicator = indicators.get(code)
    if indicator is None:
        return gettext("未知的填报指标：%(code)s") % {"code": code or "（空）"}, {}
    district = (row.get("district") or "").strip()
    if district not in District.values:
        return gettext("未知的行政区划代码：%(code)s") % {"code": district or "（空）"}, {}
    try:
        period = parse_period(row.get("period") or "")
    except ValidationError as refused:
        return refused.messages[0], {}
    try:
        value = float((row.get("value") or "").strip())
    except ValueError:
        return gettext("数值不是数字：%(value)s") % {"value": row.get("value") or "（空）"}, {}
    if not math.isfinite(value) or value < 0 or (indicator.unit == "%" and value > 100):
        return gettext("数值超出范围：%(value)s（%(unit)s）") % {
            "value": value,
            "unit": indicator.unit,
        }, {}
    cases_text = (row.get("cases") or "").strip()
    cases = None
    if cases_text:
        if not cases_text.isdigit():
            return gettext("案例数应为非负整数：%(cases)s") % {"cases": cases_text}, {}
        cases = int(cases_text)
    return None, {
        "indicator": indicator,
        "district": district,
        "period": period,
        "value": value,
        "cases": cases,
    }
