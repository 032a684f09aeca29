"""Deadlines and retention, run by beat: warnings, reminders, escalation, contact erasure."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from ..models import (
    EventKind,
    Report,
    Status,
)
from ..workdays import work_calendar
from .events import _event, _notify_department, _notify_office_admins


def deadlines_check(*, now: datetime | None = None) -> dict[str, int]:
    """Warn a day before, remind (催办) at expiry, escalate to the office after N days."""
    now = now or timezone.now()
    counts = {"warned": 0, "reminded": 0, "escalated": 0}
    running = Report.objects.filter(
        status__in=[Status.ROUTED, Status.IN_PROGRESS], paused_at__isnull=True, due_at__isnull=False
    ).select_related("lead_department")

    for report in running.filter(
        due_at__gt=now, due_at__lte=now + timedelta(days=1), due_warning_sent_at__isnull=True
    ):
        if _deadline_step(
            report,
            "due_warning_sent_at",
            now,
            EventKind.DUE_WARNING,
            gettext("距办理期限不足一天。"),
        ):
            counts["warned"] += 1

    for report in running.filter(due_at__lte=now, reminder_sent_at__isnull=True):
        if _deadline_step(
            report,
            "reminder_sent_at",
            now,
            EventKind.REMINDER,
            gettext("已超过办理期限，请尽快办理。"),
        ):
            counts["reminded"] += 1

    calendar = work_calendar()
    after = settings.REPORT_ESCALATE_AFTER_WORKING_DAYS
    for report in running.filter(due_at__lte=now, escalated_at__isnull=True):
        if calendar.working_days_between(report.due_at, now) < after:
            continue
        if _deadline_step(
            report,
            "escalated_at",
            now,
            EventKind.ESCALATED,
            gettext("超期 %(days)s 个工作日仍未办结，已上报网信办。") % {"days": after},
            escalate=True,
        ):
            counts["escalated"] += 1
    return counts


def _claim(report: Report, field: str, now: datetime) -> bool:
    return bool(
        Report.objects.filter(pk=report.pk, **{f"{field}__isnull": True}).update(**{field: now})
    )


def _deadline_step(
    report: Report,
    field: str,
    now: datetime,
    kind: EventKind,
    text: str,
    *,
    escalate: bool = False,
) -> bool:
    """Claim the marker and record the event with its messages in one transaction: a
    crash in between leaves neither, so the next run does the step once."""
    with transaction.atomic():
        if not _claim(report, field, now):
            return False
        event = _event(
            report,
            kind=kind,
            department=report.lead_department,
            from_status=report.status,
            internal_text=text,
        )
        subject = gettext("【清朗温州】%(kind)s：举报 %(code)s") % {
            "kind": EventKind(kind).label,
            "code": report.formatted_tracking_code,
        }
        body = gettext("%(text)s\n办理期限：%(due)s\n牵头部门：%(department)s") % {
            "text": text,
            "due": timezone.localtime(report.due_at).strftime("%Y-%m-%d %H:%M"),
            "department": report.lead_department.name if report.lead_department else "",
        }
        _notify_department(event, report.lead_department, subject, body)
        if escalate:
            _notify_office_admins(event, subject, body)
    return True


def contacts_erase_expired(*, now: datetime | None = None) -> int:
    """Erase reporters' contact details a set number of days after closure; keep the report."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REPORT_CONTACT_RETENTION_DAYS)
    erased = 0
    candidates = Report.objects.filter(closed_at__lt=cutoff, contact_erased_at__isnull=True).filter(
        ~Q(contact_phone="") | ~Q(contact_email="")
    )
    for report_id in candidates.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            if not Report.objects.filter(pk=report_id, contact_erased_at__isnull=True).update(
                contact_phone="", contact_email="", contact_erased_at=now
            ):
                continue
            report = Report.objects.get(pk=report_id)
            _event(
                report,
                kind=EventKind.CONTACT_ERASED,
                from_status=report.status,
                internal_text=gettext("办结满 %(days)s 天，已按规定清除举报人联系方式。")
                % {"days": settings.REPORT_CONTACT_RETENTION_DAYS},
            )
            erased += 1
    return erased
