"""The two plain sentences that open a district's index page."""

from datetime import date

import pytest
from django.utils import translation

from civility_index.reading import district_reading, reading_sentences

OCTOBER = date(2026, 10, 1)
ORDER = ["handling", "debunk", "charity"]
DIMENSION_NAMES = {"handling": "举报办理", "debunk": "辟谣", "charity": "网络公益"}
DISTRICT_NAMES = {"330302": "鹿城区", "330303": "龙湾区", "330304": "瓯海区"}


def _unit(rank, overall, change=None, **dimensions):
    scores = {"handling": 80.0, "debunk": 60.0, "charity": 40.0} | dimensions
    return {"rank": rank, "overall": overall, "change": change, "dimensions": scores}


def _sentences(units, previous_units=None, code="330302"):
    reading = district_reading(
        code=code,
        period=OCTOBER,
        units=units,
        previous_units=previous_units,
        dimension_order=ORDER,
    )
    with translation.override("zh-hans"):
        return reading_sentences(
            reading, district_names=DISTRICT_NAMES, dimension_names=DIMENSION_NAMES
        )


def test_the_first_month_says_there_is_nothing_to_compare_with():
    units = {"330302": _unit(1, 70.0), "330303": _unit(2, 60.0)}

    first, second = _sentences(units, previous_units=None)

    assert first == (
        "2026年10月，鹿城区在 2 个县（市、区）中排第 1 名，"
        "做得最好的是举报办理，最需要加强的是网络公益。"
    )
    assert second == "上个月还没有指数，所以还不能和上个月比较。"


def test_a_tie_names_the_district_it_shares_the_rank_with():
    units = {
        "330302": _unit(2, 65.0, change=0.0),
        "330303": _unit(2, 65.0),
        "330304": _unit(1, 90.0),
    }
    previous = {"330302": _unit(2, 65.0), "330303": _unit(3, 50.0), "330304": _unit(1, 88.0)}

    first, second = _sentences(units, previous)

    assert first.startswith("2026年10月，鹿城区在 3 个县（市、区）中和龙湾区并列第 2 名，")
    assert second == "名次和上个月一样，总分和上个月一样。"


def test_tied_dimensions_are_all_named():
    units = {"330302": _unit(1, 70.0, debunk=80.0), "330303": _unit(2, 60.0)}

    first, _second = _sentences(units)

    assert "做得最好的是举报办理和辟谣，" in first


def test_rising_in_rank_says_how_many_places_and_the_score_gain():
    units = {"330302": _unit(1, 75.0, change=4.25), "330303": _unit(2, 60.0)}
    previous = {"330302": _unit(2, 70.75), "330303": _unit(1, 72.0)}

    _first, second = _sentences(units, previous)

    assert second == "比上个月上升了 1 名（上个月第 2 名），总分提高了 4.2 分。"


def test_falling_in_rank_says_how_many_places_and_the_score_loss():
    units = {
        "330302": _unit(3, 55.0, change=-6.0),
        "330303": _unit(1, 80.0),
        "330304": _unit(2, 70.0),
    }
    previous = {"330302": _unit(1, 61.0), "330303": _unit(2, 60.0), "330304": _unit(3, 50.0)}

    _first, second = _sentences(units, previous)

    assert second == "比上个月下降了 2 名（上个月第 1 名），总分降低了 6.0 分。"


def test_a_district_without_enough_data_is_told_plainly():
    units = {"330302": _unit(None, None), "330303": _unit(1, 60.0)}
    previous = {"330302": _unit(1, 61.0), "330303": _unit(2, 60.0)}

    first, second = _sentences(units, previous)

    assert first.startswith("2026年10月，鹿城区的数据不足，没有总分和排名，")
    assert second == "上个月或本月没有排名，名次无法比较。"


@pytest.mark.parametrize(
    "previous_units", [None, {"330303": _unit(1, 60.0)}], ids=["no-month", "not-in-month"]
)
def test_a_month_before_the_district_had_data_is_not_a_rank_change(previous_units):
    units = {"330302": _unit(1, 70.0), "330303": _unit(2, 60.0)}

    _first, second = _sentences(units, previous_units)

    assert second == "上个月还没有指数，所以还不能和上个月比较。"


def test_three_sharing_a_rank_counts_the_others():
    units = {code: _unit(1, 70.0) for code in ("330302", "330303", "330304")}

    first, _second = _sentences(units)

    assert "和另外 2 个地区并列第 1 名" in first


@pytest.mark.django_db
def test_the_reading_takes_the_newest_published_month_and_the_month_before():
    from civility_index import selectors
    from civility_index.models import Snapshot

    method = {
        "dimensions": [{"code": code, "name_zh": name} for code, name in DIMENSION_NAMES.items()]
    }

    def month(period, units, *, published):
        Snapshot.objects.create(
            period=period,
            version=1,
            method_version=1,
            is_published=published,
            results={"units": units, "city": {}},
            method=method,
        )

    month(date(2026, 9, 1), {"330302": _unit(2, 60.0), "330303": _unit(1, 70.0)}, published=True)
    month(OCTOBER, {"330302": _unit(1, 75.0), "330303": _unit(2, 65.0)}, published=True)
    # The running month is provisional: the page's sentences do not read it.
    month(date(2026, 11, 1), {"330302": _unit(2, 50.0), "330303": _unit(1, 90.0)}, published=False)

    reading = selectors.district_reading_for(
        code="330302", snapshots=selectors.snapshots_current(periods=24)
    )

    assert reading.period == OCTOBER
    assert reading.rank == 1
    assert reading.previous_rank == 2
    assert reading.change == pytest.approx(15.0)
