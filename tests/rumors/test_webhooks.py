"""Signed webhooks against a local receiver the test starts: signature, retry, idempotency."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from rumors import services
from rumors.models import (
    EventKind,
    Report,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
)
from rumors.tasks import webhook_deliver

pytestmark = pytest.mark.django_db


class Receiver:
    """A department's system: records each POST and answers from a script of replies."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.replies: list[int] = []
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                time.sleep(receiver.delay)
                status = receiver.replies.pop(0) if receiver.replies else 200
                try:
                    self.send_response(status)
                    self.end_headers()
                except OSError:
                    pass  # the portal gave up waiting

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/qinglang"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    with Receiver() as running:
        yield running


@pytest.fixture
def lucheng_endpoint(lucheng_office, receiver):
    return WebhookEndpoint.objects.create(
        name="鹿城数治通",
        department=lucheng_office,
        url=receiver.url,
        secret=services.webhook_secret_generate(),
    )


def _signature_valid(secret: str, request: dict) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"]["X-Qinglang-Signature"])


def test_routing_a_report_sends_one_signed_post_to_the_departments_endpoint(
    submit, district_rules, lucheng_endpoint, receiver
):
    report = submit(contact_email="citizen@example.org", contact_consent=True)

    assert report.status == Status.ROUTED
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert _signature_valid(lucheng_endpoint.secret, request)
    assert request["headers"]["X-Qinglang-Delivery"] == str(delivery.delivery_id)
    assert request["headers"]["X-Qinglang-Event"] == EventKind.ROUTED
    assert request["headers"]["X-Qinglang-Timestamp"].isdigit()
    payload = json.loads(request["body"])
    assert payload["delivery_id"] == str(delivery.delivery_id)
    assert payload["event"] == EventKind.ROUTED
    assert payload["report"]["id"] == report.pk
    assert payload["report"]["status"] == Status.ROUTED
    assert payload["department"]["name"] == "鹿城区委网信办"
    # Nothing that identifies or reaches the citizen leaves the portal.
    assert report.tracking_code not in request["body"].decode()
    assert "citizen@example.org" not in request["body"].decode()


def test_a_tampered_body_fails_the_signature_check(
    submit, district_rules, lucheng_endpoint, receiver
):
    submit()
    request = dict(receiver.requests[0])
    request["body"] = request["body"].replace(b"routed", b"resolved")
    assert not _signature_valid(lucheng_endpoint.secret, request)
    assert not _signature_valid("another-secret", receiver.requests[0])


def test_each_status_change_is_told_and_internal_notes_are_not(
    submit,
    district_rules,
    lucheng_endpoint,
    receiver,
    lucheng_handler,
    django_capture_on_commit_callbacks,
):
    report = submit()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_note(report_id=report.pk, actor=lucheng_handler, text="先核实来源。")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(report_id=report.pk, actor=lucheng_handler)

    kinds = [r["headers"]["X-Qinglang-Event"] for r in receiver.requests]
    assert kinds == [EventKind.ROUTED, EventKind.ACCEPTED]


def test_other_departments_endpoints_hear_nothing(submit, district_rules, longwan_office, receiver):
    WebhookEndpoint.objects.create(
        name="龙湾", department=longwan_office, url=receiver.url, secret="s" * 64
    )
    submit()  # a Lucheng report
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_500_is_retried_with_backoff_and_delivered_once(
    submit, district_rules, lucheng_endpoint, receiver
):
    receiver.replies = [500]
    submit(route=False)
    report = Report.objects.get()
    services.report_route(report_id=report.pk)
    delivery = WebhookDelivery.objects.get()

    assert services.webhook_deliver(delivery_id=delivery.pk) == WebhookDelivery.State.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.last_error == "endpoint answered HTTP 500"
    assert delivery.next_retry_at is not None

    assert services.webhook_deliver(delivery_id=delivery.pk) == WebhookDelivery.State.DELIVERED
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (2, 200, "")
    assert delivery.delivered_at is not None
    # Both attempts carried the same delivery id and the same signed body.
    assert len(receiver.requests) == 2
    first, second = receiver.requests
    assert first["body"] == second["body"]
    assert first["headers"]["X-Qinglang-Delivery"] == second["headers"]["X-Qinglang-Delivery"]


def test_the_task_and_the_sweeper_retry_until_the_endpoint_answers(
    submit, district_rules, lucheng_endpoint, receiver
):
    receiver.replies = [500, 503]
    submit()  # the task's first attempt, run in-process after the commit
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (WebhookDelivery.State.PENDING, 1)

    assert services.webhooks_requeue() == 0  # not due yet: backoff
    WebhookDelivery.objects.update(next_retry_at=timezone.now())
    assert services.webhooks_requeue() == 1
    WebhookDelivery.objects.update(next_retry_at=timezone.now())
    assert services.webhooks_requeue() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (WebhookDelivery.State.DELIVERED, 3)
    assert len(receiver.requests) == 3
    assert services.webhooks_requeue() == 0


def test_an_endpoint_that_keeps_failing_is_marked_failed_after_the_last_attempt(
    submit, district_rules, lucheng_endpoint, receiver
):
    receiver.replies = [500] * 10
    submit(route=False)
    services.report_route(report_id=Report.objects.get().pk)
    delivery = WebhookDelivery.objects.get()
    states = [
        services.webhook_deliver(delivery_id=delivery.pk)
        for _attempt in range(services.webhooks.MAX_ATTEMPTS + 1)
    ]
    assert (
        states
        == [WebhookDelivery.State.PENDING] * (services.webhooks.MAX_ATTEMPTS - 1)
        + [WebhookDelivery.State.FAILED] * 2
    )
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempts == services.webhooks.MAX_ATTEMPTS
    assert delivery.next_retry_at is None
    assert len(receiver.requests) == services.webhooks.MAX_ATTEMPTS


def test_a_redelivered_task_does_not_post_twice(submit, district_rules, lucheng_endpoint, receiver):
    submit()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.DELIVERED

    assert webhook_deliver.apply(args=[delivery.pk]).get() == WebhookDelivery.State.DELIVERED
    assert services.webhook_deliver(delivery_id=delivery.pk) == WebhookDelivery.State.DELIVERED
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_step_recorded_again_records_no_second_delivery(
    submit, district_rules, lucheng_endpoint, receiver
):
    report = submit()
    assert services.report_route(report_id=report.pk) is False  # a second routing delivery
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_a_slow_endpoint_times_out_with_a_clear_error_and_delays_nobody(
    submit, district_rules, lucheng_endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_READ_TIMEOUT = 0.3
    receiver.delay = 1.0
    submit(route=False)
    report = Report.objects.get()

    # Routing commits and returns without waiting for the endpoint: the delivery is only
    # recorded, and its send is queued for after the commit.
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.report_route(report_id=report.pk)
    assert time.monotonic() - started < 0.3
    assert queued  # the webhook task, among others
    report.refresh_from_db()
    assert report.status == Status.ROUTED
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (WebhookDelivery.State.PENDING, 0)

    # The task's attempt: a clear answer in the log, nothing else changed.
    assert services.webhook_deliver(delivery_id=delivery.pk) == WebhookDelivery.State.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("timed out")
    assert delivery.next_retry_at is not None
    report.refresh_from_db()
    assert report.status == Status.ROUTED
    assert report.events.count() == 2  # submitted, routed


def test_an_http_endpoint_is_refused_unless_allowed(lucheng_office, settings):
    from django.core.exceptions import ValidationError

    settings.WEBHOOK_ALLOW_HTTP = False
    endpoint = WebhookEndpoint(
        name="x", department=lucheng_office, url="http://example.org/hook", secret="s" * 64
    )
    with pytest.raises(ValidationError, match="https"):
        endpoint.full_clean()
    endpoint.url = "https://example.org/hook"
    endpoint.full_clean()


def test_office_admin_creates_an_endpoint_and_sees_its_secret_once(
    client, office_admin, lucheng_office
):
    client.force_login(office_admin)
    response = client.post(
        "/admin/rumors/webhookendpoint/add/",
        {
            "name": "鹿城数治通",
            "department": lucheng_office.pk,
            "url": "https://cases.lucheng.example/hooks",
            "is_active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert len(endpoint.secret) == 64
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    change_page = client.get(f"/admin/rumors/webhookendpoint/{endpoint.pk}/change/")
    assert change_page.status_code == 200
    assert endpoint.secret not in change_page.content.decode()
