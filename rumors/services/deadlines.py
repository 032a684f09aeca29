"""Deadlines and retention, run by beat: warnings, reminders, escalation, contact erasure."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    DeadlineDigest,
    Department,
    EventKind,
    Report,
    ReportEvent,
    Status,
)
from ..workdays import WorkCalendar, work_calendar
from .events import _event, _notify_department, _notify_office_admins

# A department sees its reminder before the office hears of the report: an escalation
# waits for a run at least this long after the reminder. At beat's 15-minute interval that
# is the next scheduled run; runs delivered back to back (a worker back from an outage
# working off its queue, a second run by hand) never remind and escalate together.
ESCALATION_AFTER_REMINDER = timedelta(minutes=10)
# Reports taken per step in one run, oldest due first; a longer backlog is caught up by
# the following runs, in the same order, so no digest grows beyond reading.
DEADLINE_RUN_LIMIT = 500


@dataclass(frozen=True, eq=False)
class _Step:
    kind: EventKind
    marker: str
    heading: str


_ESCALATE = _Step(EventKind.ESCALATED, "escalated_at", _("已上报网信办，请立即办理："))
_REMIND = _Step(EventKind.REMINDER, "reminder_sent_at", _("已超过办理期限，请尽快办理："))
_WARN = _Step(EventKind.DUE_WARNING, "due_warning_sent_at", _("距办理期限不足一天："))
# A digest's sections, what the office now hears of first. (A report's own steps come the
# other way round, warning to escalation, one per run.)
_STEPS = (_ESCALATE, _REMIND, _WARN)


@dataclass
class _Digest:
    """What one run tells one department, or the office's admins (department None)."""

    department: Department | None
    reports: dict[_Step, list[Report]] = field(default_factory=dict)
    events: list[ReportEvent] = field(default_factory=list)

    def add(self, step: _Step, report: Report, event: ReportEvent) -> None:
        self.reports.setdefault(step, []).append(report)
        self.events.append(event)


def deadlines_check(
    *, now: datetime | None = None, limit: int = DEADLINE_RUN_LIMIT
) -> dict[str, int]:
    """Warn a day before, remind (催办) at expiry, escalate to the office after N working
    days: at most one step per report per run, oldest due first, one digest per recipient.

    A warning goes out only while the due time is still ahead (never "due within a day"
    for a report already overdue); a reminder once it has passed; an escalation once the
    report is N working days overdue and its reminder was sent by an earlier run at least
    ESCALATION_AFTER_REMINDER before. So after a pause a report 30 working days overdue is
    reminded now and escalated at the next scheduled run.

    The run is one transaction: each step is claimed by setting its marker on rows this
    run has locked (a concurrent run skips them, and finds the markers set once this one
    commits); each step is a ReportEvent on its report; each department (and the office's
    admins, for escalations) gets one DeadlineDigest listing its reports, the source of
    its notifications. A crash leaves none of it; a second delivery finds nothing to claim.
    """
    now = now or timezone.now()
    calendar = work_calendar()
    running = Report.objects.filter(
        status__in=[Status.ROUTED, Status.IN_PROGRESS], paused_at__isnull=True, due_at__isnull=False
    )
    # The three sets are disjoint, so a report takes at most one step in a run: an
    # escalation needs an earlier reminder, a reminder none yet, a warning a due time ahead.
    candidates = {
        _ESCALATE: running.filter(
            escalated_at__isnull=True,
            reminder_sent_at__lte=now - ESCALATION_AFTER_REMINDER,
            due_at__lte=now,
            due_at__lt=_escalation_cutoff(
                calendar, now, settings.REPORT_ESCALATE_AFTER_WORKING_DAYS
            ),
        ),
        _REMIND: running.filter(reminder_sent_at__isnull=True, due_at__lte=now),
        _WARN: running.filter(
            due_warning_sent_at__isnull=True, due_at__gt=now, due_at__lte=now + timedelta(days=1)
        ),
    }
    with transaction.atomic():
        claimed = {
            step: _claim(queryset, step.marker, now, limit) for step, queryset in candidates.items()
        }
        reports = (
            Report.objects.filter(pk__in=[pk for ids in claimed.values() for pk in ids])
            .select_related("lead_department")
            .in_bulk()
        )
        departments: dict[int, _Digest] = {}
        office = _Digest(department=None)
        for step in _STEPS:
            for report in (reports[pk] for pk in claimed[step]):
                event = _event(
                    report,
                    kind=step.kind,
                    department=report.lead_department,
                    from_status=report.status,
                    internal_text=_event_text(step, report, calendar, now),
                )
                if report.lead_department is not None:
                    departments.setdefault(
                        report.lead_department_id, _Digest(report.lead_department)
                    ).add(step, report, event)
                if step is _ESCALATE:
                    office.add(step, report, event)
        for digest in [*departments.values(), office]:
            if digest.events:
                _digest_send(digest, calendar, now)
    return {
        "warned": len(claimed[_WARN]),
        "reminded": len(claimed[_REMIND]),
        "escalated": len(claimed[_ESCALATE]),
    }


def _escalation_cutoff(calendar: WorkCalendar, now: datetime, days: int) -> datetime:
    """Due before this moment is at least `days` working days overdue at `now`: the
    database-side form of ``calendar.working_days_between(due_at, now) >= days``."""
    day = timezone.localtime(now).date()
    counted = 0
    while counted < days:
        if calendar.is_working_day(day):
            counted += 1
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _claim(candidates: QuerySet[Report], marker: str, now: datetime, limit: int) -> list[int]:
    """Lock the oldest-due candidates no other run holds and set their marker: their ids."""
    ids = list(
        candidates.order_by("due_at", "pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:limit]
    )
    claimed = Report.objects.filter(pk__in=ids, **{f"{marker}__isnull": True}).update(
        **{marker: now}
    )
    if claimed != len(ids):
        # Not expected: PostgreSQL holds the rows locked, and SQLite lets no other writer
        # commit between this read and write. Undo the run rather than tell anyone twice.
        raise RuntimeError("a deadline claim raced another run; the next run redoes it")
    return ids


def _event_text(step: _Step, report: Report, calendar: WorkCalendar, now: datetime) -> str:
    if step is _ESCALATE:
        return gettext("超期 %(days)s 个工作日仍未办结，已上报网信办。") % {
            "days": calendar.working_days_between(report.due_at, now)
        }
    if step is _REMIND:
        return gettext("已超过办理期限，请尽快办理。")
    return gettext("距办理期限不足一天。")


def _digest_send(digest: _Digest, calendar: WorkCalendar, now: datetime) -> None:
    """Record the digest with the events it lists and tell its recipients once."""
    row = DeadlineDigest.objects.create(run_at=now, department=digest.department)
    row.events.add(*digest.events)
    summary = gettext("，").join(
        gettext("%(kind)s %(count)s 件") % {"kind": step.kind.label, "count": len(reports)}
        for step, reports in _in_step_order(digest)
    )
    if digest.department is None:
        opening = gettext(
            "以下举报超期 %(days)s 个工作日以上仍未办结，牵头部门此前均已收到催办。"
        ) % {"days": settings.REPORT_ESCALATE_AFTER_WORKING_DAYS}
    else:
        opening = gettext("%(department)s：") % {"department": digest.department.name}
    blocks = [
        opening
        + "\n"
        + gettext("期限检查（%(time)s）：%(summary)s。各项按办理期限从早到晚排列。")
        % {"time": _local(now), "summary": summary}
    ]
    for step, reports in _in_step_order(digest):
        lines = [
            _report_line(number, step, report, calendar, now, office=digest.department is None)
            for number, report in enumerate(reports, start=1)
        ]
        heading = step.heading if digest.department else gettext("请督促牵头部门办理：")
        blocks.append("\n".join([f"【{step.kind.label}】{heading}", *lines]))
    subject = gettext("【清朗温州】办理期限汇总：%(summary)s") % {"summary": summary}
    body = "\n\n".join(blocks)
    if digest.department is None:
        _notify_office_admins(row, subject, body)
    else:
        _notify_department(row, digest.department, subject, body)


def _in_step_order(digest: _Digest) -> list[tuple[_Step, list[Report]]]:
    return [(step, digest.reports[step]) for step in _STEPS if step in digest.reports]


def _report_line(
    number: int, step: _Step, report: Report, calendar: WorkCalendar, now: datetime, *, office: bool
) -> str:
    """One report in a digest: its code, due time, how late, and its page for staff."""
    details = [gettext("查询码 %(code)s") % {"code": report.formatted_tracking_code}]
    if office:
        department = report.lead_department.name if report.lead_department else "—"
        details.append(gettext("牵头部门 %(department)s") % {"department": department})
    details.append(gettext("办理期限 %(due)s") % {"due": _local(report.due_at)})
    days = calendar.working_days_between(report.due_at, now)
    if step is _WARN:
        details.append(gettext("不足一天到期"))
    elif days:
        details.append(gettext("已超期 %(days)s 个工作日") % {"days": days})
    else:
        details.append(gettext("已超期，不足一个工作日"))
    if office:
        details.append(gettext("催办于 %(time)s") % {"time": _local(report.reminder_sent_at)})
    url = settings.SITE_URL + reverse("admin:rumors_report_change", args=[report.pk])
    return f"{number}. {' | '.join(details)}\n   {url}"


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


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
