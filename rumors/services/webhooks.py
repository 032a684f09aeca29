"""Signed webhooks: record one delivery per (event, endpoint), send it from a task.

Recording happens in the event's own transaction, so a delivery exists exactly when its
step does; sending happens only in a Celery task after commit, so a slow or failing
endpoint never holds up the citizen or the handler whose step caused it.
"""

import hashlib
import hmac
import http.client
import json
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone

from wenzhou_portal.celery import enqueue, enqueue_on_commit

from ..models import ReportEvent, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("rumors.webhooks")

MAX_ATTEMPTS = 6
DELIVER_TASK = "rumors.tasks.webhook_deliver"
# Steps a department's system hears about: the report reaching a department, and every
# step that changes its status. Notes, contact views and reminders stay inside the portal.
ROUTING_KINDS = frozenset({"routed", "triaged", "assigned", "rerouted"})


def webhook_secret_generate() -> str:
    """A new endpoint secret: 256 random bits, hex."""
    return secrets.token_hex(32)


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The X-Qinglang-Signature header value: HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhooks_record(*, event: ReportEvent) -> list[WebhookDelivery]:
    """Record a delivery to each active endpoint of the department now holding the report.

    Called inside the step's transaction; each delivery is sent by its task after commit.
    """
    if event.kind not in ROUTING_KINDS and event.from_status == event.to_status:
        return []
    report = event.report
    if report.lead_department_id is None:
        return []
    endpoints = WebhookEndpoint.objects.filter(
        department_id=report.lead_department_id, is_active=True, department__is_active=True
    ).select_related("department")
    recorded = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event=event, event_kind=event.kind)
        delivery.body = _body(delivery, event, endpoint)
        delivery.save()
        enqueue_on_commit(DELIVER_TASK, delivery.pk)
        recorded.append(delivery)
    return recorded


def _body(delivery: WebhookDelivery, event: ReportEvent, endpoint: WebhookEndpoint) -> str:
    # Never the tracking code (it opens the citizen's private page) nor any contact.
    report = event.report
    payload = {
        "delivery_id": str(delivery.delivery_id),
        "event": event.kind,
        "occurred_at": event.created_at.isoformat(),
        "report": {
            "id": report.pk,
            "status": report.status,
            "from_status": event.from_status,
            "category": report.category,
            "district": report.district,
            "due_at": report.due_at.isoformat() if report.due_at else None,
        },
        "department": {"id": endpoint.department_id, "name": endpoint.department.name},
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def webhook_deliver(*, delivery_id: int) -> str:
    """Send one delivery once: claim it, POST the signed body, record the outcome.

    Returns the delivery's state afterwards: ``pending`` means "failed, try again later"
    (the task retries with backoff); after MAX_ATTEMPTS it is ``failed`` for good.
    """
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=WebhookDelivery.State.PENDING
    ).update(state=WebhookDelivery.State.SENDING, attempts=F("attempts") + 1)
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if not claimed:
        return delivery.state  # delivered, failed, or another worker is on it
    endpoint = delivery.endpoint
    status_code, error = None, ""
    if not endpoint.is_active:
        error = "endpoint deactivated"
    else:
        status_code, error = _post(endpoint, delivery)
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.DELIVERED,
            delivered_at=timezone.now(),
            last_status_code=status_code,
            last_error="",
            next_retry_at=None,
        )
        return WebhookDelivery.State.DELIVERED
    final = delivery.attempts >= MAX_ATTEMPTS or not endpoint.is_active
    state = WebhookDelivery.State.FAILED if final else WebhookDelivery.State.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=state,
        last_status_code=status_code,
        last_error=error[:300],
        next_retry_at=None if final else timezone.now() + retry_delay(delivery.attempts),
    )
    logger.warning(
        "webhook not delivered",
        extra={
            "delivery": str(delivery.delivery_id),
            "endpoint": endpoint.pk,
            "attempt": delivery.attempts,
            "status_code": status_code,
            "error": error[:300],
            "final": final,
        },
    )
    return state


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: 2, 4, 8, 16, 32 seconds."""
    return timedelta(seconds=2**attempts)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the body; (status code, "" when delivered or an error saying why not)."""
    parts = urlsplit(endpoint.url)
    if parts.scheme != "https" and not (parts.scheme == "http" and settings.WEBHOOK_ALLOW_HTTP):
        return None, "refused: endpoint URL is not https"
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "qinglang-wenzhou-webhook/1",
        "X-Qinglang-Delivery": str(delivery.delivery_id),
        "X-Qinglang-Event": delivery.event_kind,
        "X-Qinglang-Timestamp": str(int(timezone.now().timestamp())),
        "X-Qinglang-Signature": webhook_signature(secret=endpoint.secret, body=body),
    }
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    # http.client, not urllib: it never follows a redirect, and the connect and read
    # timeouts can differ.
    connection = connection_class(
        parts.hostname, parts.port, timeout=settings.WEBHOOK_CONNECT_TIMEOUT
    )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.connect()
        connection.sock.settimeout(settings.WEBHOOK_READ_TIMEOUT)
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)
    except TimeoutError:
        limits = f"{settings.WEBHOOK_CONNECT_TIMEOUT}s/{settings.WEBHOOK_READ_TIMEOUT}s"
        return None, f"timed out: no answer within the connect/read limits ({limits})"
    except (OSError, http.client.HTTPException) as exc:
        return None, f"connection failed: {exc!r}"
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status, ""
    return response.status, f"endpoint answered HTTP {response.status}"


def webhooks_requeue() -> int:
    """Queue again deliveries whose retry is due, and those whose publish was missed.

    The task's own retry normally does this; the sweeper covers a lost retry (a broker
    outage, a task run in-process) and a worker that died mid-send (that one delivery may
    then reach the receiver twice, with the same delivery id to de-duplicate on).
    """
    now = timezone.now()
    WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.SENDING, created_at__lt=now - timedelta(minutes=10)
    ).update(state=WebhookDelivery.State.PENDING)
    due = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).filter(
        models.Q(next_retry_at__lte=now)
        | models.Q(next_retry_at__isnull=True, created_at__lt=now - timedelta(minutes=1))
    )
    ids = list(due.order_by("created_at").values_list("pk", flat=True)[:500])
    return sum(enqueue(DELIVER_TASK, pk) for pk in ids)
