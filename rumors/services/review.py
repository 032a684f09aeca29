"""A second look (复核), staff side: an office admin who did not handle the report decides.

The reporter asks for it (``reporter.report_review_request``); this module holds the two
decisions, each an action of the table: uphold the outcome, or reopen the report for
its department. Four eyes: whoever took part in handling the report may not decide.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..models import EventKind, Report, ReviewOutcome, Status
from ..workdays import work_calendar
from .events import _event, _notify_department
from .policy import _lock_for, performs
from .routing import office_department

REOPEN_WORKING_DAYS = 5


def _decide(report: Report, actor, outcome: ReviewOutcome) -> None:
    report.review_outcome = outcome
    report.review_decided_at = timezone.now()
    report.review_decided_by = actor


def _reply(reply: str) -> str:
    if not reply.strip():
        raise ValidationError({"reply": gettext("请写明给举报人的复核意见。")})
    return reply.strip()


@performs("review_uphold")
def report_review_uphold(*, report_id: int, actor, reply: str = "") -> Report:
    """Keep the outcome; the reporter reads why."""
    reply = _reply(reply)
    with transaction.atomic():
        report = _lock_for(actor, report_id, "review_uphold")
        from_status = report.status
        report.status = Status.RESOLVED
        report.due_at = None
        _decide(report, actor, ReviewOutcome.UPHELD)
        report.save()
        _event(
            report,
            kind=EventKind.REVIEW_UPHELD,
            actor=actor,
            department=office_department(),
            from_status=from_status,
            public_text=gettext("复核结论：维持原办理结果。%(reply)s") % {"reply": reply},
        )
        return report


@performs("review_reopen")
def report_review_reopen(
    *, report_id: int, actor, reply: str = "", working_days: int | None = None
) -> Report:
    """Send the report back to its lead department to handle again, with a new deadline.

    The earlier outcome and rating stay in the history; the report can be rated again
    once it is answered anew.
    """
    reply = _reply(reply)
    days = REOPEN_WORKING_DAYS if working_days in (None, "") else int(working_days)
    if not 1 <= days <= 90:
        raise ValidationError({"working_days": gettext("办理时限应为 1 到 90 个工作日。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "review_reopen")
        from_status = report.status
        now = timezone.now()
        report.status = Status.IN_PROGRESS
        report.closed_at = None
        report.working_days_to_close = None
        report.public_feedback = ""
        report.rating = ""
        report.rating_comment = ""
        report.rated_at = None
        report.due_at = work_calendar().add_working_days(now, days)
        report.due_warning_sent_at = report.reminder_sent_at = report.escalated_at = None
        _decide(report, actor, ReviewOutcome.REOPENED)
        report.save()
        event = _event(
            report,
            kind=EventKind.REVIEW_REOPENED,
            actor=actor,
            department=office_department(),
            from_status=from_status,
            public_text=gettext("复核结论：重新办理。%(reply)s") % {"reply": reply},
        )
        _notify_department(
            event,
            report.lead_department,
            gettext("【清朗温州】举报 %(code)s 经复核需重新办理")
            % {"code": report.formatted_tracking_code},
            gettext("复核意见：%(reply)s\n新的办理期限：%(due)s")
            % {"reply": reply, "due": timezone.localtime(report.due_at).strftime("%Y-%m-%d")},
        )
        return report
