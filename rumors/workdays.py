"""Working-day arithmetic against the public-holiday calendar that staff maintain.

A day is a working day if it is Monday to Friday and not a public holiday, or if it is
a make-up working day (调休). Deadlines fall at the end of the working day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import CalendarDay, CalendarDayKind

END_OF_WORKING_DAY = time(17, 30)


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the `days`-th working day after the day of `start` (local time)."""
        day = timezone.localtime(start).date()
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return timezone.make_aware(datetime.combine(day, END_OF_WORKING_DAY))

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Whole working days after the day of `start`, up to and including the day of `end`."""
        first = timezone.localtime(start).date()
        last = timezone.localtime(end).date()
        count = 0
        day = first
        while day < last:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def work_calendar() -> WorkCalendar:
    """Load the calendar exceptions from the database (a few dozen rows a year)."""
    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == CalendarDayKind.HOLIDAY else workdays).add(day)
    return WorkCalendar(frozenset(holidays), frozenset(workdays))


# The State Council's published 2026 schedule, and the 2027 statutory days
# known in advance; staff add 2027's bridging days and make-up days once published.
def _span(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


SEED_HOLIDAYS: list[tuple[list[date], str]] = [
    (_span("2026-01-01", "2026-01-03"), "元旦"),
    (_span("2026-02-15", "2026-02-23"), "春节"),
    (_span("2026-04-04", "2026-04-06"), "清明节"),
    (_span("2026-05-01", "2026-05-05"), "劳动节"),
    (_span("2026-06-19", "2026-06-21"), "端午节"),
    (_span("2026-09-25", "2026-09-27"), "中秋节"),
    (_span("2026-10-01", "2026-10-07"), "国庆节"),
    (_span("2027-01-01", "2027-01-01"), "元旦"),
    (_span("2027-02-05", "2027-02-08"), "春节"),
    (_span("2027-04-05", "2027-04-05"), "清明节"),
    (_span("2027-05-01", "2027-05-02"), "劳动节"),
    (_span("2027-06-09", "2027-06-09"), "端午节"),
    (_span("2027-09-15", "2027-09-15"), "中秋节"),
    (_span("2027-10-01", "2027-10-03"), "国庆节"),
]
SEED_MAKEUP_WORKDAYS: list[tuple[str, str]] = [
    ("2026-01-04", "元旦调休"),
    ("2026-02-14", "春节调休"),
    ("2026-02-28", "春节调休"),
    ("2026-05-09", "劳动节调休"),
    ("2026-09-20", "国庆节调休"),
    ("2026-10-10", "国庆节调休"),
]
