"""Routing: the most specific rule names the lead department; pending reports are routed
in batches, each exactly once.

Intake leaves a report pending and rings one debounced doorbell (``routing_kick``): a
burst of a thousand reports sends about one message a second, not a thousand. The task
behind it, and the beat sweeper, call ``reports_route_pending``, which claims pending
reports with ``SELECT … FOR UPDATE SKIP LOCKED`` (two routers never take the same row),
routes a whole batch with the rules, the office and the calendar loaded once, and writes
the reports, their events and their co-handlers in bulk, in the batch's transaction: a
worker that dies mid-batch rolls it back and leaves its reports pending for the next.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.celery import enqueue_debounced

from .. import selectors
from ..models import (
    Department,
    DepartmentKind,
    EventKind,
    Report,
    ReportEvent,
    RoutingRule,
    RoutingState,
    Status,
)
from ..workdays import WorkCalendar, work_calendar
from .events import _events_record

ROUTE_PENDING_TASK = "rumors.tasks.route_pending"
# One doorbell a second at most, across every web process (a Redis key; a process-local
# one while Redis is out). The task runs after the window, so it also finds every report
# whose doorbell the window swallowed.
KICK_DEBOUNCE_SECONDS = 1.0
DEFAULT_BATCH_SIZE = 200
DUPLICATE_WINDOW_CLEAR_BATCH = 5000


def office_department() -> Department:
    """The office itself, whose triage queue takes whatever no rule matches."""
    department, _created = Department.objects.get_or_create(
        kind=DepartmentKind.OFFICE, defaults={"name": "温州市委网信办"}
    )
    return department


def _active_rules() -> list[RoutingRule]:
    active_co_handlers = Department.objects.filter(is_active=True).order_by("pk")
    return list(
        RoutingRule.objects.filter(is_active=True, lead_department__is_active=True)
        .select_related("lead_department")
        .prefetch_related(Prefetch("co_handlers", queryset=active_co_handlers))
    )


def _best_rule(
    rules: list[RoutingRule], *, category: str, platform: str, district: str
) -> RoutingRule | None:
    """The most specific of ``rules`` matching these facts; ties prefer category, then district."""
    matching = (
        rule
        for rule in rules
        if rule.category in ("", category)
        and rule.platform in ("", platform)
        and rule.district in ("", district)
    )
    return max(
        matching,
        key=lambda rule: (rule.specificity, bool(rule.category), bool(rule.district), -rule.pk),
        default=None,
    )


def rule_match(*, category: str, platform: str, district: str) -> RoutingRule | None:
    """The most specific active rule for these facts; ties prefer category, then district."""
    return _best_rule(_active_rules(), category=category, platform=platform, district=district)


def routing_kick() -> bool:
    """Ask for a routing run soon (after commit); at most one message per debounce window.

    False when the doorbell was already rung in this window or the broker refused it; the
    report waits for the run already asked for, or for the sweeper.
    """
    return enqueue_debounced(
        ROUTE_PENDING_TASK, key="rumors:routing-kick", seconds=KICK_DEBOUNCE_SECONDS
    )


def routing_kick_on_commit() -> None:
    transaction.on_commit(routing_kick)


@dataclass
class _RoutingContext:
    """What routing reads once per run: the rules, the office, the calendar; and the
    time of the batch being routed."""

    rules: list[RoutingRule]
    office: Department
    calendar: WorkCalendar
    now: datetime

    @classmethod
    def load(cls) -> "_RoutingContext":
        return cls(_active_rules(), office_department(), work_calendar(), timezone.now())


def reports_route_pending(*, batch_size: int = DEFAULT_BATCH_SIZE, limit: int | None = None) -> int:
    """Route pending reports, oldest first, batch after batch until none is left (or
    ``limit`` were routed); returns how many this call routed.

    Each batch is one transaction that claims its rows with SKIP LOCKED, so routers
    running side by side share the work and never route a report twice.
    """
    # Read once per call, before any row is claimed (the office is created, the first
    # time, in a transaction of its own: never while holding claimed rows).
    context = _RoutingContext.load()
    routed = 0
    while limit is None or routed < limit:
        size = batch_size if limit is None else min(batch_size, limit - routed)
        with transaction.atomic():
            claimed = list(
                Report.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
                .filter(routing_state=RoutingState.PENDING)
                .order_by("created_at", "pk")[:size]
            )
            if claimed:
                context.now = timezone.now()
                _route_batch(claimed, context)
        routed += len(claimed)
        if len(claimed) < size:
            break
    return routed


def report_route(*, report_id: int) -> bool:
    """Route one pending report; a second delivery of the same task changes nothing."""
    context = _RoutingContext.load()
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(no_key=True, of=("self",))
            .filter(pk=report_id, routing_state=RoutingState.PENDING)
            .first()
        )
        if report is None:
            return False
        context.now = timezone.now()
        _route_batch([report], context)
        return True


def _route_batch(reports: list[Report], context: "_RoutingContext") -> None:
    """Route claimed (locked) reports: fields, co-handlers, links and events in bulk."""
    events: list[ReportEvent] = []
    co_handler_rows = []
    CoHandler = Report.co_handlers.through
    for report in reports:
        events.append(_routed(report, context))
        rule = report.routing_rule
        if rule is not None:
            co_handler_rows += [
                CoHandler(report_id=report.pk, department_id=department.pk)
                for department in rule.co_handlers.all()
            ]
    events += _link_duplicates(reports)
    _save_routed(reports, context)
    # A pending report has no co-handlers yet; cleared anyway, as a full routing does.
    CoHandler.objects.filter(report_id__in=[report.pk for report in reports]).delete()
    CoHandler.objects.bulk_create(co_handler_rows)
    _events_record(events)


def _save_routed(reports: list[Report], context: "_RoutingContext") -> None:
    """Save the batch's routing: one UPDATE per rule applied (the reports a rule routes
    share every routed field), and the duplicate links in one more."""
    by_outcome: dict[tuple, list[int]] = {}
    for report in reports:
        outcome = (report.status, report.lead_department_id, report.routing_rule_id, report.due_at)
        by_outcome.setdefault(outcome, []).append(report.pk)
    for (status, lead_department_id, routing_rule_id, due_at), ids in by_outcome.items():
        Report.objects.filter(pk__in=ids).update(
            routing_state=RoutingState.DONE,
            routed_at=context.now,
            updated_at=context.now,
            routing_rule_id=routing_rule_id,
            status=status,
            lead_department_id=lead_department_id,
            due_at=due_at,
            due_warning_sent_at=None,
            reminder_sent_at=None,
            escalated_at=None,
        )
    linked = [report for report in reports if report.duplicate_of_id is not None]
    if linked:
        Report.objects.bulk_update(linked, ["duplicate_of"])


def _routed(
    report: Report,
    context: _RoutingContext,
    *,
    kind: EventKind = EventKind.ROUTED,
    actor=None,
    why: str = "",
) -> ReportEvent:
    """Set a report's routing fields (unsaved); its ROUTED or TRIAGED event (unsaved).

    ``kind``, ``actor`` and ``why`` are a correction's (``_apply_routing``): the step it
    records and who asked, and why, in place of the rule's own wording.
    """
    from_status = report.status
    rule = _best_rule(
        context.rules,
        category=report.category,
        platform=report.platform,
        district=report.district,
    )
    report.routing_state = RoutingState.DONE
    report.routed_at = report.updated_at = context.now
    report.routing_rule = rule
    report.due_warning_sent_at = report.reminder_sent_at = report.escalated_at = None
    if rule is None:
        report.status = Status.TRIAGE
        report.lead_department = context.office
        report.due_at = None
        return _unsaved_event(
            report,
            kind=EventKind.TRIAGED if kind == EventKind.ROUTED else kind,
            actor=actor,
            department=context.office,
            from_status=from_status,
            public_text=gettext("您的举报已受理，正在由网信办人工分办。"),
            internal_text=why or gettext("没有匹配的分办规则，转入网信办人工分办队列。"),
        )
    report.status = Status.ROUTED
    report.lead_department = rule.lead_department
    report.due_at = context.calendar.add_working_days(context.now, rule.working_days)
    return _unsaved_event(
        report,
        kind=kind,
        actor=actor,
        department=rule.lead_department,
        from_status=from_status,
        public_text=gettext("您的举报已转交%(department)s办理。")
        % {"department": rule.lead_department.name},
        internal_text=why or gettext("按分办规则：%(rule)s") % {"rule": rule},
    )


def _unsaved_event(report: Report, *, actor=None, **fields) -> ReportEvent:
    # The fields _event gives a step, for _events_record to save in bulk.
    return ReportEvent(
        report=report,
        actor=actor if getattr(actor, "pk", None) else None,
        to_status=report.status,
        due_at=report.due_at,
        **fields,
    )


def _link_duplicates(reports: list[Report]) -> list[ReportEvent]:
    """Link each report to an earlier one of the same thing when the match is strong;
    a NOTE event (unsaved) per link. Reports earlier in the batch count as earlier."""
    threshold = settings.DUPLICATE_AUTO_THRESHOLD
    selectors.trigram_threshold_set(threshold)  # once for the batch's transaction
    strongest = selectors.reports_duplicate_strongest(reports, threshold=threshold)
    loaded = selectors.reports_ancestry(match.report for match in strongest.values())
    linked: dict[int, Report] = {}
    notes = []
    for report in reports:
        best = strongest.get(report.pk)
        if best is None or best.score < threshold:
            continue
        primary = selectors.report_cluster_root(best.report, parents=linked, loaded=loaded)
        if primary.pk == report.pk:
            continue
        report.duplicate_of = linked[report.pk] = primary
        notes.append(
            _unsaved_event(
                report,
                kind=EventKind.NOTE,
                from_status=report.status,
                internal_text=gettext("自动识别为 %(code)s 的重复举报（%(reason)s），可撤销。")
                % {"code": primary.formatted_tracking_code, "reason": best.reason},
            )
        )
    return notes


def _apply_routing(report: Report, *, kind: EventKind, actor=None, why: str = "") -> None:
    """Route one report again (a correction): the same rules, one event saying why."""
    context = _RoutingContext.load()
    event = _routed(report, context, kind=kind, actor=actor, why=why)
    report.save()
    rule = report.routing_rule
    report.co_handlers.set(rule.co_handlers.all() if rule is not None else [])
    _events_record([event])


def reports_duplicate_window_clear(
    *, now: datetime | None = None, batch_size: int = DUPLICATE_WINDOW_CLEAR_BATCH
) -> int:
    """Take the reports a day past the duplicate window out of the partial trigram index
    the routing text probe searches; returns how many.

    An index flag, not a step of handling: no event, ``updated_at`` untouched. Batches
    oldest first through the small partial index of the flagged reports, each UPDATE its
    own short transaction; a run that comes late leaves the index bigger, never wrong,
    and a second run finds nothing left.
    """
    cutoff = selectors.duplicate_window_flag_cutoff(now or timezone.now())
    flagged = Report.objects.filter(in_duplicate_window=True, created_at__lt=cutoff)
    cleared = 0
    while ids := list(flagged.order_by("created_at").values_list("pk", flat=True)[:batch_size]):
        cleared += Report.objects.filter(pk__in=ids, in_duplicate_window=True).update(
            in_duplicate_window=False
        )
    return cleared
