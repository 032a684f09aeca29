"""Pure calculation engine for the clean-network index (清朗指数): normalise, aggregate, flag, rank.

Follows composite-index practice (EU DESI, the SDG Index, JRC audits): fixed goalposts,
re-weighting over the data a unit has, the SDG Index cut-off for units with too much missing
data, and a weight-perturbation robustness check. Standard library only; nothing is rounded
here, the caller rounds for display.
"""

import math
import random
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal

Direction = Literal["higher", "lower"]
Scheme = Literal["goalposts", "bands", "minmax"]
Flag = tuple[str, object]

# Scores live on 0–100; a gap this small is float noise from summing in another order, not a lead.
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    dimension: str
    weight: float
    direction: Direction
    lower: float
    upper: float
    method: Scheme = "goalposts"
    bands: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    weight: float
    floor: float | None = None


@dataclass(frozen=True)
class Method:
    dimensions: tuple[DimensionSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    max_missing_share: float = 0.2
    min_cases: int = 0
    exclude_small_samples_from_ranking: bool = False
    normalisation: Literal["goalposts", "minmax"] = "goalposts"


@dataclass(frozen=True)
class RawValue:
    value: float | None
    cases: int | None = None


PeriodValues = Mapping[str, Mapping[str, RawValue]]


@dataclass(frozen=True)
class UnitResult:
    unit: str
    indicator_scores: dict[str, float | None]
    dimension_scores: dict[str, float | None]
    overall: float | None
    rank: int | None
    improvement_rank: int | None
    change: float | None
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class PeriodResult:
    units: dict[str, UnitResult]


@dataclass(frozen=True)
class RobustnessResult:
    rank_configured: int
    rank_equal_weights: int
    rank_min: int
    rank_max: int
    rank_median: float


def validate_method(method: Method) -> None:
    """Raise ValueError naming the first thing wrong with a method."""
    dimension_codes = [dimension.code for dimension in method.dimensions]
    indicator_codes = [indicator.code for indicator in method.indicators]
    for kind, codes in (("dimension", dimension_codes), ("indicator", indicator_codes)):
        if len(set(codes)) != len(codes):
            raise ValueError(f"duplicate {kind} codes in {codes}")
    if not method.indicators:
        raise ValueError("a method needs at least one indicator")
    for dimension in method.dimensions:
        if not _is_positive(dimension.weight):
            raise ValueError(
                f"dimension {dimension.code!r}: weight must be > 0, got {dimension.weight}"
            )
    for indicator in method.indicators:
        where = f"indicator {indicator.code!r}"
        if not _is_positive(indicator.weight):
            raise ValueError(f"{where}: weight must be > 0, got {indicator.weight}")
        if indicator.dimension not in dimension_codes:
            raise ValueError(f"{where}: unknown dimension {indicator.dimension!r}")
        if indicator.direction not in ("higher", "lower"):
            raise ValueError(f"{where}: direction must be 'higher' or 'lower'")
        if indicator.method not in ("goalposts", "bands", "minmax"):
            raise ValueError(f"{where}: method must be 'goalposts', 'bands' or 'minmax'")
        # lower > upper would silently flip the direction; direction='lower' says that instead.
        if indicator.method == "goalposts" and not indicator.lower < indicator.upper:
            raise ValueError(
                f"{where}: goalposts need lower < upper, got {indicator.lower}, {indicator.upper}"
            )
        if indicator.method == "bands":
            _validate_bands(indicator, where)
    if empty := set(dimension_codes) - {indicator.dimension for indicator in method.indicators}:
        raise ValueError(f"dimensions without indicators: {sorted(empty)}")
    if not 0 <= method.max_missing_share <= 1:
        raise ValueError("max_missing_share must be between 0 and 1")
    if method.min_cases < 0:
        raise ValueError("min_cases must not be negative")
    if method.normalisation not in ("goalposts", "minmax"):
        raise ValueError("normalisation must be 'goalposts' or 'minmax'")


def compute(
    method: Method,
    values: PeriodValues,
    previous_overall: Mapping[str, float | None] | None = None,
) -> PeriodResult:
    """Score, flag and rank every unit for one period."""
    validate_method(method)
    _validate_values(method, values)
    previous_overall = previous_overall or {}
    groups = _codes_by_dimension(method)
    indicator_weights = {indicator.code: indicator.weight for indicator in method.indicators}
    dimension_weights = {dimension.code: dimension.weight for dimension in method.dimensions}
    floors = {dimension.code: dimension.floor for dimension in method.dimensions}

    units: dict[str, UnitResult] = {}
    excluded: set[str] = set()
    for unit, scores in _normalise(method, values).items():
        dimension_scores, overall = _aggregate(groups, scores, indicator_weights, dimension_weights)
        flags: list[Flag] = [("missing", code) for code, score in scores.items() if score is None]
        small = [
            code
            for code in scores
            if (raw := values[unit].get(code)) is not None
            and raw.value is not None
            and raw.cases is not None
            and raw.cases < method.min_cases
        ]
        flags += [("small_sample", code) for code in small]
        if small and method.exclude_small_samples_from_ranking:
            excluded.add(unit)
        flags += [
            ("below_floor", code)
            for code, score in dimension_scores.items()
            if score is not None and (floor := floors[code]) is not None and score < floor
        ]
        missing_share = sum(score is None for score in scores.values()) / len(scores)
        if missing_share > method.max_missing_share:
            overall = None
            flags.append(("insufficient_data", missing_share))
        # Ranks need every unit's score, so they are filled in after this loop.
        units[unit] = UnitResult(
            unit=unit,
            indicator_scores=scores,
            dimension_scores=dimension_scores,
            overall=overall,
            rank=None,
            improvement_rank=None,
            change=None,
            flags=tuple(flags),
        )

    ranks = _competition_ranks(
        {
            unit: row.overall
            for unit, row in units.items()
            if row.overall is not None and unit not in excluded
        }
    )
    changes = {
        unit: row.overall - previous
        for unit, row in units.items()
        if row.overall is not None and (previous := previous_overall.get(unit)) is not None
    }
    improvement_ranks = _competition_ranks(changes)
    return PeriodResult(
        units={
            unit: replace(
                row,
                rank=ranks.get(unit),
                improvement_rank=improvement_ranks.get(unit),
                change=changes.get(unit),
            )
            for unit, row in units.items()
        }
    )


def robustness(
    method: Method,
    values: PeriodValues,
    draws: int = 1000,
    spread: float = 0.2,
    seed: int = 20240101,
) -> dict[str, RobustnessResult]:
    """Rank each ranked unit under configured, equal and randomly perturbed weights."""
    if draws < 0:
        raise ValueError("draws must not be negative")
    if not 0 <= spread < 1:
        raise ValueError("spread must be in [0, 1) so every perturbed weight stays positive")
    period = compute(method, values)
    # Normalised scores do not depend on weights, so each draw only redoes the weighted means.
    configured = {unit: row.rank for unit, row in period.units.items() if row.rank is not None}
    ranked = {unit: period.units[unit].indicator_scores for unit in configured}
    groups = _codes_by_dimension(method)

    def ranks_under(
        indicator_weights: dict[str, float], dimension_weights: dict[str, float]
    ) -> dict[str, int]:
        overall = {
            unit: _aggregate(groups, scores, indicator_weights, dimension_weights)[1]
            for unit, scores in ranked.items()
        }
        return _competition_ranks(
            {unit: score for unit, score in overall.items() if score is not None}
        )

    equal = ranks_under(
        dict.fromkeys((indicator.code for indicator in method.indicators), 1.0),
        dict.fromkeys((dimension.code for dimension in method.dimensions), 1.0),
    )
    # Seeded on purpose: an audit must be reproducible; nothing here is secret.
    rng = random.Random(seed)  # noqa: S311
    # The configured weights count as one scenario, so the published rank lies inside [min, max].
    scenarios: dict[str, list[int]] = {unit: [rank] for unit, rank in configured.items()}
    for _ in range(draws):
        indicator_weights = {
            indicator.code: indicator.weight * rng.uniform(1 - spread, 1 + spread)
            for indicator in method.indicators
        }
        dimension_weights = {
            dimension.code: dimension.weight * rng.uniform(1 - spread, 1 + spread)
            for dimension in method.dimensions
        }
        for unit, rank in ranks_under(indicator_weights, dimension_weights).items():
            scenarios[unit].append(rank)
    return {
        unit: RobustnessResult(
            rank_configured=ranks[0],
            rank_equal_weights=equal[unit],
            rank_min=min(ranks),
            rank_max=max(ranks),
            rank_median=statistics.median(ranks),
        )
        for unit, ranks in scenarios.items()
    }


def _is_positive(number: float) -> bool:
    return 0 < number < math.inf


def _bands_best_first(indicator: IndicatorSpec) -> list[tuple[float, float]]:
    return sorted(
        indicator.bands, key=lambda band: band[0], reverse=indicator.direction == "higher"
    )


def _validate_bands(indicator: IndicatorSpec, where: str) -> None:
    if not indicator.bands:
        raise ValueError(f"{where}: method 'bands' needs at least one (threshold, score) band")
    thresholds = [threshold for threshold, _ in indicator.bands]
    if len(set(thresholds)) != len(thresholds):
        raise ValueError(f"{where}: band thresholds must be distinct")
    if any(not 0 <= score <= 100 for _, score in indicator.bands):
        raise ValueError(f"{where}: band scores must be between 0 and 100")
    if any(better[1] < worse[1] for better, worse in pairwise(_bands_best_first(indicator))):
        raise ValueError(f"{where}: a better band must not score less than a worse one")


def _validate_values(method: Method, values: PeriodValues) -> None:
    known = {indicator.code for indicator in method.indicators}
    for unit, row in values.items():
        for code, raw in row.items():
            if code not in known:
                raise ValueError(f"unit {unit!r}: unknown indicator {code!r}")
            if raw.value is not None and not math.isfinite(raw.value):
                raise ValueError(f"unit {unit!r}, indicator {code!r}: value must be finite")


def _band_score(indicator: IndicatorSpec, value: float) -> float:
    for threshold, score in _bands_best_first(indicator):
        reached = value >= threshold if indicator.direction == "higher" else value <= threshold
        if reached:
            return float(score)
    return 0.0  # worse than every band


def _normalise(method: Method, values: PeriodValues) -> dict[str, dict[str, float | None]]:
    normalised: dict[str, dict[str, float | None]] = {unit: {} for unit in values}
    for indicator in method.indicators:
        present = {
            unit: raw.value
            for unit, row in values.items()
            if (raw := row.get(indicator.code)) is not None and raw.value is not None
        }
        scheme = indicator.method
        if scheme == "goalposts" and method.normalisation == "minmax":
            scheme = "minmax"
        lower, upper = indicator.lower, indicator.upper
        if scheme == "minmax" and present:
            lower, upper = min(present.values()), max(present.values())
        for unit in values:
            value = present.get(unit)
            score: float | None
            if value is None:
                score = None
            elif scheme == "bands":
                score = _band_score(indicator, value)
            elif upper == lower:
                # Min-max with every unit equal: nobody did worse than anyone, so nobody loses points.
                score = 100.0
            else:
                distance = value - lower if indicator.direction == "higher" else upper - value
                score = min(100.0, max(0.0, 100 * distance / (upper - lower)))
            normalised[unit][indicator.code] = score
    return normalised


def _codes_by_dimension(method: Method) -> dict[str, tuple[str, ...]]:
    return {
        dimension.code: tuple(
            indicator.code
            for indicator in method.indicators
            if indicator.dimension == dimension.code
        )
        for dimension in method.dimensions
    }


def _reweighted_mean(pairs: Iterable[tuple[float, float | None]]) -> float | None:
    """Weighted mean over the pairs whose score is present; None when none is."""
    total = weight_sum = 0.0
    for weight, score in pairs:
        if score is not None:
            total += weight * score
            weight_sum += weight
    return total / weight_sum if weight_sum else None


def _aggregate(
    groups: Mapping[str, tuple[str, ...]],
    scores: Mapping[str, float | None],
    indicator_weights: Mapping[str, float],
    dimension_weights: Mapping[str, float],
) -> tuple[dict[str, float | None], float | None]:
    dimension_scores = {
        dimension: _reweighted_mean((indicator_weights[code], scores[code]) for code in codes)
        for dimension, codes in groups.items()
    }
    overall = _reweighted_mean(
        (dimension_weights[dimension], score) for dimension, score in dimension_scores.items()
    )
    return dimension_scores, overall


def _competition_ranks(scores: Mapping[str, float]) -> dict[str, int]:
    """Rank 1, 2, 2, 4: one more than the number of units clearly ahead."""
    return {
        unit: 1 + sum(other > score + TIE_TOLERANCE for other in scores.values())
        for unit, score in scores.items()
    }
