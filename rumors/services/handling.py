"""The handling loop (受理→分办→处置→反馈): each step one service, one transaction, one event."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record
from wenzhou_portal.districts import District

from ..models import (
    HANDLING_STATUSES,
    Category,
    Department,
    EventKind,
    RejectionReason,
    Report,
    ReportEvent,
    RoutingState,
    Status,
)
from ..selectors import is_office_admin, report_by_tracking_code, user_department_ids
from ..workdays import work_calendar
from .events import TransitionError, _event
from .intake import tracking_code_normalise
from .policy import _actor_department, _lock_for, performs
from .routing import _apply_routing, office_department


@performs("accept")
def report_accept(*, report_id: int, actor) -> Report:
    """The lead department starts handling a routed report."""
    with transaction.atomic():
        report = _lock_for(actor, report_id, "accept")
        from_status = report.status
        report.status = Status.IN_PROGRESS
        _stamp_first_response(report, timezone.now())
        report.save(
            update_fields=[
                "status",
                "first_response_at",
                "working_days_to_first_response",
                "updated_at",
            ]
        )
        _event(
            report,
            kind=EventKind.ACCEPTED,
            actor=actor,
            department=_actor_department(actor, report),
            from_status=from_status,
            public_text=gettext("%(department)s已开始处置您的举报。")
            % {"department": report.lead_department.name},
        )
        return report


@performs("note")
def report_note(*, report_id: int, actor, text: str = "") -> ReportEvent:
    """An internal annotation by the lead, a co-handler or the office; never public."""
    if not text.strip():
        raise ValidationError({"text": gettext("请填写批注内容。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "note")
        department = _actor_department(actor, report)
        if department is None:
            department = report.co_handlers.filter(pk__in=user_department_ids(actor)).first()
        return _event(
            report,
            kind=EventKind.NOTE,
            actor=actor,
            department=department,
            from_status=report.status,
            internal_text=text.strip(),
        )


@performs("send_back")
def report_send_back(*, report_id: int, actor, reason: str = "") -> Report:
    """The lead department returns a report to the office for re-routing."""
    if not reason.strip():
        raise ValidationError({"reason": gettext("请说明退回原因。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "send_back")
        from_status, department = report.status, report.lead_department
        report.status = Status.TRIAGE
        report.lead_department = office_department()
        report.due_at = None
        report.paused_at = None
        report.save()
        report.co_handlers.clear()
        _event(
            report,
            kind=EventKind.SENT_BACK,
            actor=actor,
            department=department,
            from_status=from_status,
            internal_text=reason.strip(),
            public_text=gettext("您的举报正在由网信办重新分办。"),
        )
        return report


@performs("assign")
def report_assign(
    *, report_id: int, actor, department_id: int | None = None, working_days: int = 5
) -> Report:
    """The office routes a report from its triage queue by hand."""
    department = _active_department(department_id)
    if not isinstance(working_days, int) or not 1 <= working_days <= 90:
        raise ValidationError({"working_days": gettext("办理时限为 1 至 90 个工作日。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "assign")
        from_status = report.status
        report.status = Status.ROUTED
        report.routing_state = RoutingState.DONE
        report.lead_department = department
        report.routed_at = timezone.now()
        report.due_at = work_calendar().add_working_days(report.routed_at, working_days)
        report.due_warning_sent_at = report.reminder_sent_at = report.escalated_at = None
        report.save()
        _event(
            report,
            kind=EventKind.ASSIGNED,
            actor=actor,
            department=department,
            from_status=from_status,
            public_text=gettext("您的举报已转交%(department)s办理。")
            % {"department": department.name},
        )
        return report


@performs("pause")
def report_pause(*, report_id: int, actor, request_text: str = "") -> Report:
    """Ask the reporter for more information; the deadline clock stops meanwhile."""
    if not request_text.strip():
        raise ValidationError({"request_text": gettext("请写明需要举报人补充什么。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "pause")
        from_status = report.status
        report.status = Status.WAITING_REPORTER
        report.paused_at = timezone.now()
        report.save(update_fields=["status", "paused_at", "updated_at"])
        _event(
            report,
            kind=EventKind.PAUSED,
            actor=actor,
            department=_actor_department(actor, report),
            from_status=from_status,
            public_text=request_text.strip(),
        )
        return report


@performs("resume")
def report_resume(*, report_id: int, actor, text: str = "") -> Report:
    """Restart the clock; the deadline moves by the working days spent waiting."""
    with transaction.atomic():
        report = _lock_for(actor, report_id, "resume")
        from_status = report.status
        _unpause(report)
        report.status = Status.IN_PROGRESS
        report.save(update_fields=["status", "paused_at", "due_at", "updated_at"])
        _event(
            report,
            kind=EventKind.RESUMED,
            actor=actor,
            department=_actor_department(actor, report),
            from_status=from_status,
            internal_text=text.strip(),
        )
        return report


def _active_department(department_id) -> Department:
    department = None
    if department_id not in (None, ""):
        try:
            department = Department.objects.filter(pk=int(department_id), is_active=True).first()
        except (TypeError, ValueError):
            department = None
    if department is None:
        raise ValidationError({"department_id": gettext("请选择分办部门。")})
    return department


def _unpause(report: Report) -> None:
    if report.paused_at is None:
        return
    calendar = work_calendar()
    waited = calendar.working_days_between(report.paused_at, timezone.now())
    if report.due_at is not None and waited:
        report.due_at = calendar.add_working_days(report.due_at, waited)
    report.paused_at = None


@performs("resolve")
def report_resolve(*, report_id: int, actor, feedback: str = "", internal_text: str = "") -> Report:
    """Close a report with the public feedback the citizen reads."""
    if not feedback.strip():
        raise ValidationError({"feedback": gettext("请填写给举报人的反馈。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "resolve")
        from_status = report.status
        _unpause(report)
        _close(report, Status.RESOLVED)
        report.public_feedback = feedback.strip()
        report.save()
        _event(
            report,
            kind=EventKind.RESOLVED,
            actor=actor,
            department=_actor_department(actor, report),
            from_status=from_status,
            public_text=report.public_feedback,
            internal_text=internal_text.strip(),
        )
        _answer_cluster(report, actor)
        return report


@performs("reject")
def report_reject(
    *, report_id: int, actor, reason: str = "", text: str = "", redirect_to: str = ""
) -> Report:
    """Decline a report, naming the reason, who decided, and where else to go."""
    if reason not in RejectionReason.values:
        raise ValidationError({"reason": gettext("请选择不予受理的原因。")})
    if not text.strip():
        raise ValidationError({"text": gettext("请向举报人说明不予受理的理由。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "reject")
        from_status = report.status
        department = _actor_department(actor, report)
        _unpause(report)
        _close(report, Status.REJECTED)
        report.rejection_reason = reason
        parts = [
            gettext("%(department)s决定不予受理：%(reason)s。")
            % {
                "department": department.name if department else gettext("网信办"),
                "reason": RejectionReason(reason).label,
            },
            text.strip(),
        ]
        if redirect_to.strip():
            parts.append(
                gettext("您可以向以下渠道反映：%(where)s") % {"where": redirect_to.strip()}
            )
        report.public_feedback = "\n".join(parts)
        report.save()
        _event(
            report,
            kind=EventKind.REJECTED,
            actor=actor,
            department=department,
            from_status=from_status,
            public_text=report.public_feedback,
        )
        _answer_cluster(report, actor)
        return report


@performs("merge")
def report_merge(*, report_id: int, actor, primary_code: str = "", text: str = "") -> Report:
    """Fold a report into an earlier one of the same thing; it follows that one's outcome."""
    found = report_by_tracking_code(tracking_code_normalise(primary_code))
    if found is None:
        raise ValidationError({"primary_code": gettext("没有找到该查询码对应的举报。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "merge")
        primary = Report.objects.select_for_update().get(pk=found.pk)
        while primary.merged_into_id is not None:
            primary = Report.objects.select_for_update().get(pk=primary.merged_into_id)
        if primary.pk == report.pk:
            raise TransitionError(gettext("不能把举报合并到它自己。"), code="merge_into_self")
        from_status = report.status
        _close(report, Status.MERGED)
        report.merged_into = primary
        report.save()
        Report.objects.filter(merged_into=report).update(merged_into=primary)
        _event(
            report,
            kind=EventKind.MERGED,
            actor=actor,
            department=office_department(),
            from_status=from_status,
            public_text=gettext(
                "您举报的内容与其他举报属于同一事项，已合并办理，处理结果将同步反馈。"
            ),
            internal_text=text.strip()
            or gettext("合并到 %(code)s") % {"code": primary.formatted_tracking_code},
        )
        return report


def _stamp_first_response(report: Report, now: datetime, calendar=None) -> None:
    if report.first_response_at is None:
        report.first_response_at = now
        report.working_days_to_first_response = (calendar or work_calendar()).working_days_between(
            report.created_at, now
        )


def _close(report: Report, status: Status) -> None:
    now = timezone.now()
    report.status = status
    report.closed_at = now
    calendar = work_calendar()  # one load of the holiday table for both durations
    report.working_days_to_close = calendar.working_days_between(report.created_at, now)
    _stamp_first_response(report, now, calendar)
    report.paused_at = None


def _answer_cluster(primary: Report, actor) -> int:
    """Give a closed primary's outcome to its whole cluster, each report told once.

    Merged reports (already closed) get a note with the outcome; open reports linked to
    the primary as duplicates are closed with the same outcome, each with its own event
    and notice. Returns how many duplicates were closed.
    """
    closing = primary.events.filter(to_status=primary.status).order_by("-pk").first()
    once = f"cluster-answer:{closing.pk if closing else primary.pk}"
    for merged in primary.merged_reports.all():
        _event(
            merged,
            kind=EventKind.NOTE,
            actor=actor,
            from_status=merged.status,
            public_text=gettext("与您的举报合并办理的事项已有结果：%(feedback)s")
            % {"feedback": primary.public_feedback},
        )
    members = (
        Report.objects.select_for_update()
        .filter(duplicate_of=primary, status__in=HANDLING_STATUSES)
        .exclude(pk=primary.pk)
        .order_by("pk")
    )
    kind = EventKind.REJECTED if primary.status == Status.REJECTED else EventKind.RESOLVED
    closed = 0
    for member in members:
        from_status = member.status
        _unpause(member)
        _close(member, Status(primary.status))
        member.public_feedback = primary.public_feedback
        member.rejection_reason = primary.rejection_reason
        member.debunk_id = primary.debunk_id
        member.save()
        _event(
            member,
            kind=kind,
            actor=actor,
            department=primary.lead_department,
            from_status=from_status,
            public_text=member.public_feedback,
            internal_text=gettext("与 %(code)s 属于同一事项，随其一并答复。")
            % {"code": primary.formatted_tracking_code},
            once_key=once,
        )
        closed += 1
    return closed


@performs("reclassify")
def report_reclassify(
    *, report_id: int, actor, category: str = "", district: str = "", why: str = ""
) -> Report:
    """Correct a report's category or district; it is re-routed at once."""
    if category and category not in Category.values:
        raise ValidationError({"category": gettext("请选择有效的类别。")})
    if district and district not in District.values:
        raise ValidationError({"district": gettext("请选择有效的县（市、区）。")})
    with transaction.atomic():
        report = _lock_for(actor, report_id, "reclassify")
        category = category or report.category
        changes = []
        if category != report.category:
            changes.append(
                gettext("类别由“%(old)s”更正为“%(new)s”")
                % {
                    "old": report.get_category_display(),
                    "new": _label(Report, "category", category),
                }
            )
        if district != report.district:
            changes.append(
                gettext("地区由“%(old)s”更正为“%(new)s”")
                % {
                    "old": report.get_district_display() or gettext("未填写"),
                    "new": _label(Report, "district", district) or gettext("未填写"),
                }
            )
        if not changes:
            raise ValidationError({"category": gettext("类别和地区都没有变化。")})
        report.category, report.district = category, district
        report.save(update_fields=["category", "district", "updated_at"])
        reason = "；".join(changes) + (f"。{why.strip()}" if why.strip() else "")
        _event(
            report,
            kind=EventKind.RECLASSIFIED,
            actor=actor,
            from_status=report.status,
            internal_text=reason,
        )
        _apply_routing(
            report,
            kind=EventKind.REROUTED,
            actor=actor,
            why=gettext("因%(reason)s，自动重新分办。") % {"reason": reason},
        )
        return report


def _label(model, field: str, value: str) -> str:
    return str(dict(model._meta.get_field(field).choices).get(value, value)) if value else ""


def report_contact_view(*, report_id: int, actor) -> dict[str, str]:
    """Show the reporter's contact to an office admin, and record that it was seen."""
    if not is_office_admin(actor):
        raise PermissionDenied(gettext("只有网信办管理员可以查看举报人联系方式。"))
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        audit_record(
            action="rumors.report_contact_viewed",
            actor=actor,
            target=f"rumors.report:{report.pk}",
        )
        _event(
            report,
            kind=EventKind.CONTACT_VIEWED,
            actor=actor,
            from_status=report.status,
            internal_text=gettext("查看了举报人联系方式。"),
        )
        return {"phone": report.contact_phone, "email": report.contact_email}


@performs("unlink_duplicate")
def report_unlink_duplicate(*, report_id: int, actor) -> Report:
    """Undo an automatic (or manual) duplicate link; the report stands on its own again."""
    with transaction.atomic():
        report = _lock_for(actor, report_id, "unlink_duplicate")
        if report.duplicate_of_id is None:
            raise TransitionError(gettext("该举报没有关联的重复举报。"), code="not_linked")
        primary = report.duplicate_of
        report.duplicate_of = None
        report.save(update_fields=["duplicate_of", "updated_at"])
        _event(
            report,
            kind=EventKind.NOTE,
            actor=actor,
            from_status=report.status,
            internal_text=gettext("撤销了与 %(code)s 的重复关联。")
            % {"code": primary.formatted_tracking_code},
        )
        return report
