"""Report events: every step is one ReportEvent; a step with public text tells the reporter."""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext

from wenzhou_portal.models import Notification
from wenzhou_portal.notifications import notify
from wenzhou_portal.roles import Role

from ..models import (
    DeadlineDigest,
    Department,
    EventKind,
    Report,
    ReportEvent,
    WebhookEndpoint,
)
from .links import report_private_url
from .webhooks import ROUTING_KINDS, webhooks_record

logger = logging.getLogger("rumors")


class TransitionError(ValidationError):
    """A handling step that makes no sense in the report's current state."""


def _event(
    report: Report,
    *,
    kind: EventKind,
    actor=None,
    department: Department | None = None,
    from_status: str = "",
    public_text: str = "",
    internal_text: str = "",
    once_key: str = "",
) -> ReportEvent:
    """Record one step; a step with public text is also recorded as a message to the
    reporter (sent after commit), when they consented to be told.

    With ``once_key`` the step is recorded at most once per report (a unique constraint):
    a second attempt raises IntegrityError, which the caller treats as "already told".
    """
    event = ReportEvent.objects.create(
        once_key=once_key,
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
    if public_text:
        _tell_reporter(event)
    webhooks_record(event=event)
    return event


def _events_record(events: list[ReportEvent]) -> list[ReportEvent]:
    """Record many steps (unsaved ReportEvents, as ``_event`` would build them) in one
    insert, with what ``_event`` does for each: the reporter told of a step with public
    text, and a webhook delivery recorded for each active endpoint of the department."""
    created = ReportEvent.objects.bulk_create(events)
    heard = {
        event.report.lead_department_id
        for event in created
        if event.kind in ROUTING_KINDS or event.from_status != event.to_status
    } - {None}
    # One query says which departments listen at all; most steps then cost nothing more.
    listening = set(
        WebhookEndpoint.objects.filter(
            department_id__in=heard, is_active=True, department__is_active=True
        ).values_list("department_id", flat=True)
        if heard
        else ()
    )
    for event in created:
        if event.public_text:
            _tell_reporter(event)  # nothing to do (no query) unless the reporter consented
        if event.report.lead_department_id in listening:
            webhooks_record(event=event)
    return created


def _tell_reporter(event: ReportEvent) -> None:
    report = event.report
    channels = report.notification_channels()
    if not channels:
        return
    code = report.formatted_tracking_code
    notify(
        source=event,
        recipients=[report],
        channels=channels,
        subject=gettext("【清朗温州】您的举报 %(code)s 有新进展") % {"code": code},
        body=gettext(
            "您好！您的举报（查询码 %(code)s）当前状态：%(status)s。\n\n%(text)s\n\n"
            "查看全部记录：%(url)s\n（这是您的专属查询链接，请勿转发给他人。）"
        )
        % {
            "code": code,
            "status": report.public_status.label,
            "text": event.public_text,
            "url": report_private_url(report),
        },
        sms_text=gettext("【清朗温州】您的举报%(code)s：%(text)s")
        % {"code": code, "text": event.public_text[:60]},
    )


def report_event_notify(*, event_id: int) -> None:
    """Record the reporter's messages for one step (idempotent: recorded ones are kept).

    Kept for tasks queued before messages became records; new steps record their
    messages in their own transaction.
    """
    event = ReportEvent.objects.select_related("report").get(pk=event_id)
    if event.public_text:
        _tell_reporter(event)


def _notify_department(
    event: "ReportEvent | DeadlineDigest", department: Department | None, subject: str, body: str
) -> None:
    """Tell a department about a step (or a run's digest of steps): its mailbox and each
    active member, by e-mail; ``event`` is the notification's source."""
    if department is None:
        return
    notify(
        source=event,
        recipients=[department, *department.members.filter(is_active=True)],
        channels=[Notification.Channel.EMAIL],
        subject=subject,
        body=body,
    )


def _notify_office_admins(event: "ReportEvent | DeadlineDigest", subject: str, body: str) -> None:
    users = (
        get_user_model()
        .objects.filter(Q(groups__name=Role.OFFICE_ADMIN) | Q(is_superuser=True), is_active=True)
        .distinct()
    )
    notify(
        source=event,
        recipients=list(users),
        channels=[Notification.Channel.EMAIL],
        subject=subject,
        body=body,
    )
