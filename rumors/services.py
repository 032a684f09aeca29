"""Every write of the report desk: submission, routing, the handling loop, deadlines."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal import images as evidence_files
from wenzhou_portal.audit import audit_record
from wenzhou_portal.celery import enqueue
from wenzhou_portal.roles import Role
from wenzhou_portal.sms import send_sms

from . import selectors
from .matching import url_normalise
from .models import (
    OPEN_STATUSES,
    Debunk,
    Department,
    DepartmentKind,
    EventKind,
    Evidence,
    Rating,
    RejectionReason,
    Report,
    ReportEvent,
    RoutingRule,
    RoutingState,
    Status,
)
from .selectors import is_office_admin, report_by_tracking_code, user_department_ids
from .workdays import work_calendar

logger = logging.getLogger("rumors")

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_CODE_LENGTH = 16


class TransitionError(ValidationError):
    """A handling step that makes no sense in the report's current state."""


# --- Tracking codes ------------------------------------------------------------------


def tracking_code_generate() -> str:
    """16 Crockford base32 characters from 80 bits of a cryptographic random source."""
    value = int.from_bytes(secrets.token_bytes(10), "big")
    chars = []
    for _i in range(TRACKING_CODE_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(CROCKFORD[digit])
    return "".join(reversed(chars))


def tracking_code_normalise(raw: str) -> str | None:
    """Accept a code as a citizen types it (lower case, dashes, O for 0); None if malformed."""
    cleaned = "".join(raw.split()).replace("-", "").upper()
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) != TRACKING_CODE_LENGTH or any(c not in CROCKFORD for c in cleaned):
        return None
    return cleaned


# --- Events and notifications --------------------------------------------------------


def _event(
    report: Report,
    *,
    kind: EventKind,
    actor=None,
    department: Department | None = None,
    from_status: str = "",
    public_text: str = "",
    internal_text: str = "",
) -> ReportEvent:
    event = ReportEvent.objects.create(
        report=report,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        department=department,
        from_status=from_status,
        to_status=report.status,
        public_text=public_text,
        internal_text=internal_text,
        due_at=report.due_at,
    )
    if public_text and report.contact_consent and (report.contact_email or report.contact_phone):
        from .tasks import notify_reporter

        transaction.on_commit(lambda: enqueue(notify_reporter, event.pk))
    return event


def report_event_notify(*, event_id: int) -> None:
    """Tell the reporter about one step with public text, by email and/or text message."""
    event = ReportEvent.objects.select_related("report").get(pk=event_id)
    report = event.report
    if not report.contact_consent or report.contact_erased_at:
        return
    subject = gettext("【清朗温州】您的举报 %(code)s 有新进展") % {
        "code": report.formatted_tracking_code
    }
    body = gettext(
        "您好！您的举报（查询码 %(code)s）当前状态：%(status)s。\n\n%(text)s\n\n"
        "您可以在清朗温州网站“我要举报—查询进度”输入查询码查看全部记录。"
    ) % {
        "code": report.formatted_tracking_code,
        "status": report.public_status.label,
        "text": event.public_text,
    }
    if report.contact_email:
        send_mail(subject, body, None, [report.contact_email])
    if report.contact_phone:
        send_sms(
            report.contact_phone,
            gettext("【清朗温州】您的举报%(code)s：%(text)s")
            % {"code": report.formatted_tracking_code, "text": event.public_text[:60]},
        )


def _notify_department(department: Department | None, subject: str, body: str) -> None:
    recipients = []
    if department is not None:
        recipients = [department.email] if department.email else []
        recipients += list(
            department.members.filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, sorted(set(recipients))))


def _office_admin_emails() -> list[str]:
    users = get_user_model().objects.filter(
        Q(groups__name=Role.OFFICE_ADMIN) | Q(is_superuser=True), is_active=True
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


# --- Submission ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    category: str
    platform: str
    content: str
    url: str = ""
    account: str = ""
    place_description: str = ""
    seen_at: datetime | None = None
    district: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_consent: bool = False


def report_submit(
    *,
    data: ReportInput,
    images: list[evidence_files.DecodedImage] | tuple = (),
    reporter=None,
    queue_routing: bool = True,
) -> Report:
    """Save a citizen's report with its evidence and queue routing after commit.

    With queue_routing=False the report waits for the beat sweeper, as after a broker
    outage (used for imports and demo data).
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            report = _create_with_unique_code(data, reporter)
            for image in images:
                stored.extend(_store_evidence(report, image))
            _event(
                report,
                kind=EventKind.SUBMITTED,
                public_text=gettext("我们已收到您的举报，将尽快分办处理。"),
            )
    except Exception:
        for path in stored:
            evidence_files.delete_private(path)
        raise
    if queue_routing:
        from .tasks import route_report

        transaction.on_commit(lambda: enqueue(route_report, report.pk))
    return report


def _create_with_unique_code(data: ReportInput, reporter) -> Report:
    observer = bool(reporter is not None and getattr(reporter, "is_citizen_observer", False))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Report.objects.create(
                    tracking_code=tracking_code_generate(),
                    category=data.category,
                    platform=data.platform,
                    url=data.url,
                    normalized_url=url_normalise(data.url),
                    account=data.account,
                    place_description=data.place_description,
                    content=data.content,
                    seen_at=data.seen_at,
                    district=data.district,
                    contact_phone=data.contact_phone if data.contact_consent else "",
                    contact_email=data.contact_email if data.contact_consent else "",
                    contact_consent=data.contact_consent,
                    reporter=reporter if getattr(reporter, "pk", None) else None,
                    priority=settings.OBSERVER_PRIORITY if observer else 0,
                )
        except IntegrityError:
            # 80 random bits make a clash astronomically rare; try a fresh code.
            continue
    raise RuntimeError("could not allocate a unique tracking code")


def _store_evidence(report: Report, image: evidence_files.DecodedImage) -> list[str]:
    redacted = evidence_files.redacted_copy(image)
    original_path = evidence_files.store_private(image.data, extension=image.format.lower())
    redacted_path = evidence_files.store_private(redacted.data, extension=redacted.extension)
    Evidence.objects.create(
        report=report,
        original_path=original_path,
        original_sha256=image.sha256,
        original_format=image.format,
        original_size=len(image.data),
        redacted_path=redacted_path,
        redacted_content_type=redacted.content_type,
        width=image.width,
        height=image.height,
    )
    return [original_path, redacted_path]


# --- Routing -------------------------------------------------------------------------


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
    from .tasks import route_report

    ids = list(
        Report.objects.filter(routing_state=RoutingState.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(enqueue(route_report, pk) for pk in ids)


# --- The handling loop ---------------------------------------------------------------

# Which internal states each action may start from. Anything else is refused.
ALLOWED_FROM = {
    "assign": {Status.RECEIVED, Status.TRIAGE},
    "accept": {Status.ROUTED},
    "send_back": {Status.ROUTED, Status.IN_PROGRESS, Status.WAITING_REPORTER},
    "pause": {Status.IN_PROGRESS},
    "resume": {Status.WAITING_REPORTER},
    "resolve": {Status.ROUTED, Status.IN_PROGRESS, Status.WAITING_REPORTER},
    "reject": set(OPEN_STATUSES),
    "merge": set(OPEN_STATUSES),
    "reclassify": set(OPEN_STATUSES),
    "unlink_duplicate": set(Status),
    "link_debunk": set(OPEN_STATUSES),
}
OFFICE_ONLY = {"assign", "merge", "reclassify", "unlink_duplicate"}
ACTION_LABELS = {
    "assign": _("人工分办"),
    "accept": _("开始处置"),
    "send_back": _("退回网信办"),
    "pause": _("等待举报人补充"),
    "resume": _("恢复办理"),
    "resolve": _("办结反馈"),
    "reject": _("不予受理"),
    "merge": _("合并"),
    "reclassify": _("更正类别或地区"),
    "unlink_duplicate": _("撤销重复关联"),
    "link_debunk": _("关联辟谣"),
    "note": _("内部批注"),
}


def actions_allowed(*, user, report: Report) -> list[str]:
    """The actions this user may take on this report now (for buttons and the API)."""
    return [
        action
        for action in ACTION_LABELS
        if action_permitted(user=user, report=report, action=action)
        and (action == "note" or report.status in ALLOWED_FROM[action])
    ]


def action_permitted(*, user, report: Report, action: str) -> bool:
    """May this user take this action on this report at all (whatever its state)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    if is_office_admin(user):
        return True
    departments = user_department_ids(user)
    if action == "note":
        return report.lead_department_id in departments or bool(
            departments & set(report.co_handlers.values_list("pk", flat=True))
        )
    return action not in OFFICE_ONLY and report.lead_department_id in departments


def _lock_for(user, report_id: int, action: str) -> Report:
    report = Report.objects.select_for_update().get(pk=report_id)
    if not action_permitted(user=user, report=report, action=action):
        raise PermissionDenied(gettext("您无权对该举报执行此操作。"))
    if action != "note" and report.status not in ALLOWED_FROM[action]:
        raise TransitionError(
            gettext("举报当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": report.get_status_display(), "action": ACTION_LABELS[action]},
            code="invalid_transition",
        )
    return report


def _actor_department(user, report: Report) -> Department | None:
    if report.lead_department_id in user_department_ids(user):
        return report.lead_department
    return office_department() if is_office_admin(user) else None


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


def report_note(*, report_id: int, actor, text: str) -> ReportEvent:
    """An internal annotation by the lead, a co-handler or the office; never public."""
    if not text.strip():
        raise ValidationError({"internal_text": gettext("请填写批注内容。")})
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


def report_send_back(*, report_id: int, actor, reason: str) -> Report:
    """The lead department returns a report to the office for re-routing."""
    if not reason.strip():
        raise ValidationError({"internal_text": gettext("请说明退回原因。")})
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


def report_assign(*, report_id: int, actor, department: Department, working_days: int) -> Report:
    """The office routes a report from its triage queue by hand."""
    if working_days < 1:
        raise ValidationError({"working_days": gettext("办理时限至少为 1 个工作日。")})
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


def report_pause(*, report_id: int, actor, request_text: str) -> Report:
    """Ask the reporter for more information; the deadline clock stops meanwhile."""
    if not request_text.strip():
        raise ValidationError({"public_text": gettext("请写明需要举报人补充什么。")})
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


def _unpause(report: Report) -> None:
    if report.paused_at is None:
        return
    calendar = work_calendar()
    waited = calendar.working_days_between(report.paused_at, timezone.now())
    if report.due_at is not None and waited:
        report.due_at = calendar.add_working_days(report.due_at, waited)
    report.paused_at = None


def report_resolve(*, report_id: int, actor, feedback: str, internal_text: str = "") -> Report:
    """Close a report with the public feedback the citizen reads."""
    if not feedback.strip():
        raise ValidationError({"public_text": gettext("请填写给举报人的反馈。")})
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
        _tell_merged(report, actor)
        return report


def report_reject(
    *, report_id: int, actor, reason: str, text: str, redirect_to: str = ""
) -> Report:
    """Decline a report, naming the reason, who decided, and where else to go."""
    if reason not in RejectionReason.values:
        raise ValidationError({"reason": gettext("请选择不予受理的原因。")})
    if not text.strip():
        raise ValidationError({"public_text": gettext("请向举报人说明不予受理的理由。")})
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
        _tell_merged(report, actor)
        return report


def report_merge(*, report_id: int, actor, primary_id: int, text: str = "") -> Report:
    """Fold a report into an earlier one of the same thing; it follows that one's outcome."""
    with transaction.atomic():
        report = _lock_for(actor, report_id, "merge")
        primary = Report.objects.select_for_update().get(pk=primary_id)
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


def _tell_merged(primary: Report, actor) -> None:
    for merged in primary.merged_reports.all():
        _event(
            merged,
            kind=EventKind.NOTE,
            actor=actor,
            from_status=merged.status,
            public_text=gettext("与您的举报合并办理的事项已有结果：%(feedback)s")
            % {"feedback": primary.public_feedback},
        )


def report_reclassify(
    *, report_id: int, actor, category: str, district: str, why: str = ""
) -> Report:
    """Correct a report's category or district; it is re-routed at once."""
    with transaction.atomic():
        report = _lock_for(actor, report_id, "reclassify")
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
        _event(
            report,
            kind=EventKind.CONTACT_VIEWED,
            actor=actor,
            from_status=report.status,
            internal_text=gettext("查看了举报人联系方式。"),
        )
        return {"phone": report.contact_phone, "email": report.contact_email}


def report_rate(*, report: Report, rating: str, comment: str = "") -> Report:
    """The reporter rates a resolved report, once."""
    if rating not in Rating.values:
        raise ValidationError({"rating": gettext("请选择满意、基本满意或不满意。")})
    if len(comment) > 500:
        raise ValidationError({"comment": gettext("评价意见不能超过 500 字。")})
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, status=Status.RESOLVED, rating="").update(
            rating=rating, rating_comment=comment.strip(), rated_at=timezone.now()
        )
        if not updated:
            raise TransitionError(
                gettext("该举报现在不能评价，或已经评价过了。"), code="cannot_rate"
            )
        report.refresh_from_db()
        _event(
            report,
            kind=EventKind.RATED,
            from_status=report.status,
            internal_text=f"{report.get_rating_display()} {report.rating_comment}".strip(),
        )
        return report


def report_act(*, user, report: Report, data: dict) -> Report:
    """Dispatch one handling action from a form to its service (shared by admin and API)."""
    action = data["action"]
    public_text = data.get("public_text") or ""
    internal_text = data.get("internal_text") or ""
    if action == "accept":
        return report_accept(report_id=report.pk, actor=user)
    if action == "note":
        report_note(report_id=report.pk, actor=user, text=internal_text)
        return report
    if action == "send_back":
        return report_send_back(report_id=report.pk, actor=user, reason=internal_text)
    if action == "pause":
        return report_pause(report_id=report.pk, actor=user, request_text=public_text)
    if action == "resume":
        return report_resume(report_id=report.pk, actor=user, text=internal_text)
    if action == "resolve":
        return report_resolve(
            report_id=report.pk, actor=user, feedback=public_text, internal_text=internal_text
        )
    if action == "reject":
        return report_reject(
            report_id=report.pk,
            actor=user,
            reason=data.get("reason") or "",
            text=public_text,
            redirect_to=data.get("redirect_to") or "",
        )
    if action == "assign":
        department = data.get("department")
        if department is None:
            raise ValidationError({"department": gettext("请选择分办部门。")})
        return report_assign(
            report_id=report.pk,
            actor=user,
            department=department,
            working_days=data.get("working_days") or 5,
        )
    if action == "merge":
        primary = report_by_tracking_code(tracking_code_normalise(data.get("primary_code") or ""))
        if primary is None:
            raise ValidationError({"primary_code": gettext("没有找到该查询码对应的举报。")})
        return report_merge(
            report_id=report.pk, actor=user, primary_id=primary.pk, text=internal_text
        )
    if action == "unlink_duplicate":
        return report_unlink_duplicate(report_id=report.pk, actor=user)
    if action == "link_debunk":
        debunk = data.get("debunk")
        if debunk is None:
            raise ValidationError({"debunk": gettext("请选择要关联的辟谣。")})
        return report_link_debunk(report_id=report.pk, actor=user, debunk_id=debunk.pk)
    if action == "reclassify":
        return report_reclassify(
            report_id=report.pk,
            actor=user,
            category=data.get("category") or report.category,
            district=data.get("district") or "",
            why=internal_text,
        )
    raise ValidationError({"action": gettext("未知的操作。")})


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


# --- Debunks -------------------------------------------------------------------------


def report_link_debunk(*, report_id: int, actor, debunk_id: int) -> Report:
    """Attach a report to a debunk; if the debunk is already out, the report closes with it."""
    with transaction.atomic():
        report = _lock_for(actor, report_id, "link_debunk")
        debunk = Debunk.objects.get(pk=debunk_id)
        if debunk.is_withdrawn:
            raise TransitionError(
                gettext("辟谣《%(title)s》已撤回，不能再用来答复举报。") % {"title": debunk.title},
                code="withdrawn",
            )
        report.debunk = debunk
        report.save(update_fields=["debunk", "updated_at"])
        _event(
            report,
            kind=EventKind.NOTE,
            actor=actor,
            from_status=report.status,
            internal_text=gettext("关联辟谣《%(title)s》。") % {"title": debunk.title},
        )
        if debunk.is_published:
            _resolve_with_debunk(report, debunk, actor=actor)
        return report


def debunk_url(debunk: Debunk) -> str:
    return settings.SITE_URL + debunk.get_absolute_url()


def _resolve_with_debunk(report: Report, debunk: Debunk, *, actor=None) -> None:
    from_status = report.status
    _close(report, Status.RESOLVED)
    report.debunk = debunk
    report.public_feedback = gettext(
        "%(authority)s已就您举报的内容发布辟谣《%(title)s》（结论：%(verdict)s）：%(url)s"
    ) % {
        "authority": debunk.authority.name,
        "title": debunk.title,
        "verdict": debunk.get_verdict_display(),
        "url": debunk_url(debunk),
    }
    report.save()
    _event(
        report,
        kind=EventKind.RESOLVED,
        actor=actor,
        department=debunk.authority,
        from_status=from_status,
        public_text=report.public_feedback,
    )
    _tell_merged(report, actor)


def debunk_publish(*, debunk_id: int, actor) -> Debunk:
    """Publish a debunk; its linked reports are closed with a link to it by a task."""
    if not actor.has_perm("rumors.publish_debunk"):
        raise PermissionDenied(gettext("只有网信办可以发布辟谣。"))
    with transaction.atomic():
        debunk = Debunk.objects.select_for_update().get(pk=debunk_id)
        if debunk.is_withdrawn:
            raise TransitionError(gettext("已撤回的辟谣不能再次发布。"), code="withdrawn")
        if not debunk.is_published:
            debunk.is_published = True
            debunk.published_at = debunk.published_at or timezone.now()
            debunk.save(update_fields=["is_published", "published_at", "updated_at"])
        from .tasks import close_reports_for_debunk

        transaction.on_commit(lambda: enqueue(close_reports_for_debunk, debunk.pk))
        return debunk


def debunk_close_linked_reports(*, debunk_id: int) -> int:
    """Close every open report linked to a published debunk; a re-run changes nothing."""
    debunk = Debunk.objects.select_related("authority").get(pk=debunk_id)
    if not debunk.is_published or debunk.is_withdrawn:
        return 0
    closed = 0
    open_ids = Report.objects.filter(
        debunk=debunk, status__in=OPEN_STATUSES - {Status.MERGED}
    ).values_list("pk", flat=True)
    for report_id in list(open_ids):
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            if report.status not in OPEN_STATUSES:
                continue  # closed meanwhile by staff or an earlier run
            _resolve_with_debunk(report, debunk)
            closed += 1
    return closed


def debunk_correct(*, debunk_id: int, actor, note: str) -> Debunk:
    """Correct a published debunk; every reporter whose report it closed is told again."""
    if not actor.has_perm("rumors.publish_debunk"):
        raise PermissionDenied(gettext("只有网信办可以更正辟谣。"))
    if not note.strip():
        raise ValidationError({"correction_note": gettext("请写明更正的内容。")})
    with transaction.atomic():
        debunk = Debunk.objects.select_for_update().get(pk=debunk_id)
        if not debunk.is_published:
            raise TransitionError(gettext("尚未发布的辟谣直接修改即可，无需更正。"), code="draft")
        if debunk.is_withdrawn:
            raise TransitionError(gettext("已撤回的辟谣不能更正。"), code="withdrawn")
        debunk.corrected_at = timezone.now()
        debunk.correction_note = note.strip()
        debunk.save(update_fields=["corrected_at", "correction_note", "updated_at"])
        from .tasks import tell_reporters_of_correction

        transaction.on_commit(lambda: enqueue(tell_reporters_of_correction, debunk.pk))
        return debunk


def debunk_tell_reporters_of_correction(*, debunk_id: int) -> int:
    """One public event (and email) per report the corrected debunk closed."""
    debunk = Debunk.objects.get(pk=debunk_id)
    # The marker makes a second delivery of the task tell nobody twice.
    marker = f"debunk-correction:{debunk.pk}:{debunk.corrected_at.isoformat()}"
    told = 0
    reports = Report.objects.filter(debunk=debunk, status=Status.RESOLVED).exclude(
        events__internal_text=marker
    )
    for report in reports:
        with transaction.atomic():
            _event(
                report,
                kind=EventKind.NOTE,
                department=debunk.authority,
                from_status=report.status,
                public_text=gettext("辟谣《%(title)s》已于 %(date)s 更正：%(note)s %(url)s")
                % {
                    "title": debunk.title,
                    "date": timezone.localtime(debunk.corrected_at).strftime("%Y-%m-%d"),
                    "note": debunk.correction_note,
                    "url": debunk_url(debunk),
                },
                internal_text=marker,
            )
        told += 1
    return told


WITHDRAWAL_REASON_MAX_LENGTH = 1000


def debunk_withdraw(
    *, debunk_id: int, actor, reason: str, request: HttpRequest | None = None
) -> Debunk:
    """Withdraw a published debunk (撤回) with a reason; it is never deleted.

    It leaves the public pages and feeds, its address answers "withdrawn", the label feed
    carries a tombstone, linked reports keep the link and their reporters are told.
    """
    if not actor.has_perm("rumors.publish_debunk"):
        raise PermissionDenied(gettext("只有网信办可以撤回辟谣。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"withdrawal_reason": gettext("请写明撤回的理由。")})
    if len(reason) > WITHDRAWAL_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "withdrawal_reason": gettext("撤回理由不能超过 %(limit)d 字。")
                % {"limit": WITHDRAWAL_REASON_MAX_LENGTH}
            }
        )
    with transaction.atomic():
        debunk = Debunk.objects.select_for_update().get(pk=debunk_id)
        if not debunk.is_published:
            raise TransitionError(
                gettext("尚未发布的辟谣无需撤回，可以直接修改或删除。"), code="draft"
            )
        if debunk.is_withdrawn:
            raise TransitionError(
                gettext("该辟谣已于 %(date)s 撤回。")
                % {"date": timezone.localtime(debunk.withdrawn_at).strftime("%Y-%m-%d %H:%M")},
                code="withdrawn",
            )
        debunk.withdrawn_at = timezone.now()
        debunk.withdrawal_reason = reason
        debunk.withdrawn_by = actor
        debunk.save(
            update_fields=["withdrawn_at", "withdrawal_reason", "withdrawn_by", "updated_at"]
        )
        audit_record(
            action="debunk_withdrawn",
            actor=actor,
            target=f"debunk:{debunk.pk} {debunk.slug}",
            request=request,
            detail={
                "debunk_id": debunk.pk,
                "slug": debunk.slug,
                "title": debunk.title,
                "reason": reason,
                "linked_reports": debunk.reports.count(),
            },
        )
        from .tasks import tell_reporters_of_withdrawal

        transaction.on_commit(lambda: enqueue(tell_reporters_of_withdrawal, debunk.pk))
        return debunk


def debunk_tell_reporters_of_withdrawal(*, debunk_id: int) -> int:
    """One public event (and message) per report linked to the withdrawn debunk."""
    debunk = Debunk.objects.select_related("authority").get(pk=debunk_id)
    if not debunk.is_withdrawn:
        return 0
    # The marker makes a second delivery of the task tell nobody twice.
    marker = f"debunk-withdrawal:{debunk.pk}"
    told = 0
    for report_id in list(
        Report.objects.filter(debunk=debunk)
        .exclude(events__internal_text=marker)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            if report.events.filter(internal_text=marker).exists():
                continue  # told meanwhile by a concurrent delivery
            _event(
                report,
                kind=EventKind.NOTE,
                department=debunk.authority,
                from_status=report.status,
                public_text=gettext(
                    "答复您举报的辟谣《%(title)s》已于 %(date)s 撤回。撤回理由：%(reason)s"
                )
                % {
                    "title": debunk.title,
                    "date": timezone.localtime(debunk.withdrawn_at).strftime("%Y-%m-%d"),
                    "reason": debunk.withdrawal_reason,
                },
                internal_text=marker,
            )
        told += 1
    return told


# --- Deadlines and retention (beat) --------------------------------------------------


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
        if _claim(report, "due_warning_sent_at", now):
            _deadline_event(report, EventKind.DUE_WARNING, gettext("距办理期限不足一天。"))
            counts["warned"] += 1

    for report in running.filter(due_at__lte=now, reminder_sent_at__isnull=True):
        if _claim(report, "reminder_sent_at", now):
            _deadline_event(report, EventKind.REMINDER, gettext("已超过办理期限，请尽快办理。"))
            counts["reminded"] += 1

    calendar = work_calendar()
    after = settings.REPORT_ESCALATE_AFTER_WORKING_DAYS
    for report in running.filter(due_at__lte=now, escalated_at__isnull=True):
        if calendar.working_days_between(report.due_at, now) < after:
            continue
        if _claim(report, "escalated_at", now):
            _deadline_event(
                report,
                EventKind.ESCALATED,
                gettext("超期 %(days)s 个工作日仍未办结，已上报网信办。") % {"days": after},
                escalate=True,
            )
            counts["escalated"] += 1
    return counts


def _claim(report: Report, field: str, now: datetime) -> bool:
    return bool(
        Report.objects.filter(pk=report.pk, **{f"{field}__isnull": True}).update(**{field: now})
    )


def _deadline_event(report: Report, kind: EventKind, text: str, *, escalate: bool = False) -> None:
    with transaction.atomic():
        _event(
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
        _notify_department(report.lead_department, subject, body)
        if escalate:
            emails = _office_admin_emails()
            if emails:
                transaction.on_commit(lambda: send_mail(subject, body, None, emails))


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
