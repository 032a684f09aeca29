"""Every CSV the portal writes: cells a spreadsheet would run as a formula are defused.

A citizen who registers for an event as "=1+2" (or "=HYPERLINK(…)", "-2+3+cmd|…") would
otherwise have it evaluated on the editor's computer when the export is opened. As OWASP
recommends, a text cell starting with = + - @, a tab or a carriage return gets a leading
single quote, which spreadsheets show as text. Numbers stay numbers, negative ones too.
"""

import csv
import io
import re
from collections.abc import Iterable
from numbers import Number
from typing import Any, Protocol

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that is only a number ("-3", "+1.5") is read as that number by every spreadsheet,
# never as a formula; "-3 days" or "-1+1" is not a number and is escaped.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
# Excel reads a UTF-8 file as UTF-8 (and the Chinese as Chinese) only after this mark.
BYTE_ORDER_MARK = "\ufeff"


def safe_cell(value: Any) -> Any:
    """A value as a CSV cell that no spreadsheet runs: numbers kept, formula text quoted."""
    if value is None:
        return ""
    if isinstance(value, Number):  # int, float, Decimal and the like
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Each cell of a row through safe_cell."""
    return [safe_cell(value) for value in row]


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """csv.writer whose every cell goes through safe_cell; returns what csv.writer returns."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_download(rows: Iterable[Iterable[Any]], *, filename: str) -> HttpResponse:
    """A CSV attachment of the rows, every cell made safe, opening as UTF-8 in Excel."""
    buffer = io.StringIO()
    SafeWriter(buffer).writerows(rows)
    response = HttpResponse(
        BYTE_ORDER_MARK + buffer.getvalue(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
