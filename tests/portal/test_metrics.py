"""/metrics: the operators' Prometheus sees the portal's health; nobody else sees the page."""

import os
import re
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from kombu import Exchange, Queue
from prometheus_client.parser import text_string_to_metric_families

from charity.models import LedgerProof
from rumors import services
from rumors.models import Department, DepartmentKind, Report, RoutingState, Status
from tests.portal.test_settings import SERVICE_VARS
from wenzhou_portal.districts import District
from wenzhou_portal.models import Notification, ScheduledJobRun

TOKEN = "metrics-token-for-the-tests-0123456789abcdef"
LATENCY = "django_http_requests_latency_seconds_by_view_method"


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.PROXY_COUNT = 0
    return settings


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return samples(response.content.decode())


def samples(page: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of a text exposition page."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }


def families(page_samples) -> set[str]:
    return {name for name, _labels in page_samples}


# --- Who may scrape ------------------------------------------------------------------------


def as_any_page(response, path: str) -> tuple:
    """The answer without what differs between any two pages: the path, the CSRF token."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return response.status_code, sorted(response.headers), body.replace(path, "<path>")


@pytest.mark.django_db
def test_without_the_token_the_page_is_the_sites_ordinary_404(client, metrics_settings):
    missing = as_any_page(client.get("/no-such-page"), "/no-such-page")
    for response in (
        client.get("/metrics"),
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token"),
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x"),
        client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}"),
        client.get("/metrics", HTTP_AUTHORIZATION=TOKEN),
        # A POST is 404 too, not 405: nothing tells an outsider the page exists.
        client.post("/metrics"),
    ):
        assert as_any_page(response, "/metrics") == missing


@pytest.mark.django_db
def test_with_no_token_configured_an_empty_bearer_opens_nothing(client, metrics_settings):
    metrics_settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer").status_code == 404


@pytest.mark.django_db
def test_the_bearer_of_the_token_scrapes(client, metrics_settings):
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"bearer  {TOKEN}").status_code == 200
    # Answered to the scraper alone: never cached on the way.
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_internal_address_scrapes_without_a_token(client, metrics_settings):
    metrics_settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.0.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00::7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::9").status_code == 404


@pytest.mark.django_db
def test_behind_the_proxy_the_client_counts_not_the_proxys_internal_address(
    client, metrics_settings
):
    """The proxy itself sits in the internal network; a citizen it forwards does not, and a
    forged X-Forwarded-For entry to the left of the proxy's own is ignored."""
    metrics_settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    metrics_settings.PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 404
    forged = "10.0.0.5, 203.0.113.9"
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 404
    # The scraper inside reaches the node directly, with no proxy entry at all.
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_short_token_or_a_wrong_network_refuses_to_start():
    from tests.portal.test_settings import run_python

    probe = "import django; django.setup()"
    short = run_python(probe, METRICS_TOKEN="short")
    assert short.returncode != 0
    assert "METRICS_TOKEN must be at least 32 characters" in short.stderr
    wrong = run_python(probe, METRICS_ALLOWED_NETWORKS="10.0.0.0/8,intranet")
    assert wrong.returncode != 0
    assert "'intranet' is not an address or network" in wrong.stderr


# --- What it says -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_latency_is_a_histogram_by_view(client, metrics_settings):
    before = scrape(client).get((f"{LATENCY}_count", (("method", "GET"), ("view", "home"))), 0)
    assert client.get("/").status_code == 200
    after = scrape(client)
    assert after[(f"{LATENCY}_count", (("method", "GET"), ("view", "home")))] == before + 1
    assert (f"{LATENCY}_bucket", (("le", "0.25"), ("method", "GET"), ("view", "home"))) in after


def department(name: str, district: str = "", *, is_active: bool = True) -> Department:
    kind = DepartmentKind.DISTRICT_OFFICE if district else DepartmentKind.SECTOR
    return Department.objects.create(name=name, kind=kind, district=district, is_active=is_active)


def report(**fields) -> Report:
    defaults = {
        "tracking_code": services.tracking_code_generate(),
        "category": "rumor",
        "platform": "wechat",
        "content": "有人在微信群里说鹿城区自来水被污染了，不能喝。",
        "place_description": "微信群",
        "status": Status.ROUTED,
        "routing_state": RoutingState.DONE,
    }
    return Report.objects.create(**(defaults | fields))


@pytest.mark.django_db
def test_the_portals_figures_are_read_at_scrape_time(client, metrics_settings, citizen):
    now = timezone.now()
    lucheng = department("鹿城区委网信办", District.LUCHENG)
    longwan = department("龙湾区委网信办", District.LONGWAN)
    closed_down = department("已撤销的工作组", is_active=False)
    department("停用且无逾期的部门", is_active=False)
    # Waiting for routing: two, the older for ten minutes.
    report(status=Status.RECEIVED, routing_state=RoutingState.PENDING)
    waiting = report(status=Status.RECEIVED, routing_state=RoutingState.PENDING)
    Report.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(minutes=10))
    # Overdue: two in Lucheng, one in a department since closed down; not overdue: one
    # still in time, one paused (waiting for the reporter), one closed after its deadline.
    report(lead_department=lucheng, due_at=now - timedelta(days=1))
    report(lead_department=lucheng, status=Status.IN_PROGRESS, due_at=now - timedelta(hours=1))
    report(lead_department=closed_down, due_at=now - timedelta(days=3))
    report(lead_department=longwan, due_at=now + timedelta(days=1))
    report(
        lead_department=longwan,
        status=Status.WAITING_REPORTER,
        due_at=now - timedelta(days=1),
        paused_at=now - timedelta(days=2),
    )
    report(lead_department=longwan, status=Status.RESOLVED, due_at=now - timedelta(days=1))
    # Notifications given up on: one e-mail, two text messages; others sent or pending.
    source = report(lead_department=longwan, status=Status.RESOLVED)
    for recipient, channel, state in (
        (citizen, "email", "failed"),
        (citizen, "sms", "failed"),
        (lucheng, "sms", "failed"),
        (longwan, "sms", "sent"),
        (longwan, "email", "pending"),
    ):
        notification(source, recipient, channel, state)
    # The nightly ledger proof found one figure off.
    proof = LedgerProof.objects.create(
        projects_checked=3, problems=[{"project": 1, "figure": "raised_fen"}]
    )

    page = scrape(client)

    assert page[("portal_reports_awaiting_routing", ())] == 2
    assert 600 <= page[("portal_reports_awaiting_routing_oldest_seconds", ())] < 660
    overdue = {
        labels[0][1]: value
        for (name, labels), value in page.items()
        if name == "portal_reports_overdue"
    }
    # Every active department, with 0 when none is overdue; a closed one only while it has.
    assert {name: overdue.pop(name) for name in ("鹿城区委网信办", "龙湾区委网信办")} == {
        "鹿城区委网信办": 2,
        "龙湾区委网信办": 0,
    }
    assert overdue.pop("已撤销的工作组") == 1
    assert "停用且无逾期的部门" not in overdue
    assert set(overdue.values()) <= {0}  # the office itself, when migrations created it
    assert page[("portal_notifications_failed", (("channel", "email"),))] == 1
    assert page[("portal_notifications_failed", (("channel", "sms"),))] == 2
    assert page[("portal_charity_ledger_proof_problems", ())] == 1
    assert page[("portal_charity_ledger_proof_timestamp_seconds", ())] == pytest.approx(
        proof.ran_at.timestamp()
    )


def notification(source, recipient, channel: str, state: str) -> Notification:
    return Notification.objects.create(
        channel=channel,
        state=state,
        sent_at=timezone.now() if state == "sent" else None,
        recipient_type=ContentType.objects.get_for_model(recipient),
        recipient_id=recipient.pk,
        recipient_label=str(recipient),
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        body="……",
    )


@pytest.mark.django_db
def test_with_nothing_yet_the_figures_are_zero_and_the_unknown_left_out(client, metrics_settings):
    page = scrape(client)
    assert page[("portal_reports_awaiting_routing", ())] == 0
    assert page[("portal_reports_awaiting_routing_oldest_seconds", ())] == 0
    assert page[("portal_notifications_failed", (("channel", "email"),))] == 0
    # No proof ran yet: no figure, rather than a made-up one.
    assert "portal_charity_ledger_proof_problems" not in families(page)


@pytest.mark.django_db
def test_each_scheduled_jobs_last_success_is_a_timestamp(client, metrics_settings):
    succeeded = timezone.now() - timedelta(minutes=3)
    ScheduledJobRun.objects.create(name="rumors-check-deadlines", last_succeeded_at=succeeded)
    ScheduledJobRun.objects.create(name="charity-prove-ledger", last_failed_at=timezone.now())
    page = scrape(client)
    job = "portal_scheduled_job_last_success_timestamp_seconds"
    last = {labels[0][1]: value for (name, labels), value in page.items() if name == job}
    assert set(last) == set(metrics_settings.CELERY_BEAT_SCHEDULE)
    assert last["rumors-check-deadlines"] == pytest.approx(succeeded.timestamp())
    # Never succeeded (failed, or never ran): 0, so "too long ago" alerts fire for it too.
    assert last["charity-prove-ledger"] == 0
    assert last["rumors-requeue-pending-routing"] == 0


@pytest.mark.django_db
def test_queue_lengths_are_read_from_the_redis_broker(client, metrics_settings, redis_url):
    import redis

    prefix = f"metrics-{time.monotonic_ns()}."
    names = [prefix + kind for kind in ("routing", "notifications", "housekeeping")]
    metrics_settings.CELERY_TASK_QUEUES = [
        Queue(name, Exchange(name), routing_key=name) for name in names
    ]
    broker = redis.Redis.from_url(redis_url)
    try:
        broker.rpush(names[1], *["{}"] * 3)
        broker.rpush(names[2], "{}")
        page = scrape(client)
    finally:
        broker.delete(*names)
        broker.close()
    lengths = {
        labels[0][1]: value
        for (name, labels), value in page.items()
        if name == "portal_celery_queue_length"
    }
    assert lengths == {names[0]: 0, names[1]: 3, names[2]: 1}


@pytest.mark.django_db
def test_without_a_redis_broker_queue_lengths_are_left_out(client, metrics_settings):
    from wenzhou_portal.celery import app

    if app.conf.broker_url.startswith("redis"):
        app_broker, app.conf.broker_url = app.conf.broker_url, "memory://localhost/"
    else:
        app_broker = None
    try:
        page = scrape(client)
    finally:
        if app_broker:
            app.conf.broker_url = app_broker
    assert "portal_celery_queue_length" not in families(page)


# --- Several gunicorn workers, one histogram ---------------------------------------------------


def test_every_gunicorn_worker_counts_in_the_one_histogram(tmp_path):
    """Two workers answer 40 requests between them; whichever answers a scrape reports all
    40 (prometheus_client's multiprocess mode, set up in gunicorn.conf.py)."""
    from tests.reliability.processes import gunicorn

    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARS}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    (tmp_path / "var").mkdir()
    env |= {"VAR_DIR": str(tmp_path / "var"), "METRICS_TOKEN": TOKEN, "CELERY_EAGER": "1"}

    def healthz_count(base: str) -> float:
        request = urllib.request.Request(  # noqa: S310  our own server
            base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            page = samples(response.read().decode())
        return page.get((f"{LATENCY}_count", (("method", "GET"), ("view", "healthz"))), 0)

    def healthz(base: str) -> int:
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:  # noqa: S310
            return response.status

    with gunicorn(env, tmp_path, workers=2, threads=1) as base:
        # The start-up probes asked /healthz too, some maybe answered late: wait until
        # the count stands still.
        before = healthz_count(base)
        for _ in range(20):
            time.sleep(0.3)
            if (now := healthz_count(base)) == before:
                break
            before = now
        else:
            pytest.fail("the count of /healthz answers never stood still")
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(healthz, [base] * 40)) == {200}
        answers = {healthz_count(base) for _ in range(6)}
    assert answers == {before + 40}
