"""Work is queued by kind, and every queue a task can land on has a worker that takes it."""

import re
import socket
import time

import pytest
from django.conf import settings
from kombu import Connection, Exchange, Queue

from tests.support import REPO_ROOT
from wenzhou_portal.celery import app

KINDS = ("routing", "notifications", "housekeeping", "index")


@pytest.fixture(scope="module")
def registered_tasks() -> list[str]:
    app.loader.import_default_modules()  # every app's tasks.py, as a worker loads them
    return sorted(app.tasks)


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def all_queues() -> list[str]:
    """What a worker started without -Q consumes (make worker, compose's worker, make run)."""
    return [queue.name for queue in settings.CELERY_TASK_QUEUES]


def documented_worker_queues() -> list[set[str]]:
    """The -Q lists of the workers README's production section tells an operator to run."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"celery -A wenzhou_portal worker[^\n]*", readme)
    return [
        set(match.group(1).split(","))
        for command in commands
        if (match := re.search(r"(?:-Q|--queues)[ =](\S+)", command))
    ]


def test_every_task_of_the_portal_is_routed_by_name(registered_tasks):
    ours = [name for name in registered_tasks if not name.startswith("celery.")]
    assert ours, "no task was discovered"
    assert sorted(set(ours) - set(settings.CELERY_TASK_ROUTES)) == []
    # A renamed task leaves no stale route behind (it would silently go to the default).
    assert sorted(set(settings.CELERY_TASK_ROUTES) - set(ours)) == []


def test_every_registered_task_lands_on_a_queue_a_worker_without_q_consumes(registered_tasks):
    assert sorted({queue_of(name) for name in registered_tasks}) == sorted(
        [*KINDS, settings.CELERY_TASK_DEFAULT_QUEUE]
    )
    assert {queue_of(name) for name in registered_tasks} <= set(all_queues())
    # Celery's own tasks (chords, result cleanup) take the default queue, still consumed.
    assert queue_of("celery.backend_cleanup") == settings.CELERY_TASK_DEFAULT_QUEUE
    # What a worker without -Q declares and consumes, as Celery builds it at start.
    assert list(app.amqp.Queues(app.conf.task_queues)) == all_queues()


def test_every_queue_has_a_dedicated_worker_in_the_production_documentation(registered_tasks):
    documented = documented_worker_queues()
    assert len(documented) >= len(KINDS), "README lists a worker per queue"
    consumed = set().union(*documented)
    assert {queue_of(name) for name in registered_tasks} <= consumed
    # Routing has a worker of its own: nothing else can fill its slots.
    assert {"routing"} in documented


def test_the_compose_workers_together_consume_every_queue(registered_tasks):
    """docker-compose.yml runs a worker per queue; a worker without --queues takes all."""
    import yaml

    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    consumed: set[str] = set()
    for service in compose["services"].values():
        command = service.get("command") or []
        if "worker" not in command:
            continue
        flag = next((f for f in ("--queues", "-Q") if f in command), None)
        if flag is None:
            consumed |= set(all_queues())
            continue
        listed = command[command.index(flag) + 1].replace("${CELERY_QUEUE_PREFIX:-}", "")
        consumed |= set(listed.split(","))
    assert {queue_of(name) for name in registered_tasks} <= consumed


def test_a_flood_of_notifications_never_shares_a_queue_with_routing():
    assert queue_of("rumors.tasks.route_report") == "routing"
    assert queue_of("rumors.tasks.requeue_pending_routing") == "routing"
    for notice in (
        "wenzhou_portal.tasks.notification_send",
        "rumors.tasks.notify_reporter",
        "rumors.tasks.tell_reporters_of_correction",
        "rumors.tasks.webhook_deliver",
    ):
        assert queue_of(notice) == "notifications"
    # The beat sweepers that may run late are housekeeping; the index has its own.
    assert queue_of("rumors.tasks.check_deadlines") == "housekeeping"
    assert queue_of("wenzhou_portal.tasks.notifications_requeue") == "housekeeping"
    assert queue_of("civility_index.tasks.recompute_recent") == "index"


def test_each_queue_has_its_own_routing_key_so_no_message_is_copied_to_two_queues():
    keys = [(queue.exchange.name, queue.routing_key) for queue in settings.CELERY_TASK_QUEUES]
    assert len(set(keys)) == len(keys)


def test_the_queue_prefix_names_every_routed_queue_apart():
    from tests.portal.test_settings import run_python

    probe = (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps(sorted({r['queue'] for r in settings.CELERY_TASK_ROUTES.values()})))"
    )
    result = run_python(probe, CELERY_QUEUE_PREFIX="wz2.")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '["wz2.housekeeping", "wz2.index", "wz2.notifications", "wz2.routing"]'
    )


def test_a_worker_on_several_queues_drains_routing_before_notifications(redis_url):
    """kombu's "priority" order: the first queue with a message is served first, always."""
    prefix = f"order-{time.monotonic_ns()}."
    queues = [
        Queue(prefix + queue.name, Exchange(prefix + queue.name), routing_key=prefix + queue.name)
        for queue in settings.CELERY_TASK_QUEUES
    ]
    by_name = {queue.name.removeprefix(prefix): queue for queue in queues}
    received: list[str] = []
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    with Connection(redis_url, transport_options=options) as connection:
        producer = connection.Producer()
        # Notifications first, as a debunk sends them; then three new reports arrive.
        for kind in ("notifications",) * 3 + ("routing",) * 3:
            queue = by_name[kind]
            producer.publish(
                {"kind": kind},
                exchange=queue.exchange,
                routing_key=queue.routing_key,
                declare=[queue],
            )

        def take(body, message):
            received.append(body["kind"])
            message.ack()

        try:
            with connection.Consumer(queues, callbacks=[take]):
                while len(received) < 6:
                    connection.drain_events(timeout=5)
        finally:
            with connection.channel() as channel:
                for queue in queues:
                    queue(channel).delete()
    assert received == ["routing"] * 3 + ["notifications"] * 3


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_live_worker_of_the_tests_consumes_every_queue(live_celery_worker):
    hostname = f"{app.conf.task_default_queue}@{socket.gethostname()}"
    replies = app.control.inspect(destination=[hostname], timeout=5).active_queues() or {}
    consumed = {queue["name"] for queue in replies.get(hostname, [])}
    prefix = f"{app.conf.task_default_queue}."
    assert consumed == {app.conf.task_default_queue, *(prefix + kind for kind in KINDS)}
    # And this process publishes to those same queues while the worker runs.
    assert queue_of("rumors.tasks.route_report") == prefix + "routing"


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_is_routed_and_its_reporter_told_by_one_worker_on_two_queues(
    live_celery_worker,
):
    """route_report runs from the routing queue; the notice it records is published by the
    worker itself, under the run's prefix, and sent from the notifications queue."""
    from django.contrib.contenttypes.models import ContentType

    from rumors import services
    from rumors.models import Department, EventKind, ReportEvent, RoutingRule
    from wenzhou_portal.models import Notification

    office = Department.objects.create(
        name="鹿城区委网信办", kind="district_office", district="330302"
    )
    RoutingRule.objects.create(district="330302", lead_department=office)
    report = services.report_submit(
        data=services.ReportInput(
            category="rumor",
            platform="wechat",
            content="有人在微信群里说鹿城区自来水被污染了，不能喝。",
            place_description="微信群",
            district="330302",
            contact_email="reporter@example.org",
            contact_consent=True,
        )
    )
    told = Notification.objects.filter(
        source_type=ContentType.objects.get_for_model(ReportEvent),
        source_id__in=ReportEvent.objects.filter(report=report, kind=EventKind.ROUTED).values("pk"),
        state=Notification.State.SENT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not told.exists():
        time.sleep(0.2)
    report.refresh_from_db()
    assert report.routing_state == "done", "the routing queue was not consumed"
    assert told.exists(), "the notice about routing was not sent from the notifications queue"
