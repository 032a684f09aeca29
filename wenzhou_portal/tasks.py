"""Thin tasks of the shared package: sending one notification, re-queueing missed ones."""

from celery import shared_task

from . import held_uploads, notifications


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notification_send(notification_id: int) -> str:
    return notifications.notification_send(notification_id=notification_id)


@shared_task
def notifications_requeue() -> int:
    return notifications.notifications_requeue()


@shared_task
def held_uploads_expire() -> int:
    return held_uploads.held_expired_delete()
