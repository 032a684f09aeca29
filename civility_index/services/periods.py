"""Months as the index counts them: reading a month a person typed, stepping between months."""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

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
    """The first of the month this day is in."""
    return day.replace(day=1)


def next_month(period: date) -> date:
    """The first of the following month."""
    return date(period.year + period.month // 12, period.month % 12 + 1, 1)


def previous_month(period: date) -> date:
    """The first of the month before."""
    return date(period.year - (period.month == 1), (period.month - 2) % 12 + 1, 1)
