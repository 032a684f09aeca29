"""Notifications are records: one per step, recipient and channel; a retry never sends twice."""

import pytest
from django.core import mail

from rumors import services
from rumors.models import DeadlineDigest, ReportEvent
from wenzhou_portal.models import Notification
from wenzhou_portal.notifications import (
    notification_send,
    notifications_about,
    notifications_requeue,
)

pytestmark = pytest.mark.django_db


class FlakySMSBackend:
    """A gateway that fails the first time it is asked, then works."""

    failures_left = 0
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        if FlakySMSBackend.failures_left:
            FlakySMSBackend.failures_left -= 1
            raise OSError("SMS gateway timed out")
        FlakySMSBackend.sent.append((phone, text))


@pytest.fixture
def flaky_sms(settings):
    settings.SMS_BACKEND = "tests.portal.test_notifications.FlakySMSBackend"
    FlakySMSBackend.failures_left = 0
    FlakySMSBackend.sent = []
    return FlakySMSBackend


@pytest.fixture
def lucheng_report(django_capture_on_commit_callbacks, lucheng_rule):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            data=services.ReportInput(
                category="rumor",
                platform="wechat",
                content="有人在微信群里说鹿城区自来水被污染了，不能喝。",
                place_description="微信群",
                district="330302",
                contact_email="reporter@example.org",
                contact_phone="13800138000",
                contact_consent=True,
            )
        )
    return report


@pytest.fixture
def lucheng_rule(make_staff):
    from rumors.models import Department, RoutingRule
    from wenzhou_portal.roles import Role

    office = Department.objects.create(
        name="鹿城区委网信办", kind="district_office", district="330302", email="lc@example.org"
    )
    handler = make_staff("chen_li", Role.DEPARTMENT_HANDLER, email="chen@example.org")
    office.members.add(handler)
    return RoutingRule.objects.create(district="330302", lead_department=office)


def _handler():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="chen_li")


def test_an_sms_that_fails_once_is_retried_and_the_email_is_not_sent_twice(
    lucheng_report, flaky_sms, django_capture_on_commit_callbacks
):
    flaky_sms.failures_left = 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(report_id=lucheng_report.pk, actor=_handler())
    event = ReportEvent.objects.get(report=lucheng_report, kind="accepted")
    told = Notification.objects.filter(source_id=event.pk)
    assert sorted(told.values_list("channel", "state", "attempts")) == [
        ("email", "sent", 1),
        ("sms", "pending", 1),
    ]
    # The retry (what the worker runs after the backoff) sends the text message only.
    notification_send(notification_id=told.get(channel="sms").pk)
    assert sorted(told.values_list("channel", "state", "attempts")) == [
        ("email", "sent", 1),
        ("sms", "sent", 2),
    ]
    assert [message.to for message in mail.outbox] == [["reporter@example.org"]]
    assert len(flaky_sms.sent) == 1


def test_a_redelivered_send_task_sends_nothing_more(lucheng_report, flaky_sms):
    notification = Notification.objects.filter(channel="email").first()
    assert notification.state == "sent"
    before = len(mail.outbox)
    assert notification_send(notification_id=notification.pk) == "sent"
    assert len(mail.outbox) == before


def test_the_row_holds_no_address_and_the_address_is_read_at_send_time(
    lucheng_report, flaky_sms, django_capture_on_commit_callbacks
):
    for notification in Notification.objects.all():
        values = " ".join(str(value) for value in vars(notification).values())
        assert "reporter@example.org" not in values
        assert "13800138000" not in values
    # Erased before the message goes out: nobody is written to, the row says why.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.report_accept(report_id=lucheng_report.pk, actor=_handler())
    type(lucheng_report).objects.filter(pk=lucheng_report.pk).update(
        contact_email="", contact_phone="", contact_consent=False
    )
    mail.outbox.clear()
    for callback in queued:
        callback()
    accepted = ReportEvent.objects.get(report=lucheng_report, kind="accepted")
    assert set(
        Notification.objects.filter(source_id=accepted.pk).values_list("state", flat=True)
    ) == {"skipped"}
    assert mail.outbox == []


def test_deadline_messages_go_to_the_mailbox_and_each_member_as_records(
    lucheng_report, flaky_sms, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    type(lucheng_report).objects.filter(pk=lucheng_report.pk).update(
        due_at=timezone.now() + timedelta(hours=3)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deadlines_check()["warned"] == 1
    warning = ReportEvent.objects.get(report=lucheng_report, kind="due_warning")
    # The run's digest for the department is the source: it lists the warning.
    digest = warning.deadline_digests.get()
    labels = set(
        notifications_about(DeadlineDigest, [digest.pk]).values_list("recipient_label", flat=True)
    )
    assert labels == {"鹿城区委网信办", "chen_li"}
    assert sorted(message.to[0] for message in mail.outbox) == [
        "chen@example.org",
        "lc@example.org",
    ]
    # The next run finds the marker and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deadlines_check()["warned"] == 0
    assert len(mail.outbox) == 2


def test_pending_notifications_whose_task_was_lost_are_sent_by_the_sweeper(
    lucheng_report, flaky_sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker was out
        services.report_accept(report_id=lucheng_report.pk, actor=_handler())
    pending = Notification.objects.filter(state="pending")
    assert pending.count() == 2
    pending.update(created_at=pending.first().created_at.replace(year=2025))
    mail.outbox.clear()
    assert notifications_requeue() == 2
    assert not Notification.objects.filter(state="pending").exists()
    assert len(mail.outbox) == 1


def test_staff_see_who_was_told_on_the_report_page(client, lucheng_report, office_admin):
    client.force_login(office_admin)
    page = client.get(f"/admin/rumors/report/{lucheng_report.pk}/change/").content.decode()
    assert "通知记录" in page
    assert f"举报人（{lucheng_report.formatted_tracking_code}）" in page
    assert "reporter@example.org" not in page
