"""A district's index in plain words: its rank, its strongest and weakest dimension, and
what changed since the previous month.

The facts are worked out from stored snapshot results (plain dicts) by ``district_reading``,
which knows nothing of language; ``reading_sentences`` turns them into the two sentences
that open a district's page, in the active language.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from .scoring import TIE_TOLERANCE


@dataclass(frozen=True)
class DimensionScore:
    code: str
    score: float


@dataclass(frozen=True)
class DistrictReading:
    """What a plain reader needs to know about one district in one month."""

    period: date
    code: str
    rank: int | None
    ranked_count: int
    # Other districts sharing this rank (codes, ordered).
    tied_with: tuple[str, ...]
    # The highest and lowest scored dimensions; several when they tie.
    strongest: tuple[DimensionScore, ...]
    weakest: tuple[DimensionScore, ...]
    # None when there is no previous month, or the district was not in it.
    previous_rank: int | None
    has_previous_month: bool
    change: float | None


def dimension_extremes(
    scores: dict[str, float | None], order: list[str]
) -> tuple[tuple[DimensionScore, ...], tuple[DimensionScore, ...]]:
    """The highest and the lowest scored dimensions (several when they tie), in method order."""
    present = [DimensionScore(code, scores[code]) for code in order if scores.get(code) is not None]
    if not present:
        return (), ()
    high = max(item.score for item in present)
    low = min(item.score for item in present)
    strongest = tuple(item for item in present if high - item.score <= TIE_TOLERANCE)
    weakest = tuple(item for item in present if item.score - low <= TIE_TOLERANCE)
    return strongest, weakest


def district_reading(
    *,
    code: str,
    period: date,
    units: dict[str, dict],
    previous_units: dict[str, dict] | None,
    dimension_order: list[str],
) -> DistrictReading:
    """The facts behind a district's two opening sentences, from a month's stored results."""
    unit = units[code]
    rank = unit.get("rank")
    ranked = {other: row["rank"] for other, row in units.items() if row.get("rank") is not None}
    tied = tuple(sorted(other for other, r in ranked.items() if r == rank and other != code))
    strongest, weakest = dimension_extremes(unit.get("dimensions") or {}, dimension_order)
    previous = (previous_units or {}).get(code)
    change = unit.get("change")
    both = previous and previous.get("overall") is not None and unit.get("overall") is not None
    if change is None and both:
        change = unit["overall"] - previous["overall"]
    return DistrictReading(
        period=period,
        code=code,
        rank=rank,
        ranked_count=len(ranked),
        tied_with=tied if rank is not None else (),
        strongest=strongest,
        weakest=weakest,
        previous_rank=previous.get("rank") if previous else None,
        has_previous_month=previous is not None,
        change=change,
    )


def _names(items: tuple[DimensionScore, ...], names: dict[str, str]) -> str:
    return gettext("和").join(names.get(item.code, item.code) for item in items)


def _standing(reading: DistrictReading, district: str, district_names: dict[str, str]) -> str:
    month = date_format(reading.period, "YEAR_MONTH_FORMAT")
    if reading.rank is None:
        return gettext("%(month)s，%(district)s的数据不足，没有总分和排名") % {
            "month": month,
            "district": district,
        }
    values = {
        "month": month,
        "district": district,
        "count": reading.ranked_count,
        "rank": reading.rank,
    }
    if not reading.tied_with:
        return (
            gettext("%(month)s，%(district)s在 %(count)s 个县（市、区）中排第 %(rank)s 名") % values
        )
    if len(reading.tied_with) == 1:
        values["other"] = district_names.get(reading.tied_with[0], reading.tied_with[0])
        return (
            gettext(
                "%(month)s，%(district)s在 %(count)s 个县（市、区）中和%(other)s并列第 %(rank)s 名"
            )
            % values
        )
    values["others"] = len(reading.tied_with)
    return (
        ngettext(
            "%(month)s，%(district)s在 %(count)s 个县（市、区）中"
            "和另外 %(others)s 个地区并列第 %(rank)s 名",
            "%(month)s，%(district)s在 %(count)s 个县（市、区）中"
            "和另外 %(others)s 个地区并列第 %(rank)s 名",
            len(reading.tied_with),
        )
        % values
    )


def _dimensions(reading: DistrictReading, names: dict[str, str]) -> str:
    if not reading.strongest:
        return ""
    if {item.code for item in reading.strongest} == {item.code for item in reading.weakest}:
        return gettext("，各方面得分一样")
    # The scores are in the tables below; the sentence stays short enough for the first
    # screen of a phone at the largest text size.
    return gettext("，做得最好的是%(strongest)s，最需要加强的是%(weakest)s") % {
        "strongest": _names(reading.strongest, names),
        "weakest": _names(reading.weakest, names),
    }


def _score_change(change: float | None) -> str:
    if change is None:
        return ""
    if abs(change) < 0.05:
        return gettext("，总分和上个月一样")
    if change > 0:
        return gettext("，总分提高了 %(points)s 分") % {"points": f"{change:.1f}"}
    return gettext("，总分降低了 %(points)s 分") % {"points": f"{-change:.1f}"}


def _since_last_month(reading: DistrictReading) -> str:
    if not reading.has_previous_month:
        return gettext("上个月还没有指数，所以还不能和上个月比较。")
    if reading.rank is None or reading.previous_rank is None:
        return gettext("上个月或本月没有排名，名次无法比较%(score)s。") % {
            "score": _score_change(reading.change)
        }
    places = reading.previous_rank - reading.rank
    score = _score_change(reading.change)
    if places > 0:
        return ngettext(
            "比上个月上升了 %(places)s 名（上个月第 %(previous)s 名）%(score)s。",
            "比上个月上升了 %(places)s 名（上个月第 %(previous)s 名）%(score)s。",
            places,
        ) % {"places": places, "previous": reading.previous_rank, "score": score}
    if places < 0:
        return ngettext(
            "比上个月下降了 %(places)s 名（上个月第 %(previous)s 名）%(score)s。",
            "比上个月下降了 %(places)s 名（上个月第 %(previous)s 名）%(score)s。",
            -places,
        ) % {"places": -places, "previous": reading.previous_rank, "score": score}
    return gettext("名次和上个月一样%(score)s。") % {"score": score}


def reading_sentences(
    reading: DistrictReading,
    *,
    district_names: dict[str, str],
    dimension_names: dict[str, str],
) -> tuple[str, str]:
    """Two sentences in plain words: where the district stands, and what changed."""
    district = district_names.get(reading.code, reading.code)
    first = (
        _standing(reading, district, district_names)
        + _dimensions(reading, dimension_names)
        + gettext("。")
    )
    return first, _since_last_month(reading)
