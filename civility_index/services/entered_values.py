"""Importing the figures staff enter by hand: a CSV, all of it or nothing.

``entered_values_import`` is a staff write: a keyword-only ``actor``, one audit event in
the transaction of the write.
"""

import csv
import io
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record
from wenzhou_portal.districts import District

from ..models import EnteredValue, Indicator
from .periods import parse_period


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


CSV_COLUMNS = ("indicator", "district", "period", "value", "cases")


def entered_values_import(*, text: str, actor, request: HttpRequest | None = None) -> ImportReport:
    """Import a CSV of entered values; any bad row refuses the whole file, row by row.

    A refused file writes nothing; an accepted one is one transaction and one audit event.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"indicator", "district", "period", "value"} - set(reader.fieldnames or [])
    if missing:
        report.errors.append(
            (1, gettext("缺少列：%(columns)s") % {"columns": ", ".join(sorted(missing))})
        )
        return report
    indicators = {i.code: i for i in Indicator.objects.filter(source="entered")}
    rows, seen = [], set()
    for number, row in enumerate(reader, start=2):
        problem, parsed = _parse_row(row, indicators)
        if problem:
            report.errors.append((number, problem))
            continue
        key = (parsed["indicator"].pk, parsed["district"], parsed["period"])
        if key in seen:
            report.errors.append((number, gettext("与前面的行重复（同一指标、地区和月份）。")))
            continue
        seen.add(key)
        rows.append(parsed)
    if not rows and not report.errors:
        report.errors.append((1, gettext("文件中没有数据行。")))
    if report.errors:
        return report
    with transaction.atomic():
        for parsed in rows:
            _, created = EnteredValue.objects.update_or_create(
                indicator=parsed["indicator"],
                district=parsed["district"],
                period=parsed["period"],
                defaults={"value": parsed["value"], "cases": parsed["cases"], "entered_by": actor},
            )
            if created:
                report.created += 1
            else:
                report.updated += 1
        periods = sorted({f"{parsed['period']:%Y-%m}" for parsed in rows})
        audit_record(
            action="civility_index.entered_values_imported",
            actor=actor,
            target="civility_index.enteredvalue:" + ",".join(periods),
            request=request,
            detail={
                "created": report.created,
                "updated": report.updated,
                "periods": periods,
                "indicators": sorted({parsed["indicator"].code for parsed in rows}),
            },
        )
    return report


def _parse_row(row: dict, indicators: dict[str, Indicator]) -> tuple[str | None, dict]:
    code = (row.get("indicator") or "").strip()
    indicator = indicators.get(code)
    if indicator is None:
        return gettext("未知的填报指标：%(code)s") % {"code": code or "（空）"}, {}
    district = (row.get("district") or "").strip()
    if district not in District.values:
        return gettext("未知的行政区划代码：%(code)s") % {"code": district or "（空）"}, {}
    try:
        period = parse_period(row.get("period") or "")
    except ValidationError as refused:
        return refused.messages[0], {}
    try:
        value = float((row.get("value") or "").strip())
    except ValueError:
        return gettext("数值不是数字：%(value)s") % {"value": row.get("value") or "（空）"}, {}
    if not math.isfinite(value) or value < 0 or (indicator.unit == "%" and value > 100):
        return gettext("数值超出范围：%(value)s（%(unit)s）") % {
            "value": value,
            "unit": indicator.unit,
        }, {}
    cases_text = (row.get("cases") or "").strip()
    cases = None
    if cases_text:
        if not cases_text.isdigit():
            return gettext("案例数应为非负整数：%(cases)s") % {"cases": cases_text}, {}
        cases = int(cases_text)
    return None, {
        "indicator": indicator,
        "district": district,
        "period": period,
        "value": value,
        "cases": cases,
    }
