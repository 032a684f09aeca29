"""Notifications as records: who was told what, through which channel, and when.

An app calls ``notify`` with the record that caused the message (a report event, say),
the recipients and the channels; each (recipient, channel) becomes one ``Notification``
row, sent by its own task after the transaction commits. A recipient is any object with
``notification_address(channel) -> str`` (a report's consenting reporter, a staff member,
a department's mailbox); "" means it cannot be told that way and the row is skipped.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from .celery import enqueue, enqueue_on_commit
from .models import Notification
from .sms import send_sms

logger = logging.getLogger("wenzhou_portal.notifications")

MAX_ATTEMPTS = 5
SEND_TASK = "wenzhou_portal.tasks.notification_send"


def notify(
    *,
    source,
    recipients: Iterable,
    channels: Iterable[str],
    subject: str,
    body: str,
    sms_text: str = "",
) -> list[Notification]:
    """Record one notification per recipient and channel; each is sent after commit.

    Recording the same (source, recipient, channel) twice records it once: a task that
    runs again, or a service that is called again, never tells anyone twice.
    """
    source_type = ContentType.objects.get_for_model(source)
    created = []
    for recipient in recipients:
        recipient_type = ContentType.objects.get_for_model(recipient)
        for channel in channels:
            notification, is_new = Notification.objects.get_or_create(
                source_type=source_type,
                source_id=source.pk,
                recipient_type=recipient_type,
                recipient_id=recipient.pk,
                channel=channel,
                defaults={
                    "recipient_label": _label(recipient),
                    "subject": subject[:200],
                    "body": sms_text if channel == Notification.Channel.SMS and sms_text else body,
                },
            )
            if is_new:
                enqueue_on_commit(SEND_TASK, notification.pk)
                created.append(notification)
    return created


def _label(recipient) -> str:
    label = getattr(recipient, "notification_label", None)
    return str(label() if callable(label) else recipient)[:200]


def notification_send(*, notification_id: int) -> str:
    """Send one notification once: claim it, read the address, send, record the outcome.

    Raises when sending fails, after putting the row back to pending, so that the task
    retries with backoff; after MAX_ATTEMPTS it is marked failed.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING
    ).update(state=Notification.State.SENDING, attempts=F("attempts") + 1)
    notification = Notification.objects.get(pk=notification_id)
    if not claimed:
        return notification.state  # sent, skipped, failed, or another delivery is on it
    recipient = notification.recipient
    address = recipient.notification_address(notification.channel) if recipient else ""
    if not address:
        _finish(notification, Notification.State.SKIPPED)
        return Notification.State.SKIPPED
    try:
        if notification.channel == Notification.Channel.EMAIL:
            send_mail(notification.subject, notification.body, None, [address])
        else:
            send_sms(address, notification.body)
    except Exception as exc:
        final = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.FAILED if final else Notification.State.PENDING,
            last_error=repr(exc)[:200],
        )
        logger.warning(
            "notification not sent",
            extra={"notification": notification.pk, "attempt": notification.attempts},
        )
        if final:
            return Notification.State.FAILED
        raise
    _finish(notification, Notification.State.SENT)
    return Notification.State.SENT


def _finish(notification: Notification, state: str) -> None:
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            state=state,
            sent_at=timezone.now() if state == Notification.State.SENT else None,
            last_error="",
        )


def notifications_requeue(*, older_than: timedelta | None = None) -> int:
    """Re-queue notifications left pending (a missed publish) or stuck sending (a worker
    died mid-send: that one message may then go out twice, never be lost)."""
    older_than = older_than or timedelta(seconds=settings.NOTIFICATION_REQUEUE_SECONDS)
    cutoff = timezone.now() - older_than
    Notification.objects.filter(
        state=Notification.State.SENDING, created_at__lt=cutoff - timedelta(minutes=10)
    ).update(state=Notification.State.PENDING)
    ids = list(
        Notification.objects.filter(state=Notification.State.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    return sum(enqueue(SEND_TASK, pk) for pk in ids)


def notifications_about(source_model, source_ids: Iterable[int]) -> QuerySet[Notification]:
    """The notifications caused by these records (for staff: who was told, how, when)."""
    return Notification.objects.filter(
        source_type=ContentType.objects.get_for_model(source_model), source_id__in=source_ids
    ).order_by("created_at", "pk")
