"""Open311 GeoReport v2, read only: the public side of the report desk for civic tools."""

import functools
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from wenzhou_portal import timeparse

from .models import CATEGORY_EXAMPLES, CLOSED_STATUSES, OPEN_STATUSES, Category, Report
from .selectors import report_public_outcome

MAX_REQUESTS = 1000
DATE_WINDOW = timedelta(days=90)
CACHE_SECONDS = 60
SERVICE_GROUP = _("违法和不良信息")
REQUEST_STATUSES = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}

# Everything a service request shows; the reported text, link, account, contact details,
# reporter, evidence and internal notes are never even loaded.
PUBLIC_COLUMNS = (
    "public_id",
    "category",
    "status",
    "public_feedback",
    "created_at",
    "updated_at",
    "due_at",
    "lead_department",
    "lead_department__name",
    "merged_into",
    "merged_into__status",
    "merged_into__public_feedback",
)

# XML 1.0 cannot carry most control characters, even escaped; staff text may hold pasted ones.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """A request the API refuses, answered in the spec's error shape."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True)
class Open311Filters:
    """The GeoReport v2 arguments of GET requests, parsed."""

    service_codes: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    start: datetime | None = None
    end: datetime | None = None
    # None: not asked for; empty: asked for, but none of the ids could exist.
    public_ids: frozenset[uuid.UUID] | None = None


# --- Reading ---------------------------------------------------------------------------


def _public_reports() -> QuerySet[Report]:
    return Report.objects.select_related("lead_department", "merged_into").only(*PUBLIC_COLUMNS)


def open311_requests(filters: Open311Filters) -> QuerySet[Report]:
    """Reports matching the filters, newest first, at most MAX_REQUESTS, public columns only."""
    reports = _public_reports()
    if filters.public_ids is not None:
        # The spec: a list of service_request_id overrides every other argument.
        reports = reports.filter(public_id__in=filters.public_ids)
    else:
        if filters.service_codes:
            reports = reports.filter(category__in=filters.service_codes)
        if filters.statuses:
            statuses = set().union(*(REQUEST_STATUSES[status] for status in filters.statuses))
            reports = reports.filter(status__in=statuses)
        if filters.start is not None:
            reports = reports.filter(created_at__gte=filters.start)
        if filters.end is not None:
            reports = reports.filter(created_at__lte=filters.end)
    return reports.order_by("-created_at", "-pk")[:MAX_REQUESTS]


def open311_request_by_public_id(public_id: str) -> Report | None:
    """One report by its public id; a malformed id finds nothing."""
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    return _public_reports().filter(public_id=key).first()


# --- Parsing ---------------------------------------------------------------------------


def _comma_list(query: QueryDict, name: str) -> list[str]:
    return [part.strip() for part in query.get(name, "").split(",") if part.strip()]


def _w3c_datetime(name: str, raw: str) -> datetime:
    # The spec asks for a zone; without one, the portal's own (Asia/Shanghai) is meant.
    try:
        return timeparse.parse_aware_datetime(raw)
    except ValidationError as error:
        if error.code == "out_of_range":
            raise Open311Error(
                400,
                gettext("%(name)s：%(message)s") % {"name": name, "message": error.messages[0]},
            ) from error
        raise Open311Error(
            400,
            gettext("%(name)s 不是有效的 W3C 日期时间，例如 2025-01-01T00:00:00+08:00。")
            % {"name": name},
        ) from error


def _service_codes(query: QueryDict) -> frozenset[str]:
    codes = frozenset(_comma_list(query, "service_code"))
    # No category code holds a control character, and PostgreSQL refuses a NUL outright.
    if not all(code.isprintable() for code in codes):
        raise Open311Error(400, gettext("service_code 含有不允许的字符。"))
    return codes


def open311_filters(query: QueryDict) -> Open311Filters:
    """Parse GET requests arguments; by default the last 90 days, as the spec says."""
    raw_ids = _comma_list(query, "service_request_id")
    if raw_ids:
        public_ids = set()
        for raw in raw_ids:
            try:
                public_ids.add(uuid.UUID(raw))
            except ValueError:
                continue
        return Open311Filters(public_ids=frozenset(public_ids))

    statuses = frozenset(_comma_list(query, "status"))
    if not statuses <= REQUEST_STATUSES.keys():
        raise Open311Error(400, gettext("status 只能是 open 或 closed（可用逗号分隔）。"))

    start_raw, end_raw = query.get("start_date", ""), query.get("end_date", "")
    start = _w3c_datetime("start_date", start_raw) if start_raw.strip() else None
    end = _w3c_datetime("end_date", end_raw) if end_raw.strip() else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - DATE_WINDOW
    if end is None:
        end = start + DATE_WINDOW
    if end < start:
        raise Open311Error(400, gettext("end_date 不能早于 start_date。"))
    if end - start > DATE_WINDOW:
        raise Open311Error(400, gettext("start_date 与 end_date 的间隔不能超过 90 天。"))

    return Open311Filters(
        service_codes=_service_codes(query),
        statuses=statuses,
        start=start,
        end=end,
    )


# --- Shaping ---------------------------------------------------------------------------


def _w3c(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def open311_services() -> list[dict]:
    """One GeoReport v2 service per report category."""
    return [
        {
            "service_code": category.value,
            "service_name": str(category.label),
            "description": str(CATEGORY_EXAMPLES[category]),
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": str(SERVICE_GROUP),
        }
        for category in Category
    ]


def open311_request(report: Report) -> dict:
    """A report as a GeoReport v2 service request: public fields only, never what was reported."""
    is_open = report.status in OPEN_STATUSES
    status_label = str(report.public_status.label)
    outcome = "" if is_open else report_public_outcome(report)
    category_label = report.get_category_display()
    return {
        "service_request_id": str(report.public_id),
        "status": "open" if is_open else "closed",
        "status_notes": (
            gettext("%(status)s：%(outcome)s") % {"status": status_label, "outcome": outcome}
            if outcome
            else status_label
        ),
        "service_name": category_label,
        "service_code": report.category,
        # The reported text can itself be the harmful content; the category stands in for it.
        "description": category_label,
        "agency_responsible": report.lead_department.name if report.lead_department else "",
        "service_notice": "",
        "requested_datetime": _w3c(report.created_at),
        "updated_datetime": _w3c(report.updated_at),
        "expected_datetime": _w3c(report.due_at),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


# --- Rendering -------------------------------------------------------------------------


def _xml_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_INVALID.sub("", str(value))


def _render(fmt: str, rows: list[dict], *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(
            rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
        )
    document = ET.Element(root)
    for row in rows:
        element = ET.SubElement(document, item)
        for name, value in row.items():
            ET.SubElement(element, name).text = _xml_text(value)
    body = ET.tostring(document, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _render(
        fmt, [{"code": code, "description": description}], root="errors", item="error", status=code
    )


def _respond(fmt: str, rows: list[dict], *, root: str, item: str) -> HttpResponse:
    response = _render(fmt, rows, root=root, item=item)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    # Labels follow the language cookie, so a shared cache must keep the variants apart.
    patch_vary_headers(response, ("Cookie",))
    return response


def _open311_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET (and HEAD) only; refusals come back in the spec's error shape and format."""

    # Exempt from CSRF so that a POST meets the 405 below rather than a CSRF page:
    # these views never change anything.
    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, fmt: str, **kwargs: str) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = _error(fmt, 405, gettext("只支持 GET 请求。"))
            response["Allow"] = "GET, HEAD"
            return response
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as error:
            return _error(fmt, error.code, error.description)

    return wrapper


# --- Views -----------------------------------------------------------------------------


@_open311_view
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return _respond(fmt, open311_services(), root="services", item="service")


@_open311_view
def requests_list(request: HttpRequest, fmt: str) -> HttpResponse:
    reports = open311_requests(open311_filters(request.GET))
    rows = [open311_request(report) for report in reports]
    return _respond(fmt, rows, root="service_requests", item="request")


@_open311_view
def request_detail(request: HttpRequest, fmt: str, public_id: str) -> HttpResponse:
    report = open311_request_by_public_id(public_id)
    if report is None:
        raise Open311Error(404, gettext("没有找到该编号的举报。"))
    return _respond(fmt, [open311_request(report)], root="service_requests", item="request")
