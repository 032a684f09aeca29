"""Every read of the report desk that is more than a lookup, scoped in one place."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from wenzhou_portal.roles import Role

from .models import OPEN_STATUSES, Report, ReportEvent, Status


def is_office_admin(user) -> bool:
    """Office admins (and superusers) see and act on every report."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_office_admin", None)
    if cached is None:
        cached = user.groups.filter(name=Role.OFFICE_ADMIN).exists()
        user._is_office_admin = cached
    return cached


def is_auditor(user) -> bool:
    return (
        getattr(user, "is_authenticated", False) and user.groups.filter(name=Role.AUDITOR).exists()
    )


def user_department_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_department_ids", None)
    if cached is None:
        cached = set(user.departments.filter(is_active=True).values_list("pk", flat=True))
        user._department_ids = cached
    return cached


def reports_visible_to(user) -> QuerySet[Report]:
    """Office admins and auditors see all reports; a department sees what it leads or co-handles."""
    reports = Report.objects.select_related("lead_department")
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return reports.none()
    if is_office_admin(user) or is_auditor(user):
        return reports
    departments = user_department_ids(user)
    if not departments:
        return reports.none()
    visible = Report.objects.filter(
        Q(lead_department__in=departments) | Q(co_handlers__in=departments)
    ).values("pk")
    return reports.filter(pk__in=visible)


def reports_overdue(reports: QuerySet[Report]) -> QuerySet[Report]:
    return reports.filter(
        status__in=OPEN_STATUSES, paused_at__isnull=True, due_at__lt=timezone.now()
    )


def report_by_tracking_code(code: str | None) -> Report | None:
    if not code:
        return None
    return (
        Report.objects.select_related("lead_department", "merged_into")
        .filter(tracking_code=code)
        .first()
    )


def report_public_timeline(report: Report) -> list[dict]:
    """What the citizen may see: steps with public text only, never internal notes."""
    events = (
        ReportEvent.objects.filter(report=report)
        .exclude(public_text="")
        .only("created_at", "kind", "to_status", "public_text")
    )
    return [
        {
            "at": event.created_at,
            "kind": event.kind,
            "kind_label": event.get_kind_display(),
            "public_status": (
                Report(status=event.to_status).public_status.label if event.to_status else ""
            ),
            "text": event.public_text,
        }
        for event in events
    ]


def report_public_outcome(report: Report) -> str:
    """The feedback a citizen sees; a merged report shows its primary's outcome."""
    if report.status == Status.MERGED and report.merged_into is not None:
        primary = report.merged_into
        if primary.status in (Status.RESOLVED, Status.REJECTED):
            return primary.public_feedback
        return ""
    return report.public_feedback
