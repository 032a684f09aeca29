"""The index engine against hand-computed examples; pure functions, no database."""

import pytest

from civility_index.scoring import (
    DimensionSpec,
    IndicatorSpec,
    Method,
    RawValue,
    compute,
    robustness,
)
from wenzhou_portal.districts import District

LUCHENG, LONGWAN, OUHAI, DONGTOU = (
    District.LUCHENG,
    District.LONGWAN,
    District.OUHAI,
    District.DONGTOU,
)

HANDLING_RATE_BANDS = ((99.0, 100), (98.0, 80), (95.0, 60), (90.0, 40), (0, 0))


def indicator(code: str, dimension: str = "governance", **options) -> IndicatorSpec:
    spec = {"weight": 1.0, "direction": "higher", "lower": 0.0, "upper": 100.0} | options
    return IndicatorSpec(code=code, dimension=dimension, **spec)


def one_indicator_method(spec: IndicatorSpec, **options) -> Method:
    return Method(dimensions=(DimensionSpec(spec.dimension, 1.0),), indicators=(spec,), **options)


def one_indicator_values(code: str, by_unit: dict[str, float]) -> dict[str, dict[str, RawValue]]:
    return {unit: {code: RawValue(value)} for unit, value in by_unit.items()}


def indicator_scores(method: Method, values: dict, code: str) -> dict[str, float | None]:
    return {unit: row.indicator_scores[code] for unit, row in compute(method, values).units.items()}


# Governance (weight 3): a (weight 2), b, c; service (weight 1): d, e. Goalposts 0–100.
FIVE_INDICATORS = Method(
    dimensions=(DimensionSpec("governance", 3.0), DimensionSpec("service", 1.0, floor=55.0)),
    indicators=(
        indicator("a", weight=2.0),
        indicator("b"),
        indicator("c"),
        indicator("d", "service"),
        indicator("e", "service"),
    ),
)


def five_values(**by_code: float | None) -> dict[str, RawValue]:
    return {code: RawValue(value) for code, value in by_code.items()}


def test_goalposts_scale_linearly_between_the_bounds():
    method = one_indicator_method(indicator("takedowns", lower=10.0, upper=50.0))
    scores = indicator_scores(
        method, one_indicator_values("takedowns", {LUCHENG: 20.0}), "takedowns"
    )
    # 100 * (20 - 10) / (50 - 10) = 100 * 10 / 40 = 25
    assert scores[LUCHENG] == pytest.approx(25.0)


def test_values_beyond_a_goalpost_are_capped_at_0_and_100():
    method = one_indicator_method(indicator("takedowns", lower=10.0, upper=50.0))
    values = one_indicator_values("takedowns", {LUCHENG: 60.0, LONGWAN: 5.0, OUHAI: 50.0})
    scores = indicator_scores(method, values, "takedowns")
    # 100 * (60 - 10) / 40 = 125 -> 100; 100 * (5 - 10) / 40 = -12.5 -> 0; 50 is the goalpost: 100
    assert scores == {LUCHENG: 100.0, LONGWAN: 0.0, OUHAI: 100.0}


def test_lower_is_better_indicator_is_inverted():
    method = one_indicator_method(
        indicator("response_hours", direction="lower", lower=2.0, upper=10.0)
    )
    values = one_indicator_values("response_hours", {LUCHENG: 4.0, LONGWAN: 1.0, OUHAI: 12.0})
    scores = indicator_scores(method, values, "response_hours")
    # 100 * (10 - 4) / (10 - 2) = 600 / 8 = 75; 1 hour -> 112.5 -> 100; 12 hours -> -25 -> 0
    assert scores == {LUCHENG: pytest.approx(75.0), LONGWAN: 100.0, OUHAI: 0.0}


def test_a_small_difference_inside_a_band_does_not_move_the_score():
    method = one_indicator_method(
        indicator("handling_rate", method="bands", bands=HANDLING_RATE_BANDS)
    )
    values = one_indicator_values("handling_rate", {LUCHENG: 98.3, LONGWAN: 98.5})
    # both are >= 98.0 and < 99.0: the 80 band
    assert indicator_scores(method, values, "handling_rate") == {LUCHENG: 80.0, LONGWAN: 80.0}


def test_crossing_a_band_threshold_changes_the_score():
    method = one_indicator_method(
        indicator("handling_rate", method="bands", bands=HANDLING_RATE_BANDS)
    )
    values = one_indicator_values("handling_rate", {LUCHENG: 98.9, LONGWAN: 99.0, OUHAI: 97.9})
    # 98.9 -> 80 band; 99.0 reaches the 100 band; 97.9 falls to the 60 band
    assert indicator_scores(method, values, "handling_rate") == {
        LUCHENG: 80.0,
        LONGWAN: 100.0,
        OUHAI: 60.0,
    }


def test_lower_is_better_bands_count_values_at_or_below_the_threshold():
    bands = ((2.0, 100), (4.0, 70), (8.0, 40))
    method = one_indicator_method(
        indicator("response_hours", direction="lower", method="bands", bands=bands)
    )
    values = one_indicator_values(
        "response_hours", {LUCHENG: 2.0, LONGWAN: 2.1, OUHAI: 8.0, DONGTOU: 9.0}
    )
    # 2.0 <= 2 -> 100; 2.1 <= 4 -> 70; 8.0 <= 8 -> 40; 9.0 is worse than every band -> 0
    assert indicator_scores(method, values, "response_hours") == {
        LUCHENG: 100.0,
        LONGWAN: 70.0,
        OUHAI: 40.0,
        DONGTOU: 0.0,
    }


def test_min_max_scales_between_the_worst_and_best_unit_of_the_period():
    values = one_indicator_values("reports", {LUCHENG: 10.0, LONGWAN: 20.0, OUHAI: 30.0})
    higher = one_indicator_method(indicator("reports", method="minmax"))
    lower = one_indicator_method(indicator("reports", method="minmax", direction="lower"))
    # min 10, max 30: 100 * (20 - 10) / 20 = 50; inverted: 100 * (30 - 10) / 20 = 100 for Lucheng
    assert indicator_scores(higher, values, "reports") == {
        LUCHENG: 0.0,
        LONGWAN: 50.0,
        OUHAI: 100.0,
    }
    assert indicator_scores(lower, values, "reports") == {LUCHENG: 100.0, LONGWAN: 50.0, OUHAI: 0.0}


def test_min_max_gives_every_unit_100_when_all_values_are_equal():
    method = one_indicator_method(indicator("reports", method="minmax"))
    values = one_indicator_values("reports", {LUCHENG: 7.0, LONGWAN: 7.0})
    assert indicator_scores(method, values, "reports") == {LUCHENG: 100.0, LONGWAN: 100.0}


def test_minmax_normalisation_switches_goalposts_indicators_but_keeps_bands():
    method = Method(
        dimensions=(DimensionSpec("governance", 1.0),),
        indicators=(
            indicator("takedowns", lower=0.0, upper=1000.0),
            indicator("handling_rate", method="bands", bands=HANDLING_RATE_BANDS),
        ),
        normalisation="minmax",
    )
    values = {
        LUCHENG: {"takedowns": RawValue(40.0), "handling_rate": RawValue(98.5)},
        LONGWAN: {"takedowns": RawValue(60.0), "handling_rate": RawValue(99.5)},
    }
    units = compute(method, values).units
    # goalposts 0–1000 would give 4 and 6; min-max over 40..60 gives 0 and 100
    assert units[LUCHENG].indicator_scores == {"takedowns": 0.0, "handling_rate": 80.0}
    assert units[LONGWAN].indicator_scores == {"takedowns": 100.0, "handling_rate": 100.0}


def test_tied_scores_share_a_rank_and_the_next_rank_is_skipped():
    method = one_indicator_method(indicator("takedowns"))
    values = one_indicator_values(
        "takedowns", {LUCHENG: 80.0, LONGWAN: 70.0, OUHAI: 70.0, DONGTOU: 60.0}
    )
    units = compute(method, values).units
    assert {unit: row.rank for unit, row in units.items()} == {
        LUCHENG: 1,
        LONGWAN: 2,
        OUHAI: 2,
        DONGTOU: 4,
    }


def test_scores_equal_but_for_float_noise_share_a_rank():
    method = Method(
        dimensions=(DimensionSpec("governance", 1.0),),
        indicators=(indicator("p"), indicator("q")),
    )
    values = {LUCHENG: five_values(p=0.1, q=0.2), LONGWAN: five_values(p=0.15, q=0.15)}
    units = compute(method, values).units
    # (0.1 + 0.2) / 2 is 0.15000000000000002 in floating point, (0.15 + 0.15) / 2 is 0.15
    assert units[LUCHENG].overall != units[LONGWAN].overall
    assert (units[LUCHENG].rank, units[LONGWAN].rank) == (1, 1)


def test_a_missing_value_is_reweighted_within_its_dimension_and_flagged():
    values = {LUCHENG: five_values(a=90.0, c=60.0, d=40.0, e=80.0)}
    lucheng = compute(FIVE_INDICATORS, values).units[LUCHENG]
    # governance over a (w2) and c (w1) only: (2*90 + 1*60) / 3 = 240 / 3 = 80
    # service: (40 + 80) / 2 = 60; overall: (3*80 + 1*60) / 4 = 300 / 4 = 75
    assert lucheng.indicator_scores["b"] is None
    assert lucheng.dimension_scores == {"governance": pytest.approx(80.0), "service": 60.0}
    assert lucheng.overall == pytest.approx(75.0)
    assert lucheng.flags == (("missing", "b"),)


def test_a_dimension_without_values_is_missing_and_the_overall_reweights_over_the_rest():
    method = Method(FIVE_INDICATORS.dimensions, FIVE_INDICATORS.indicators, max_missing_share=0.5)
    values = {LUCHENG: five_values(a=90.0, b=30.0, c=60.0, d=None)}
    lucheng = compute(method, values).units[LUCHENG]
    # governance: (2*90 + 30 + 60) / 4 = 270 / 4 = 67.5; service has nothing; overall = 67.5
    assert lucheng.dimension_scores == {"governance": pytest.approx(67.5), "service": None}
    assert lucheng.overall == pytest.approx(67.5)
    assert lucheng.flags == (("missing", "d"), ("missing", "e"))


def test_a_unit_missing_exactly_20_percent_of_indicators_is_still_scored():
    values = {LUCHENG: five_values(a=90.0, b=None, c=60.0, d=40.0, e=80.0)}
    lucheng = compute(FIVE_INDICATORS, values).units[LUCHENG]
    # 1 of 5 missing = 20 %, not more than 20 %
    assert lucheng.overall == pytest.approx(75.0)
    assert lucheng.rank == 1


def test_a_unit_missing_more_than_20_percent_gets_no_overall_score_or_rank():
    values = {
        LUCHENG: five_values(c=60.0, d=40.0, e=80.0),
        LONGWAN: five_values(a=50.0, b=50.0, c=50.0, d=60.0, e=60.0),
    }
    units = compute(FIVE_INDICATORS, values).units
    # 2 of 5 missing = 40 % > 20 %; the dimension scores are still shown
    assert units[LUCHENG].overall is None
    assert units[LUCHENG].rank is None
    assert units[LUCHENG].dimension_scores == {"governance": 60.0, "service": 60.0}
    assert ("insufficient_data", 0.4) in units[LUCHENG].flags
    assert units[LONGWAN].rank == 1


def test_a_dimension_below_its_floor_raises_a_red_flag():
    values = {
        LUCHENG: five_values(a=90.0, b=90.0, c=90.0, d=40.0, e=60.0),
        LONGWAN: five_values(a=50.0, b=50.0, c=50.0, d=50.0, e=60.0),
    }
    units = compute(FIVE_INDICATORS, values).units
    # service floor 55: Lucheng (40 + 60) / 2 = 50 < 55; Longwan (50 + 60) / 2 = 55 is not below
    assert units[LUCHENG].flags == (("below_floor", "service"),)
    assert units[LONGWAN].flags == ()
    # a red flag does not remove the score: (3*90 + 1*50) / 4 = 80
    assert units[LUCHENG].overall == pytest.approx(80.0)


def small_sample_values() -> dict[str, dict[str, RawValue]]:
    return {
        LUCHENG: {"handling_rate": RawValue(95.0, cases=12)},
        LONGWAN: {"handling_rate": RawValue(90.0, cases=400)},
        OUHAI: {"handling_rate": RawValue(80.0, cases=30)},
    }


def test_a_rate_from_few_cases_is_flagged_but_still_ranked_by_default():
    method = one_indicator_method(indicator("handling_rate"), min_cases=30)
    units = compute(method, small_sample_values()).units
    # 12 < 30 is small; 30 is not
    assert units[LUCHENG].flags == (("small_sample", "handling_rate"),)
    assert units[OUHAI].flags == ()
    assert units[LUCHENG].rank == 1


def test_a_small_sample_unit_is_scored_but_left_out_of_the_level_ranking_when_configured():
    method = one_indicator_method(
        indicator("handling_rate"), min_cases=30, exclude_small_samples_from_ranking=True
    )
    units = compute(method, small_sample_values()).units
    assert units[LUCHENG].overall == pytest.approx(95.0)
    assert units[LUCHENG].rank is None
    assert (units[LONGWAN].rank, units[OUHAI].rank) == (1, 2)


def test_improvement_rank_orders_units_by_change_since_the_previous_period():
    method = one_indicator_method(indicator("takedowns"))
    values = one_indicator_values(
        "takedowns", {LUCHENG: 70.0, LONGWAN: 75.0, OUHAI: 60.0, DONGTOU: 80.0}
    )
    previous = {LUCHENG: 60.0, LONGWAN: 70.0, OUHAI: 50.0}
    units = compute(method, values, previous_overall=previous).units
    # changes: Lucheng +10, Longwan +5, Ouhai +10; Dongtou has no previous score
    assert {unit: row.change for unit, row in units.items()} == {
        LUCHENG: pytest.approx(10.0),
        LONGWAN: pytest.approx(5.0),
        OUHAI: pytest.approx(10.0),
        DONGTOU: None,
    }
    assert {unit: row.improvement_rank for unit, row in units.items()} == {
        LUCHENG: 1,
        LONGWAN: 3,
        OUHAI: 1,
        DONGTOU: None,
    }
    # the level rank is unaffected: Dongtou 80 leads
    assert units[DONGTOU].rank == 1


# Governance (weight 3): x1 (weight 3), x2 (weight 1); service (weight 1): y1.
#            configured governance       configured overall        equal weights
# Lucheng:   (3*90 + 30) / 4 = 75        (3*75 + 10) / 4 = 58.75   ((90+30)/2 + 10) / 2 = 35
# Longwan:   (3*50 + 70) / 4 = 55        (3*55 + 40) / 4 = 51.25   ((50+70)/2 + 40) / 2 = 50
# Ouhai:     (3*70 + 50) / 4 = 65        (3*65 + 20) / 4 = 53.75   ((70+50)/2 + 20) / 2 = 40
WEIGHTED = Method(
    dimensions=(DimensionSpec("governance", 3.0), DimensionSpec("service", 1.0)),
    indicators=(
        indicator("x1", weight=3.0),
        indicator("x2", weight=1.0),
        indicator("y1", "service"),
    ),
)
WEIGHTED_VALUES = {
    LUCHENG: five_values(x1=90.0, x2=30.0, y1=10.0),
    LONGWAN: five_values(x1=50.0, x2=70.0, y1=40.0),
    OUHAI: five_values(x1=70.0, x2=50.0, y1=20.0),
}


def test_equal_weights_rank_matches_the_hand_computed_example():
    audit = robustness(WEIGHTED, WEIGHTED_VALUES, draws=50)
    assert {unit: row.rank_configured for unit, row in audit.items()} == {
        LUCHENG: 1,
        OUHAI: 2,
        LONGWAN: 3,
    }
    assert {unit: row.rank_equal_weights for unit, row in audit.items()} == {
        LONGWAN: 1,
        OUHAI: 2,
        LUCHENG: 3,
    }


def test_robustness_is_reproducible_from_the_seed():
    first = robustness(WEIGHTED, WEIGHTED_VALUES, draws=200, spread=0.5, seed=7)
    second = robustness(WEIGHTED, WEIGHTED_VALUES, draws=200, spread=0.5, seed=7)
    assert first == second


def test_the_rank_range_under_perturbed_weights_contains_the_configured_rank():
    audit = robustness(WEIGHTED, WEIGHTED_VALUES, draws=300, spread=0.5)
    for row in audit.values():
        assert row.rank_min <= row.rank_configured <= row.rank_max
        assert row.rank_min <= row.rank_median <= row.rank_max


def test_perturbed_weights_swap_two_units_that_differ_only_in_what_they_are_good_at():
    method = Method(
        dimensions=(DimensionSpec("governance", 1.0),),
        indicators=(indicator("p", weight=1.05), indicator("q", weight=1.0)),
    )
    values = {LUCHENG: five_values(p=100.0, q=0.0), LONGWAN: five_values(p=0.0, q=100.0)}
    # configured: Lucheng 105 / 2.05 ≈ 51.2 beats Longwan 100 / 2.05 ≈ 48.8, but a draw with
    # 1.05 * factor_p < factor_q (factors in [0.8, 1.2]) puts Longwan ahead (about 4 draws in 10)
    audit = robustness(method, values)
    assert (audit[LUCHENG].rank_configured, audit[LONGWAN].rank_configured) == (1, 2)
    assert (audit[LUCHENG].rank_min, audit[LUCHENG].rank_max) == (1, 2)
    assert (audit[LONGWAN].rank_min, audit[LONGWAN].rank_max) == (1, 2)
    assert (audit[LUCHENG].rank_median, audit[LONGWAN].rank_median) == (1, 2)


def test_a_unit_that_leads_on_every_indicator_keeps_its_rank_under_any_weights():
    values = {
        LUCHENG: five_values(x1=90.0, x2=90.0, y1=90.0),
        LONGWAN: five_values(x1=50.0, x2=50.0, y1=50.0),
    }
    audit = robustness(WEIGHTED, values, spread=0.9)
    assert (audit[LUCHENG].rank_min, audit[LUCHENG].rank_max) == (1, 1)
    assert (audit[LONGWAN].rank_min, audit[LONGWAN].rank_max) == (2, 2)


def test_robustness_leaves_out_units_without_an_overall_score():
    values = {**WEIGHTED_VALUES, DONGTOU: five_values(x1=99.0)}
    # Dongtou misses 2 of 3 indicators, well above 20 %
    assert set(robustness(WEIGHTED, values, draws=10)) == {LUCHENG, LONGWAN, OUHAI}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (indicator("a", weight=0.0), "weight must be > 0"),
        (indicator("a", weight=-1.0), "weight must be > 0"),
        (indicator("a", lower=5.0, upper=5.0), "lower < upper"),
        (indicator("a", method="bands"), "at least one"),
        (indicator("a", method="bands", bands=((90.0, 40), (99.0, 20))), "better band"),
        (indicator("a", dimension="openness"), "unknown dimension 'openness'"),
        (indicator("a", direction="up"), "direction"),
    ],
)
def test_an_invalid_indicator_is_rejected_with_a_clear_message(spec, message):
    method = Method(dimensions=(DimensionSpec("governance", 1.0),), indicators=(spec,))
    with pytest.raises(ValueError, match=message):
        compute(method, {})


def test_a_dimension_with_zero_weight_is_rejected():
    method = Method(dimensions=(DimensionSpec("governance", 0.0),), indicators=(indicator("a"),))
    with pytest.raises(ValueError, match="dimension 'governance': weight must be > 0"):
        compute(method, {})


def test_data_for_an_unknown_indicator_is_rejected():
    method = one_indicator_method(indicator("a"))
    with pytest.raises(ValueError, match="unknown indicator 'typo'"):
        compute(method, {LUCHENG: {"typo": RawValue(1.0)}})
