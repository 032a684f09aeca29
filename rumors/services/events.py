"""Report events: every step is one ReportEvent; a step with public text tells the reporter."""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from wenzhou_portal.celery import enqueue_on_commit
from wenzhou_portal.roles import Role
from wenzhou_portal.sms import send_sms

from ..models import (
    Department,
    EventKind,
    Report,
    ReportEvent,
)

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
        enqueue_on_commit("rumors.tasks.notify_reporter", event.pk)
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
