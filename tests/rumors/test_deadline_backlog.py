"""Deadlines after a pause: one step per report per run, oldest first, one digest per recipient.

Beat did not run for weeks (the issue found 266 overdue reports never reminded). The first
run reminds every one of them in one digest per department and escalates none; the next
scheduled run escalates those long overdue, in one digest to the office; nothing is ever
told twice, however often or however concurrently the job runs.
"""

import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from rumors import services
from rumors.models import DeadlineDigest, EventKind, Report, ReportEvent, RoutingState, Status
from rumors.services import deadlines
from rumors.workdays import work_calendar
from tests.support import require_service
from wenzhou_portal.models import Notification
from wenzhou_portal.notifications import notifications_about

# A Tuesday morning in March, after beat had been down since before the Spring Festival.
PAUSE_ENDS = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NEXT_RUN = PAUSE_ENDS + timedelta(minutes=15)
BACKLOG = 266


def overdue_reports(departments, count: int, *, now: datetime = PAUSE_ENDS) -> list[Report]:
    """`count` routed reports, spread over the departments, due between 1 hour and 66 days
    before `now`, created in an order unrelated to their due times."""
    reports = [
        Report(
            tracking_code=services.tracking_code_generate(),
            category="rumor",
            platform="wechat",
            content="有人在微信群里说鹿城区自来水被污染了，不能喝。",
            place_description="微信群",
            status=Status.ROUTED,
            routing_state=RoutingState.DONE,
            lead_department=departments[number % len(departments)],
            routed_at=now - timedelta(days=80),
            due_at=now - timedelta(hours=1 + 6 * (number * 97 % count)),
        )
        for number in range(count)
    ]
    Report.objects.bulk_create(reports)
    return list(Report.objects.filter(due_at__isnull=False).order_by("due_at", "pk"))


@pytest.fixture
def three_departments(
    lucheng_office, longwan_office, police, lucheng_handler, longwan_handler, police_handler
):
    """Lucheng (mailbox, 陈丽 with mail), Longwan (mailbox, 赵强 without), the police
    (mailbox, 吴警官 with mail)."""
    longwan_office.email = "longwan@example.org"
    longwan_office.save()
    police_handler.email = "wu@example.org"
    police_handler.save()
    return [lucheng_office, longwan_office, police]


@pytest.fixture
def office_admin_with_mail(office_admin):
    office_admin.email = "wang@example.org"
    office_admin.save()
    return office_admin


def _digests(kind_of_audience: str = "department"):
    queryset = DeadlineDigest.objects.all()
    if kind_of_audience == "office":
        return queryset.filter(department__isnull=True)
    return queryset.filter(department__isnull=False)


def _kinds_per_report() -> Counter:
    return Counter(
        ReportEvent.objects.filter(
            kind__in=[EventKind.DUE_WARNING, EventKind.REMINDER, EventKind.ESCALATED]
        ).values_list("report_id", "kind")
    )


# --- the backlog ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_backlog_is_reminded_in_one_digest_per_department_and_escalated_at_the_next_run(
    three_departments, office_admin_with_mail, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_ESCALATE_AFTER_WORKING_DAYS = 2
    reports = overdue_reports(three_departments, BACKLOG)
    calendar = work_calendar()
    long_overdue = {
        report.pk
        for report in reports
        if calendar.working_days_between(report.due_at, NEXT_RUN) >= 2
    }
    assert 0 < len(long_overdue) < BACKLOG  # some are only hours overdue

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.deadlines_check(now=PAUSE_ENDS)

    assert first == {"warned": 0, "reminded": BACKLOG, "escalated": 0}
    assert ReportEvent.objects.filter(kind=EventKind.REMINDER).count() == BACKLOG
    assert not ReportEvent.objects.filter(kind=EventKind.ESCALATED).exists()
    assert _digests().count() == 3
    assert not _digests("office").exists()
    # Three departments, each told once at its mailbox and by each member: not 266 mails.
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "chen@example.org",
        "longwan@example.org",
        "lucheng@example.org",
        "police@example.org",
        "wu@example.org",
    ]
    for digest in _digests():
        assert digest.events.count() == len(
            [report for report in reports if report.lead_department_id == digest.department_id]
        )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.deadlines_check(now=NEXT_RUN)

    assert second == {"warned": 0, "reminded": 0, "escalated": len(long_overdue)}
    assert (
        set(
            ReportEvent.objects.filter(kind=EventKind.ESCALATED).values_list("report_id", flat=True)
        )
        == long_overdue
    )
    office_digest = _digests("office").get()
    assert office_digest.events.count() == len(long_overdue)
    assert [n.recipient_label for n in notifications_about(DeadlineDigest, [office_digest.pk])] == [
        "wang_xiaoming"
    ]
    # The office's admin once, and each department once more about its escalated reports.
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "chen@example.org",
        "longwan@example.org",
        "lucheng@example.org",
        "police@example.org",
        "wang@example.org",
        "wu@example.org",
    ]
    # Every report was reminded exactly once; none was reminded and escalated in one run.
    assert set(_kinds_per_report().values()) == {1}
    for report_id in long_overdue:
        steps = Report.objects.get(pk=report_id)
        assert steps.reminder_sent_at == PAUSE_ENDS
        assert steps.escalated_at == NEXT_RUN


@pytest.mark.django_db
def test_the_first_run_after_a_pause_records_and_lists_the_oldest_due_first(
    three_departments, settings
):
    reports = overdue_reports(three_departments, 30)
    services.deadlines_check(now=PAUSE_ENDS)

    reminders = ReportEvent.objects.filter(kind=EventKind.REMINDER).order_by("pk")
    assert [event.report_id for event in reminders] == [report.pk for report in reports]

    lucheng = three_departments[0]
    digest = DeadlineDigest.objects.get(department=lucheng)
    body = notifications_about(DeadlineDigest, [digest.pk]).first().body
    theirs = [report for report in reports if report.lead_department_id == lucheng.pk]
    positions = [body.index(report.formatted_tracking_code) for report in theirs]
    assert positions == sorted(positions)
    oldest = theirs[0]
    assert f"查询码 {oldest.formatted_tracking_code}" in body
    assert timezone.localtime(oldest.due_at).strftime("办理期限 %Y-%m-%d %H:%M") in body
    assert f"{settings.SITE_URL}/admin/rumors/report/{oldest.pk}/change/" in body
    subject = notifications_about(DeadlineDigest, [digest.pk]).first().subject
    assert subject == f"【清朗温州】办理期限汇总：超期催办 {len(theirs)} 件"


@pytest.mark.django_db
def test_a_backlog_longer_than_one_run_takes_is_caught_up_oldest_first(three_departments):
    reports = overdue_reports(three_departments, 7)

    assert services.deadlines_check(now=PAUSE_ENDS, limit=3)["reminded"] == 3
    assert services.deadlines_check(now=PAUSE_ENDS + timedelta(minutes=1), limit=3)["reminded"] == 3
    assert services.deadlines_check(now=PAUSE_ENDS + timedelta(minutes=2), limit=3)["reminded"] == 1

    reminded = ReportEvent.objects.filter(kind=EventKind.REMINDER).order_by("pk")
    assert [event.report_id for event in reminded] == [report.pk for report in reports]


@pytest.mark.django_db
def test_runs_back_to_back_never_remind_and_escalate_together(
    three_departments, office_admin_with_mail
):
    """A worker back from an outage works off every run queued meanwhile, one after the
    other: the department still sees its reminder before the office hears."""
    overdue_reports(three_departments, 12)
    assert services.deadlines_check(now=PAUSE_ENDS)["reminded"] == 12
    for seconds in (0, 1, 60, 9 * 60):
        again = services.deadlines_check(now=PAUSE_ENDS + timedelta(seconds=seconds))
        assert again == {"warned": 0, "reminded": 0, "escalated": 0}
    assert services.deadlines_check(now=NEXT_RUN)["escalated"] > 0


@pytest.mark.django_db
def test_a_repeated_run_tells_nobody_twice(
    three_departments, office_admin_with_mail, django_capture_on_commit_callbacks
):
    overdue_reports(three_departments, 20)
    for now in (PAUSE_ENDS, NEXT_RUN):
        with django_capture_on_commit_callbacks(execute=True):
            services.deadlines_check(now=now)
        told = Notification.objects.count()
        digests = DeadlineDigest.objects.count()
        sent = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.deadlines_check(now=now) == {"warned": 0, "reminded": 0, "escalated": 0}
        assert (Notification.objects.count(), DeadlineDigest.objects.count()) == (told, digests)
        assert len(mail.outbox) == sent


@pytest.mark.django_db
def test_a_run_that_fails_part_way_leaves_nothing_and_the_retry_does_it_all_once(
    three_departments, office_admin_with_mail
):
    overdue_reports(three_departments, 9)
    services.deadlines_check(now=PAUSE_ENDS)
    with (
        mock.patch.object(deadlines, "_notify_office_admins", side_effect=OSError("mail down")),
        pytest.raises(OSError, match="mail down"),
    ):
        services.deadlines_check(now=NEXT_RUN)
    assert not ReportEvent.objects.filter(kind=EventKind.ESCALATED).exists()
    assert not Report.objects.filter(escalated_at__isnull=False).exists()
    assert DeadlineDigest.objects.count() == 3  # the first run's only

    escalated = services.deadlines_check(now=NEXT_RUN)["escalated"]
    assert escalated > 0
    assert ReportEvent.objects.filter(kind=EventKind.ESCALATED).count() == escalated
    assert _digests("office").get().events.count() == escalated


# --- what is left alone --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_overdue_report_waiting_for_the_reporter_is_left_alone(
    submit, district_rules, lucheng_handler
):
    report = submit()
    services.report_accept(report_id=report.pk, actor=lucheng_handler)
    services.report_pause(report_id=report.pk, actor=lucheng_handler, request_text="请补充截图")
    Report.objects.filter(pk=report.pk).update(due_at=PAUSE_ENDS - timedelta(days=30))

    for now in (PAUSE_ENDS, NEXT_RUN):
        assert services.deadlines_check(now=now) == {"warned": 0, "reminded": 0, "escalated": 0}
    report.refresh_from_db()
    assert (report.reminder_sent_at, report.escalated_at) == (None, None)
    assert not DeadlineDigest.objects.exists()


@pytest.mark.django_db
def test_no_warning_that_a_deadline_is_near_once_it_has_passed(three_departments):
    soon, passed = overdue_reports(three_departments, 2)[:2]
    Report.objects.filter(pk=soon.pk).update(due_at=PAUSE_ENDS + timedelta(hours=12))
    Report.objects.filter(pk=passed.pk).update(due_at=PAUSE_ENDS - timedelta(hours=2))

    assert services.deadlines_check(now=PAUSE_ENDS) == {"warned": 1, "reminded": 1, "escalated": 0}
    assert list(
        ReportEvent.objects.filter(kind=EventKind.DUE_WARNING).values_list("report_id", flat=True)
    ) == [soon.pk]
    assert list(
        ReportEvent.objects.filter(kind=EventKind.REMINDER).values_list("report_id", flat=True)
    ) == [passed.pk]
    passed.refresh_from_db()
    assert passed.due_warning_sent_at is None


# --- cost ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_backlog_run_costs_about_one_query_per_report(
    three_departments, office_admin_with_mail, django_assert_max_num_queries
):
    overdue_reports(three_departments, BACKLOG)
    # One insert per event (recorded through the one place events are recorded) and a
    # fixed few per run and per digest recipient: measured 310 and 308 on SQLite, where the
    # one-mail-per-step run took 8,145 for the same backlog (sending 266 reminders and
    # 260 escalations at once).
    with django_assert_max_num_queries(BACKLOG + 50):
        services.deadlines_check(now=PAUSE_ENDS)
    with django_assert_max_num_queries(BACKLOG + 50):
        services.deadlines_check(now=NEXT_RUN)


# --- two runs at once, on PostgreSQL -------------------------------------------------------


def _race(*steps):
    barrier = threading.Barrier(len(steps))
    results: list = [None] * len(steps)

    def run(index: int, step) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", step())
        except Exception as exc:
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a run never finished"
    assert all(kind == "ok" for kind, _ in results), results
    return [value for _, value in results]


@pytest.fixture
def on_postgres(transactional_db):
    require_service(
        connection.vendor == "postgresql", "concurrent runs need PostgreSQL (DATABASE_URL)"
    )


@pytest.mark.postgres
@pytest.mark.usefixtures("on_postgres")
def test_two_runs_at_once_take_each_step_once(three_departments, office_admin_with_mail):
    reports = overdue_reports(three_departments, 60)
    original = deadlines._digest_send

    def slow_digest(*args, **kwargs):
        # Hold each run inside its transaction, its claimed rows locked, a while.
        time.sleep(0.3)
        return original(*args, **kwargs)

    with mock.patch.object(deadlines, "_digest_send", new=slow_digest):
        first = _race(*[lambda: services.deadlines_check(now=PAUSE_ENDS)] * 2)
        second = _race(*[lambda: services.deadlines_check(now=NEXT_RUN)] * 2)

    assert sum(count["reminded"] for count in first) == len(reports)
    assert sum(count["escalated"] for count in first) == 0
    assert sum(count["reminded"] for count in second) == 0
    escalated = Report.objects.filter(escalated_at__isnull=False).count()
    assert escalated > 0
    assert sum(count["escalated"] for count in second) == escalated
    assert set(_kinds_per_report().values()) == {1}
    # Each event is listed in one department's digest (and an escalation in one office
    # digest too); each digest's recipients were recorded once each.
    department_listings = Counter(
        DeadlineDigest.events.through.objects.filter(
            deadlinedigest__department__isnull=False
        ).values_list("reportevent_id", flat=True)
    )
    assert set(department_listings.values()) == {1}
    assert (
        len(department_listings)
        == ReportEvent.objects.filter(kind__in=[EventKind.REMINDER, EventKind.ESCALATED]).count()
    )
    pairs = Counter(
        Notification.objects.filter(source_type__model="deadlinedigest").values_list(
            "source_id", "recipient_type_id", "recipient_id"
        )
    )
    assert set(pairs.values()) == {1}
