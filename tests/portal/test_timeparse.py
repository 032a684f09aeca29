"""Date-times from user input: read as ISO 8601, aware, within sane years, or refused."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from rest_framework import serializers

from wenzhou_portal.timeparse import (
    INVALID_MESSAGE,
    OUT_OF_RANGE_MESSAGE,
    AwareDateTimeField,
    AwareDateTimeSerializerField,
    aware_in_range,
    parse_aware_datetime,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-05-01T10:30:00+08:00", datetime(2025, 5, 1, 2, 30, tzinfo=UTC)),
        ("2025-05-01T02:30:00Z", datetime(2025, 5, 1, 2, 30, tzinfo=UTC)),
        ("2025-05-01T02:30:00.123456Z", datetime(2025, 5, 1, 2, 30, 0, 123456, tzinfo=UTC)),
        ("2025-05-01T10:30:00-05:30", datetime(2025, 5, 1, 16, 0, tzinfo=UTC)),
        ("2025-05-01T10:30:00+0800", datetime(2025, 5, 1, 2, 30, tzinfo=UTC)),
        ("2025-05-01 10:30", datetime(2025, 5, 1, 10, 30, tzinfo=SHANGHAI)),
        ("2025-05-01T10:30:00", datetime(2025, 5, 1, 10, 30, tzinfo=SHANGHAI)),
        ("2025-05-01", datetime(2025, 5, 1, tzinfo=SHANGHAI)),
        ("  2025-05-01T10:30:00+08:00\n", datetime(2025, 5, 1, 2, 30, tzinfo=UTC)),
        ("1970-01-01T00:00:00+14:00", datetime(1969, 12, 31, 10, tzinfo=UTC)),
        ("2100-12-31T23:59:59-12:00", datetime(2101, 1, 1, 11, 59, 59, tzinfo=UTC)),
    ],
)
def test_iso_8601_date_times_are_read_as_the_same_instant(raw, expected):
    value = parse_aware_datetime(raw)
    assert value.tzinfo is not None
    assert value == expected


def test_a_date_time_without_offset_means_wenzhou_time():
    assert parse_aware_datetime("2025-05-01T08:00:00").utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "raw",
    ["2025-05-01T10:30:00 08:00", "2025-05-01T10:30:00 0800", "2025-05-01 10:30:00.5 08"],
)
def test_an_unencoded_plus_that_arrived_as_a_space_is_still_an_offset(raw):
    assert parse_aware_datetime(raw).utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "yesterday",
        "2025-13-01T00:00:00Z",
        "2025-02-30T00:00:00Z",
        "2025-01-01T25:00:00+08:00",
        "2026-01-01T00:00:00+99:00",
        "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00-24:00",
        "2026-01-01T00:00:00\x00",
        "2026-01-01\x00T00:00:00",
        "2026-01-01T00:00:00+08:00; DROP TABLE rumors_report",
        "9" * 10_000,
        "１９７０",
    ],
)
def test_what_is_not_a_date_time_is_refused_as_invalid(raw):
    with pytest.raises(ValidationError) as caught:
        parse_aware_datetime(raw)
    assert caught.value.code == "invalid"


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+08:00",
        "0001-01-01T00:00:00-08:00",
        "0001-01-01",
        "9999-12-31T23:59:59-08:00",
        "9999-12-31T23:59:59+14:00",
        "9999-12-31",
        "1969-12-31T23:59:59Z",
        "2101-01-01T00:00:00+08:00",
    ],
)
def test_years_outside_1970_to_2100_are_refused_before_anything_overflows(raw):
    with pytest.raises(ValidationError) as caught:
        parse_aware_datetime(raw)
    assert caught.value.code == "out_of_range"
    assert caught.value.params == {"earliest": 1970, "latest": 2100}


def test_the_refusals_are_marked_for_translation():
    for message in (INVALID_MESSAGE, OUT_OF_RANGE_MESSAGE):
        assert isinstance(message, Promise)
    with pytest.raises(ValidationError) as refused:
        parse_aware_datetime("9999-12-31")
    with translation.override("zh-hans"):
        assert refused.value.messages == ["年份必须在 1970 至 2100 之间。"]


def test_the_refusals_are_in_english_for_english_readers():
    with pytest.raises(ValidationError) as out_of_range:
        parse_aware_datetime("9999-12-31")
    with pytest.raises(ValidationError) as invalid:
        parse_aware_datetime("+99:00")
    # The messages are lazy: they speak the language active when they are read.
    with translation.override("en"):
        assert out_of_range.value.messages == ["The year must be between 1970 and 2100."]
        assert invalid.value.messages == [
            "Enter a valid date and time, e.g. 2025-01-01T08:00:00+08:00."
        ]


def test_an_already_parsed_date_time_is_checked_and_made_aware():
    naive = datetime(2025, 5, 1, 8)  # noqa: DTZ001  naive on purpose: the input under test
    assert aware_in_range(naive) == datetime(2025, 5, 1, 8, tzinfo=SHANGHAI)
    fixed = datetime(2025, 5, 1, 8, tzinfo=timezone(timedelta(hours=-3)))
    assert aware_in_range(fixed) is fixed
    with pytest.raises(ValidationError):
        aware_in_range(datetime(1, 1, 1, tzinfo=SHANGHAI))
    with pytest.raises(ValidationError):
        aware_in_range(datetime.max.replace(tzinfo=UTC))


def test_the_form_field_reads_and_refuses_like_the_parser():
    field = AwareDateTimeField(required=False)
    assert field.clean("") is None
    assert field.clean("2025-05-01T10:30:00+08:00") == datetime(2025, 5, 1, 2, 30, tzinfo=UTC)
    with pytest.raises(ValidationError):
        field.clean("0001-01-01T00:00:00")
    with pytest.raises(ValidationError):
        AwareDateTimeField().clean("")


def test_the_serializer_field_reads_and_refuses_like_the_parser():
    class Window(serializers.Serializer):
        since = AwareDateTimeSerializerField(required=False, allow_null=True)

    good = Window(data={"since": "2025-05-01T10:30:00+08:00"})
    assert good.is_valid(), good.errors
    assert good.validated_data["since"] == datetime(2025, 5, 1, 2, 30, tzinfo=UTC)
    for raw in ["0001-01-01T00:00:00", "2026-01-01T00:00:00+99:00", 20250501, ["2025-05-01"]]:
        bad = Window(data={"since": raw})
        assert not bad.is_valid()
        assert list(bad.errors) == ["since"]
    assert Window(data={"since": None}).is_valid()
    blank = Window(data={"since": ""})
    assert blank.is_valid(), blank.errors
    assert blank.validated_data["since"] is None

    class Required(serializers.Serializer):
        since = AwareDateTimeSerializerField()

    assert not Required(data={"since": ""}).is_valid()
