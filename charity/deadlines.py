"""When charity disclosures fall due, and whether each was met on time: a pure calculation.

Standard library only, like ``civility_index/scoring.py``; the services and selectors feed
it dates and read the answers. The rules (慈善法 as amended 2023, art. 71–73; the Ministry
of Civil Affairs' order No. 61 on disclosure):

- a project lasting more than 6 months discloses at least every 3 months while it runs:
  one report for each 3-month period from its start, due at the end of that period;
- the full disclosure of fundraising, implementation and use within 3 months of its end;
- the leftover property (剩余财产) within 3 months of its end;
- the organisation's annual report for a year by 31 May of the next.

"3 months after 30 November" is the last day of February (28 or 29): a month is added by
calendar, clamped to the month's last day, always counted from the anchor date (never
chained, so 31 Jan + 3 months is 30 Apr and + 6 months is 31 Jul, not 30 Jul).
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    PERIODIC = "periodic"
    FINAL = "final"
    LEFTOVER = "leftover"
    ANNUAL_REPORT = "annual_report"


class State(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"  # due date passed, nothing published
    UPCOMING = "upcoming"  # not due yet, nothing published


PERIOD_MONTHS = 3
LONG_PROJECT_MONTHS = 6
AFTER_END_MONTHS = 3
ANNUAL_REPORT_MONTH_DAY = (5, 31)


def add_months(anchor: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day if it has no such day."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Obligation:
    """One disclosure the law asks for: of what, from when it may be met, and by when."""

    kind: Kind
    opens: date  # a disclosure published on or after this day may meet it
    due: date
    year: int | None = None  # the annual report's year


@dataclass(frozen=True)
class Outcome:
    obligation: Obligation
    state: State
    met_on: date | None = None


def is_long_project(starts_on: date, ends_on: date) -> bool:
    return ends_on > add_months(starts_on, LONG_PROJECT_MONTHS)


def project_obligations(starts_on: date, ends_on: date) -> list[Obligation]:
    """Every disclosure a project owes, in due order."""
    obligations = []
    if is_long_project(starts_on, ends_on):
        opens = starts_on
        number = 1
        while (due := add_months(starts_on, PERIOD_MONTHS * number)) < ends_on:
            obligations.append(Obligation(Kind.PERIODIC, opens=opens, due=due))
            opens = due
            number += 1
    after_end = add_months(ends_on, AFTER_END_MONTHS)
    obligations.append(Obligation(Kind.FINAL, opens=starts_on, due=after_end))
    obligations.append(Obligation(Kind.LEFTOVER, opens=starts_on, due=after_end))
    return obligations


def annual_report_obligation(year: int) -> Obligation:
    month, day = ANNUAL_REPORT_MONTH_DAY
    return Obligation(
        Kind.ANNUAL_REPORT, opens=date(year + 1, 1, 1), due=date(year + 1, month, day), year=year
    )


def annual_report_obligations(first_year: int, today: date) -> list[Obligation]:
    """The annual reports owed for each year from ``first_year`` up to last year."""
    return [annual_report_obligation(year) for year in range(first_year, today.year)]


def assess(
    obligations: Iterable[Obligation],
    published: Iterable[tuple[Kind, date, int | None]],
    today: date,
) -> list[Outcome]:
    """Match published disclosures (kind, date, year) to obligations and judge each one.

    Each disclosure meets the earliest unmet obligation of its kind that it may meet (it is
    on or after the obligation's opening day; an annual report must name its year); one
    disclosure meets one obligation. Met by the due date is on time, after it late.
    """
    obligations = sorted(obligations, key=lambda o: (o.due, o.kind.value))
    met: dict[int, date] = {}
    for kind, published_on, year in sorted(published, key=lambda p: p[1]):
        for index, obligation in enumerate(obligations):
            if index in met or obligation.kind != kind or published_on < obligation.opens:
                continue
            if kind == Kind.ANNUAL_REPORT and year != obligation.year:
                continue
            met[index] = published_on
            break
    outcomes = []
    for index, obligation in enumerate(obligations):
        met_on = met.get(index)
        if met_on is not None:
            state = State.ON_TIME if met_on <= obligation.due else State.LATE
        else:
            state = State.OVERDUE if today > obligation.due else State.UPCOMING
        outcomes.append(Outcome(obligation, state, met_on))
    return outcomes


def next_due(outcomes: Iterable[Outcome]) -> Outcome | None:
    """The earliest obligation not yet met (overdue ones first, as they are earliest)."""
    open_ones = [o for o in outcomes if o.state in (State.OVERDUE, State.UPCOMING)]
    return min(open_ones, key=lambda o: o.obligation.due, default=None)


def overdue(outcomes: Iterable[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.state == State.OVERDUE]


@dataclass(frozen=True)
class Punctuality:
    """Of the obligations due so far: how many met on time, late, and still overdue."""

    on_time: int
    late: int
    overdue: int

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return 100.0 * self.on_time / self.due if self.due else None


def punctuality(outcomes: Iterable[Outcome]) -> Punctuality:
    """Counted over obligations already due (or already met early): upcoming ones wait."""
    counts = {State.ON_TIME: 0, State.LATE: 0, State.OVERDUE: 0}
    for outcome in outcomes:
        if outcome.state in counts:
            counts[outcome.state] += 1
    return Punctuality(counts[State.ON_TIME], counts[State.LATE], counts[State.OVERDUE])
