"""The legal calendar of disclosures: month ends, leap years, long projects, matching."""

from datetime import date

import pytest

from charity.deadlines import (
    Kind,
    State,
    add_months,
    annual_report_obligation,
    annual_report_obligations,
    assess,
    is_long_project,
    next_due,
    project_obligations,
    punctuality,
)


@pytest.mark.parametrize(
    ("anchor", "months", "expected"),
    [
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
        (date(2027, 11, 29), 3, date(2028, 2, 29)),
        (date(2026, 11, 28), 3, date(2027, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 1, 31), 6, date(2026, 7, 31)),
        (date(2026, 12, 31), 3, date(2027, 3, 31)),
        (date(2026, 10, 15), 3, date(2027, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_months_are_added_by_calendar_clamped_to_the_month_end(anchor, months, expected):
    assert add_months(anchor, months) == expected


def test_a_project_ending_30_november_discloses_by_the_end_of_february():
    obligations = project_obligations(date(2026, 9, 1), date(2026, 11, 30))
    assert [(o.kind, o.due) for o in obligations] == [
        (Kind.FINAL, date(2027, 2, 28)),
        (Kind.LEFTOVER, date(2027, 2, 28)),
    ]
    leap = project_obligations(date(2027, 9, 1), date(2027, 11, 30))
    assert {o.due for o in leap} == {date(2028, 2, 29)}


def test_six_months_exactly_is_not_long_and_owes_no_periodic_reports():
    assert not is_long_project(date(2026, 1, 1), date(2026, 7, 1))
    assert is_long_project(date(2026, 1, 1), date(2026, 7, 2))
    kinds = [o.kind for o in project_obligations(date(2026, 1, 1), date(2026, 7, 1))]
    assert Kind.PERIODIC not in kinds


def test_a_long_project_discloses_every_three_months_counted_from_its_start():
    obligations = project_obligations(date(2026, 1, 31), date(2027, 1, 31))
    periodic = [o for o in obligations if o.kind == Kind.PERIODIC]
    # Counted from the anchor each time: 30 Apr, then 31 Jul (not 30 Jul), 31 Oct.
    assert [o.due for o in periodic] == [date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 31)]
    assert [o.opens for o in periodic] == [date(2026, 1, 31), date(2026, 4, 30), date(2026, 7, 31)]
    final = next(o for o in obligations if o.kind == Kind.FINAL)
    assert final.due == date(2027, 4, 30)


def test_annual_report_is_due_by_31_may_of_the_next_year():
    assert annual_report_obligation(2025).due == date(2026, 5, 31)
    assert annual_report_obligation(2025).opens == date(2026, 1, 1)
    owed = annual_report_obligations(2024, today=date(2026, 11, 30))
    assert [o.year for o in owed] == [2024, 2025]


def test_disclosures_met_on_time_late_overdue_and_upcoming():
    obligations = project_obligations(date(2026, 1, 1), date(2026, 12, 1))
    # Due: periodic 1 Apr, 1 Jul, 1 Oct; final and leftover 1 Mar 2027.
    published = [
        (Kind.PERIODIC, date(2026, 3, 30), None),  # on time for 1 Apr
        (Kind.PERIODIC, date(2026, 7, 5), None),  # late for 1 Jul
    ]
    outcomes = assess(obligations, published, today=date(2026, 11, 30))
    states = [(o.obligation.kind, o.obligation.due, o.state) for o in outcomes]
    assert states == [
        (Kind.PERIODIC, date(2026, 4, 1), State.ON_TIME),
        (Kind.PERIODIC, date(2026, 7, 1), State.LATE),
        (Kind.PERIODIC, date(2026, 10, 1), State.OVERDUE),
        (Kind.FINAL, date(2027, 3, 1), State.UPCOMING),
        (Kind.LEFTOVER, date(2027, 3, 1), State.UPCOMING),
    ]
    assert next_due(outcomes).obligation.due == date(2026, 10, 1)
    counted = punctuality(outcomes)
    assert (counted.on_time, counted.late, counted.overdue, counted.due) == (1, 1, 1, 3)
    assert counted.on_time_rate == pytest.approx(100 / 3)


def test_a_disclosure_on_the_due_day_is_on_time_and_one_disclosure_meets_one_obligation():
    obligations = project_obligations(date(2026, 1, 1), date(2026, 12, 1))
    published = [(Kind.PERIODIC, date(2026, 4, 1), None)]
    outcomes = assess(obligations, published, today=date(2026, 7, 2))
    assert [o.state for o in outcomes[:2]] == [State.ON_TIME, State.OVERDUE]


def test_a_disclosure_before_its_period_opens_does_not_count_for_it():
    obligations = project_obligations(date(2026, 1, 1), date(2026, 12, 1))
    published = [(Kind.PERIODIC, date(2025, 12, 20), None)]
    outcomes = assess(obligations, published, today=date(2026, 4, 2))
    assert outcomes[0].state == State.OVERDUE


def test_an_annual_report_meets_only_its_own_year():
    obligations = annual_report_obligations(2024, today=date(2026, 11, 30))
    published = [(Kind.ANNUAL_REPORT, date(2026, 5, 20), 2025)]
    outcomes = assess(obligations, published, today=date(2026, 11, 30))
    assert [(o.obligation.year, o.state) for o in outcomes] == [
        (2024, State.OVERDUE),
        (2025, State.ON_TIME),
    ]


def test_nothing_due_yet_counts_nothing():
    outcomes = assess(
        project_obligations(date(2026, 10, 1), date(2026, 12, 31)), [], today=date(2026, 11, 1)
    )
    assert punctuality(outcomes).due == 0
    assert punctuality(outcomes).on_time_rate is None
