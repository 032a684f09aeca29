"""Thin Celery tasks: take ids, call one service. Each is safe to deliver twice."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def route_pending(batch_size: int | None = None) -> int:
    """The batch router's doorbell (debounced by intake): route every pending report."""
    return services.reports_route_pending(
        batch_size=batch_size or settings.REPORT_ROUTING_BATCH_SIZE
    )


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def route_report(report_id: int) -> bool:
    # Messages queued one per report before routing was batched still route their report.
    return services.report_route(report_id=report_id)


@shared_task
def requeue_pending_routing() -> int:
    """The beat sweeper: routes what no doorbell reached (a broker or Redis outage)."""
    return services.reports_route_pending(batch_size=settings.REPORT_ROUTING_BATCH_SIZE)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_reporter(event_id: int) -> None:
    services.report_event_notify(event_id=event_id)


@shared_task
def check_deadlines() -> dict[str, int]:
    return services.deadlines_check()


@shared_task
def erase_expired_contacts() -> int:
    return services.contacts_erase_expired()


@shared_task
def clear_duplicate_window() -> int:
    """Daily: reports a day past the duplicate window leave the text probe's index."""
    return services.reports_duplicate_window_clear()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def close_reports_for_debunk(debunk_id: int) -> int:
    return services.debunk_close_linked_reports(debunk_id=debunk_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def tell_reporters_of_correction(debunk_id: int) -> int:
    return services.debunk_tell_reporters_of_correction(debunk_id=debunk_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def tell_reporters_of_withdrawal(debunk_id: int) -> int:
    return services.debunk_tell_reporters_of_withdrawal(debunk_id=debunk_id)


@shared_task(bind=True, acks_late=True, max_retries=services.webhooks.MAX_ATTEMPTS - 1)
def webhook_deliver(self, delivery_id: int) -> str:
    state = services.webhook_deliver(delivery_id=delivery_id)
    if state == "pending":  # failed this time; the service recorded why and when next
        raise self.retry(countdown=2 ** (self.request.retries + 1))
    return state


@shared_task
def webhooks_requeue() -> int:
    return services.webhooks_requeue()
