"""Routing in batches: intake rings one debounced doorbell, the router claims pending reports
with SKIP LOCKED and routes each exactly once, with its events written in bulk."""

import threading
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from rumors import services
from rumors.models import (
    EventKind,
    Report,
    ReportEvent,
    RoutingRule,
    RoutingState,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
)
from rumors.services import routing
from tests.rumors.conftest import report_input
from tests.support import require_service
from wenzhou_portal import celery as portal_celery
from wenzhou_portal.districts import District
from wenzhou_portal.models import Notification

pytestmark = pytest.mark.django_db

ROUTING_KINDS = [EventKind.ROUTED, EventKind.TRIAGED]


def _pending(count: int, **overrides) -> list[Report]:
    return [
        services.report_submit(
            data=report_input(
                **{
                    "content": f"直播间冒充客服要求加微信退款，编号{n:04d}，{n * 7919 % 10007}。",
                    "url": f"https://www.douyin.com/video/{n}",
                    **overrides,
                }
            ),
            queue_routing=False,
        )
        for n in range(count)
    ]


def _routing_events() -> Counter:
    return Counter(
        ReportEvent.objects.filter(kind__in=ROUTING_KINDS).values_list("report_id", flat=True)
    )


@contextmanager
def _published_not_eager():
    saved = portal_celery.app.conf.task_always_eager
    portal_celery.app.conf.task_always_eager = False
    try:
        yield
    finally:
        portal_celery.app.conf.task_always_eager = saved


@pytest.fixture
def doorbells(monkeypatch, settings):
    """Tasks published for real (not run in-process); the messages recorded, not sent."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    published: list[tuple[str, float | None]] = []
    monkeypatch.setattr(
        portal_celery,
        "enqueue",
        lambda name, *args, countdown=None: published.append((name, countdown)) or True,
    )
    portal_celery.debounce_reset()
    with _published_not_eager():
        yield published
    portal_celery.debounce_reset()


def test_a_burst_of_reports_rings_the_router_about_once_a_second(
    district_rules, doorbells, django_capture_on_commit_callbacks, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr(portal_celery, "_clock", lambda: clock[0])
    for n in range(300):
        clock[0] = 1000.0 + n * 0.01  # 300 reports in three seconds
        with django_capture_on_commit_callbacks(execute=True):
            services.report_submit(data=report_input(content=f"同一条谣言的第{n}次举报内容"))
    assert [name for name, _countdown in doorbells] == ["rumors.tasks.route_pending"] * 3
    # Each message runs after the window it closes: it finds every report it swallowed.
    assert {countdown for _name, countdown in doorbells} == {2 * routing.KICK_DEBOUNCE_SECONDS}
    assert Report.objects.filter(routing_state=RoutingState.PENDING).count() == 300


def test_the_shared_window_coalesces_web_processes_on_redis(redis_url, settings, monkeypatch):
    from django.core.cache import cache

    from tests.outage import redis_cache_settings

    settings.CACHES = redis_cache_settings(redis_url)
    cache.clear()
    published = []
    monkeypatch.setattr(
        portal_celery, "enqueue", lambda name, *args, countdown=None: published.append(name) or True
    )
    with _published_not_eager():
        for _process in range(4):  # four processes, each with its own window
            portal_celery.debounce_reset()
            routing.routing_kick()
    assert published == ["rumors.tasks.route_pending"]
    cache.clear()


def test_the_router_routes_a_batch_with_one_event_each_and_a_bounded_number_of_queries(
    district_rules, police, office
):
    rule = RoutingRule.objects.create(category="fraud", lead_department=police, working_days=3)
    rule.co_handlers.add(district_rules[0].lead_department)
    fraud = _pending(20, category="fraud")
    triage = _pending(10, district=District.TAISHUN, url="", account="", place_description="群")
    with CaptureQueriesContext(connection) as queries:
        assert services.reports_route_pending(batch_size=100) == 30
    assert services.reports_route_pending(batch_size=100) == 0
    assert set(_routing_events().values()) == {1}
    assert len(_routing_events()) == 30
    for report in Report.objects.filter(pk__in=[r.pk for r in fraud]):
        assert report.status == Status.ROUTED
        assert report.lead_department == police
        assert report.due_at is not None
        assert list(report.co_handlers.all()) == [district_rules[0].lead_department]
        routed = report.events.get(kind=EventKind.ROUTED)
        assert routed.public_text == "您的举报已转交市公安局网安支队办理。"
        assert routed.due_at == report.due_at
        assert routed.from_status == Status.RECEIVED
        assert routed.to_status == Status.ROUTED
    for report in Report.objects.filter(pk__in=[r.pk for r in triage]):
        assert report.status == Status.TRIAGE
        assert report.lead_department == office
        assert report.events.get(kind=EventKind.TRIAGED).department == office
    # Rules, office and calendar once per batch; a few indexed lookups per report.
    assert len(queries) <= 15 + 3 * 30, [q["sql"][:120] for q in queries.captured_queries]


def test_batched_events_tell_consenting_reporters_and_record_webhooks(
    district_rules, lucheng_office
):
    WebhookEndpoint.objects.create(
        department=lucheng_office, url="https://lucheng.example.org/hook", secret="s" * 64
    )
    told = services.report_submit(
        data=report_input(contact_email="citizen@example.org", contact_consent=True),
        queue_routing=False,
    )
    silent = services.report_submit(
        data=report_input(url="https://example.org/other", content="另一件完全不同的事情。。"),
        queue_routing=False,
    )
    services.reports_route_pending()
    routed = ReportEvent.objects.get(report=told, kind=EventKind.ROUTED)
    assert Notification.objects.filter(source_id=routed.pk).count() == 1
    assert not Notification.objects.filter(
        source_id=ReportEvent.objects.get(report=silent, kind=EventKind.ROUTED).pk
    ).exists()
    assert WebhookDelivery.objects.filter(event__kind=EventKind.ROUTED).count() == 2


def test_a_batch_that_fails_midway_leaves_every_report_pending(district_rules, monkeypatch):
    reports = _pending(5)

    def crash(events):
        raise RuntimeError("worker lost mid-batch")

    monkeypatch.setattr(routing, "_events_record", crash)
    with pytest.raises(RuntimeError):
        services.reports_route_pending(batch_size=10)
    assert Report.objects.filter(routing_state=RoutingState.PENDING).count() == len(reports)
    assert not ReportEvent.objects.filter(kind__in=ROUTING_KINDS).exists()
    assert not Report.objects.filter(lead_department__isnull=False).exists()
    monkeypatch.undo()
    assert services.reports_route_pending(batch_size=10) == 5
    assert set(_routing_events().values()) == {1}


def test_routing_one_report_by_id_still_works_and_only_once(district_rules):
    first, second = _pending(2)
    assert services.report_route(report_id=second.pk) is True
    assert services.report_route(report_id=second.pk) is False
    assert services.reports_route_pending() == 1
    assert set(_routing_events()) == {first.pk, second.pk}


def test_duplicates_in_one_batch_link_to_the_earliest_by_url_account_and_text(district_rules):
    same_url = [
        services.report_submit(
            data=report_input(content=f"自来水被污染的谣言，不同说法第{n}种。", url=url),
            queue_routing=False,
        )
        for n, url in enumerate(
            ["https://mp.weixin.qq.com/s/abc123", "https://m.mp.weixin.qq.com/s/abc123?from=x"]
        )
    ]
    same_account = [
        services.report_submit(
            data=report_input(
                platform="douyin", url="", account=account, content=f"主播卖假药，说法{n}。"
            ),
            queue_routing=False,
        )
        for n, account in enumerate(["@Wenzhou Laowang", "wenzhoulaowang"])
    ]
    text = "有人在微信群里说瓯海区明天全区停电三天，请大家提前储水"
    same_text = [
        services.report_submit(
            data=report_input(url="", place_description=f"群{n}", content=content),
            queue_routing=False,
        )
        for n, content in enumerate([text, text + "，转发扩散"])
    ]
    assert services.reports_route_pending(batch_size=100) == 6
    for first, later in (same_url, same_account, same_text):
        first.refresh_from_db()
        later.refresh_from_db()
        assert first.duplicate_of is None
        assert later.duplicate_of == first
        note = later.events.get(kind=EventKind.NOTE)
        assert first.formatted_tracking_code in note.internal_text


def test_a_duplicate_of_a_duplicate_in_the_same_batch_links_to_the_root(district_rules):
    reports = [
        services.report_submit(data=report_input(content=f"同一链接的第{n}次举报内容。"))
        for n in range(3)
    ]
    services.reports_route_pending(batch_size=100)
    root = reports[0]
    for report in reports[1:]:
        report.refresh_from_db()
        assert report.duplicate_of_id == root.pk


@pytest.mark.django_db(transaction=True)
def test_two_routers_side_by_side_route_every_report_exactly_once(district_rules):
    require_service(
        connection.vendor == "postgresql", "SKIP LOCKED between two routers needs PostgreSQL"
    )
    _pending(120)
    start = threading.Barrier(2)
    routed: list[int] = []
    errors: list[BaseException] = []

    def router():
        try:
            start.wait()
            routed.append(services.reports_route_pending(batch_size=7))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=router) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(routed) == 120
    events = _routing_events()
    assert len(events) == 120
    assert set(events.values()) == {1}
    assert not Report.objects.filter(routing_state=RoutingState.PENDING).exists()


def test_the_similar_text_probe_can_use_the_trigram_index_on_postgresql(district_rules):
    """The query shape, not the data, decides whether the index can serve it: with
    sequential scans priced out, the text probe goes through the partial trigram GIN index
    of the reports in the duplicate window (a bare similarity() >= x could not), not
    0009's index of every report ever received."""
    require_service(connection.vendor == "postgresql", "the trigram index is PostgreSQL's")
    from datetime import timedelta

    from rumors.selectors.duplicates import _STRONGEST_DUPLICATES_SQL

    (report,) = _pending(1)
    report.normalized_account = "someone"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        window = timedelta(days=30)
        cursor.execute(
            "EXPLAIN " + _STRONGEST_DUPLICATES_SQL,
            [
                [report.pk],
                [report.normalized_url],
                [report.platform],
                [report.normalized_account],
                [report.content],
                [report.created_at],
                window,
                window,
                window,
                0.6,
            ],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Cond: (content % p.content)" in plan
    assert "Bitmap Index Scan on report_content_trgm_window" in plan
    assert "rumors_report_content_trgm" not in plan
