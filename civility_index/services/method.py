"""The method of the index: its settings, loading it for the engine, and changing it.

``method_changed`` is a staff write: a keyword-only ``actor``, one audit event in the
transaction of the write.
"""

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest

from wenzhou_portal.audit import audit_record, audit_target

from .. import scoring
from ..models import Dimension, Indicator, MethodSettings, Snapshot


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
