"""Date-times typed by people and programs: ISO 8601 in, aware and within sane years out.

Python's datetime stops at years 1 and 9999, so "0001-01-01T00:00:00+08:00" overflows the
moment it is converted to UTC (SQLite, comparisons, DRF), and PostgreSQL stores it but
psycopg cannot read it back. An offset of "+99:00" is no offset at all. Every date-time a
client sends goes through parse_aware_datetime (or aware_in_range, when a form field has
already parsed it), so each such input is refused with the same translated message.
"""

import re
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateparse, timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST_YEAR = 1970
LATEST_YEAR = 2100

INVALID_MESSAGE = _("请输入有效的日期时间，例如 2025-01-01T08:00:00+08:00。")
OUT_OF_RANGE_MESSAGE = _("年份必须在 %(earliest)s 至 %(latest)s 之间。")

# An unencoded "+" in a query string arrives as a space: "…T08:00:00 08:00". Only a space
# after a time of day is read as a plus, so "2025-01-01 08:00" keeps its meaning.
SPACE_FOR_PLUS_OFFSET = re.compile(r"^(\S+[T ]\d{2}:\d{2}\S*) (\d{2}(?::?\d{2})?)$")


def aware_in_range(value: datetime) -> datetime:
    """The date-time, made aware in the portal's zone if naive, if its year is sane.

    The year is checked as written, before any conversion, so the check itself never
    overflows; 1970–2100 keeps every conversion, comparison and round trip safe.
    """
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            OUT_OF_RANGE_MESSAGE,
            code="out_of_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def parse_aware_datetime(raw: object) -> datetime:
    """Read an ISO 8601 date-time or date from user input as an aware datetime.

    Without an offset, the portal's own zone (Asia/Shanghai) is meant; a date alone means
    its midnight. Raises ValidationError (code "invalid" or "out_of_range") for anything
    else, including offsets of a day or more, impossible days and NUL bytes.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    # Python 3.11's fromisoformat stops reading at a NUL and accepts what came before it.
    value = _parse_iso(SPACE_FOR_PLUS_OFFSET.sub(r"\1+\2", text)) if text.isprintable() else None
    if value is None:
        raise ValidationError(INVALID_MESSAGE, code="invalid")
    return aware_in_range(value)


def _parse_iso(text: str) -> datetime | None:
    try:
        return dateparse.parse_datetime(text)
    except ValueError:
        # The shape matched, the numbers did not: "+99:00", February 30th, hour 25.
        return None


class AwareDateTimeField(forms.Field):
    """A form (and django-filter) field reading date-times as parse_aware_datetime does."""

    def to_python(self, value: object) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return aware_in_range(value)
        return parse_aware_datetime(value)


class AwareDateTimeSerializerField(serializers.DateTimeField):
    """DRF's DateTimeField, reading input as parse_aware_datetime does.

    DRF's own field overflows (a 500) on a naive "0001-01-01T00:00:00" and accepts 9999.
    """

    def to_internal_value(self, value: object) -> datetime | None:
        # A form-encoded client sends an optional field it leaves empty as "".
        if value == "" and self.allow_null:
            return None
        try:
            if isinstance(value, datetime):
                return aware_in_range(value)
            # A JSON number or list is no date-time, even if its digits would parse.
            return parse_aware_datetime(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc
