"""Routing: the most specific rule names the lead department; a task routes a report once."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.celery import enqueue

from .. import selectors
from ..models import (
    Department,
    DepartmentKind,
    EventKind,
    Report,
    RoutingRule,
    RoutingState,
    Status,
)
from ..workdays import work_calendar
from .events import _event


def office_department() -> Department:
    """The office itself, whose triage queue takes whatever no rule matches."""
    department, _created = Department.objects.get_or_create(
        kind=DepartmentKind.OFFICE, defaults={"name": "温州市委网信办"}
    )
    return department


def rule_match(*, category: str, platform: str, district: str) -> RoutingRule | None:
    """The most specific active rule for these facts; ties prefer category, then district."""
    candidates = (
        RoutingRule.objects.filter(is_active=True, lead_department__is_active=True)
        .filter(Q(category=category) | Q(category=""))
        .filter(Q(platform=platform) | Q(platform=""))
        .filter(Q(district=district) | Q(district=""))
        .select_related("lead_department")
    )
    return max(
        candidates,
        key=lambda rule: (rule.specificity, bool(rule.category), bool(rule.district), -rule.pk),
        default=None,
    )


def report_route(*, report_id: int) -> bool:
    """Route a pending report once; a second delivery of the same task changes nothing."""
    with transaction.atomic():
        claimed = Report.objects.filter(pk=report_id, routing_state=RoutingState.PENDING).update(
            routing_state=RoutingState.DONE
        )
        if not claimed:
            return False
        report = Report.objects.select_for_update().get(pk=report_id)
        _apply_routing(report, kind=EventKind.ROUTED)
        _link_duplicate(report)
        return True


def _link_duplicate(report: Report) -> None:
    """Link a new report to an earlier one of the same thing when the match is strong."""
    best = next(iter(selectors.report_duplicate_candidates(report, limit=1)), None)
    if best is None or best.score < settings.DUPLICATE_AUTO_THRESHOLD:
        return
    primary = selectors.report_cluster_root(best.report)
    report.duplicate_of = primary
    report.save(update_fields=["duplicate_of", "updated_at"])
    _event(
        report,
        kind=EventKind.NOTE,
        from_status=report.status,
        internal_text=gettext("自动识别为 %(code)s 的重复举报（%(reason)s），可撤销。")
        % {"code": primary.formatted_tracking_code, "reason": best.reason},
    )


def _apply_routing(report: Report, *, kind: EventKind, actor=None, why: str = "") -> None:
    from_status = report.status
    rule = rule_match(category=report.category, platform=report.platform, district=report.district)
    now = timezone.now()
    report.routing_state = RoutingState.DONE
    report.routed_at = now
    report.routing_rule = rule
    report.due_warning_sent_at = report.reminder_sent_at = report.escalated_at = None
    if rule is None:
        report.status = Status.TRIAGE
        report.lead_department = office_department()
        report.due_at = None
        report.co_handlers.clear()
        report.save()
        _event(
            report,
            kind=EventKind.TRIAGED if kind == EventKind.ROUTED else kind,
            actor=actor,
            department=report.lead_department,
            from_status=from_status,
            public_text=gettext("您的举报已受理，正在由网信办人工分办。"),
            internal_text=why or gettext("没有匹配的分办规则，转入网信办人工分办队列。"),
        )
        return
    report.status = Status.ROUTED
    report.lead_department = rule.lead_department
    report.due_at = work_calendar().add_working_days(now, rule.working_days)
    report.save()
    report.co_handlers.set(rule.co_handlers.filter(is_active=True))
    _event(
        report,
        kind=kind,
        actor=actor,
        department=rule.lead_department,
        from_status=from_status,
        public_text=gettext("您的举报已转交%(department)s办理。")
        % {"department": rule.lead_department.name},
        internal_text=why or gettext("按分办规则：%(rule)s") % {"rule": rule},
    )


def reports_requeue_pending(*, older_than_seconds: int, batch: int) -> int:
    """Queue routing again for reports whose doorbell was missed; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)

    ids = list(
        Report.objects.filter(routing_state=RoutingState.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(enqueue("rumors.tasks.route_report", pk) for pk in ids)
