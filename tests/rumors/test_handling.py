"""The closed loop: every transition, allowed and refused, and what the citizen sees."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rumors import selectors, services
from rumors.models import EventKind, PublicStatus, Report, ReportEvent, Status
from wenzhou_portal.districts import District

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(submit, district_rules):
    return submit()


def _status(report) -> str:
    report.refresh_from_db()
    return report.status


def test_the_lead_department_accepts_then_resolves_with_public_feedback(routed, lucheng_handler):
    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    assert _status(routed) == Status.IN_PROGRESS
    assert routed.public_status == PublicStatus.IN_PROGRESS
    assert routed.first_response_at is not None
    services.report_resolve(
        report_id=routed.pk,
        actor=lucheng_handler,
        feedback="经核实为谣言，已联系平台删除。",
        internal_text="平台工单 123",
    )
    assert _status(routed) == Status.RESOLVED
    assert routed.public_status == PublicStatus.ANSWERED
    assert routed.closed_at is not None
    event = routed.events.get(kind=EventKind.RESOLVED)
    assert (event.actor, event.from_status, event.to_status) == (
        lucheng_handler,
        Status.IN_PROGRESS,
        Status.RESOLVED,
    )
    assert event.internal_text == "平台工单 123"
    assert event.due_at == routed.due_at


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        ("report_accept", {}),
        ("report_resolve", {"feedback": "再次办结"}),
        ("report_pause", {"request_text": "请补充截图"}),
        ("report_resume", {}),
        ("report_send_back", {"reason": "不归我们管"}),
        ("report_reject", {"reason": "not_harmful", "text": "不属于"}),
        ("report_merge", {"primary_code": ""}),
    ],
)
def test_no_action_changes_a_closed_report(routed, office_admin, action, kwargs):
    services.report_reject(
        report_id=routed.pk, actor=office_admin, reason="not_harmful", text="经核查不属于。"
    )
    if action == "report_merge":
        kwargs = {"primary_code": routed.tracking_code}
    with pytest.raises(services.TransitionError) as refused:
        getattr(services, action)(report_id=routed.pk, actor=office_admin, **kwargs)
    assert "不予受理" in refused.value.messages[0]
    assert _status(routed) == Status.REJECTED


def test_resolving_needs_feedback_and_accepting_twice_is_refused(routed, lucheng_handler):
    with pytest.raises(ValidationError):
        services.report_resolve(report_id=routed.pk, actor=lucheng_handler, feedback="  ")
    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    with pytest.raises(services.TransitionError):
        services.report_accept(report_id=routed.pk, actor=lucheng_handler)


def test_another_department_cannot_act_on_a_report(routed, longwan_handler):
    with pytest.raises(PermissionDenied):
        services.report_accept(report_id=routed.pk, actor=longwan_handler)
    assert _status(routed) == Status.ROUTED


def test_co_handlers_may_annotate_but_not_decide(submit, lucheng_office, police, police_handler):
    from rumors.models import RoutingRule

    rule = RoutingRule.objects.create(district=District.LUCHENG, lead_department=lucheng_office)
    rule.co_handlers.add(police)
    report = submit()
    note = services.report_note(report_id=report.pk, actor=police_handler, text="已调取账号信息")
    assert note.department == police
    assert note.public_text == ""
    with pytest.raises(PermissionDenied):
        services.report_resolve(report_id=report.pk, actor=police_handler, feedback="已处理")
    assert services.actions_allowed(user=police_handler, report=report) == ["note"]


def test_send_back_returns_the_report_to_office_triage(routed, lucheng_handler, office):
    services.report_send_back(report_id=routed.pk, actor=lucheng_handler, reason="涉及龙湾区")
    assert _status(routed) == Status.TRIAGE
    assert routed.lead_department == office
    assert routed.due_at is None
    with pytest.raises(PermissionDenied):
        services.report_accept(report_id=routed.pk, actor=lucheng_handler)


def test_office_assigns_from_triage_by_hand(submit, office_admin, police, office):
    report = submit(district="")
    assert report.status == Status.TRIAGE
    services.report_assign(
        report_id=report.pk, actor=office_admin, department_id=police.pk, working_days=2
    )
    assert _status(report) == Status.ROUTED
    assert report.lead_department == police
    with pytest.raises(ValidationError):
        services.report_assign(
            report_id=report.pk, actor=office_admin, department_id=police.pk, working_days=0
        )


def test_handlers_cannot_assign_merge_or_reclassify(routed, lucheng_handler):
    with pytest.raises(PermissionDenied):
        services.report_reclassify(
            report_id=routed.pk, actor=lucheng_handler, category="fraud", district=""
        )


def test_waiting_on_the_reporter_pauses_the_clock(routed, lucheng_handler):
    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    routed.refresh_from_db()
    due = routed.due_at
    services.report_pause(report_id=routed.pk, actor=lucheng_handler, request_text="请补充原文链接")
    assert _status(routed) == Status.WAITING_REPORTER
    assert routed.public_status == PublicStatus.IN_PROGRESS
    assert not routed.is_overdue
    # Pretend the wait began eight days ago: the deadline moves by the working days waited.
    Report.objects.filter(pk=routed.pk).update(paused_at=timezone.now() - timedelta(days=8))
    services.report_resume(report_id=routed.pk, actor=lucheng_handler)
    routed.refresh_from_db()
    assert routed.status == Status.IN_PROGRESS
    assert routed.paused_at is None
    assert routed.due_at >= due + timedelta(days=7)


def test_rejection_names_the_reason_who_decided_and_where_to_go(routed, lucheng_handler):
    services.report_reject(
        report_id=routed.pk,
        actor=lucheng_handler,
        reason="other_channel",
        text="该事项属于消费纠纷。",
        redirect_to="12315 消费者投诉热线",
    )
    routed.refresh_from_db()
    assert routed.public_status == PublicStatus.REJECTED
    assert "鹿城区委网信办决定不予受理" in routed.public_feedback
    assert "12315" in routed.public_feedback
    with pytest.raises(ValidationError):
        services.report_reject(report_id=routed.pk, actor=lucheng_handler, reason="bogus", text="x")


def test_merged_reports_follow_the_primary_and_their_timeline_says_so(
    submit, district_rules, office_admin, lucheng_handler
):
    primary = submit()
    duplicate = submit()
    services.report_merge(
        report_id=duplicate.pk, actor=office_admin, primary_code=primary.tracking_code
    )
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.public_status == PublicStatus.MERGED
    assert duplicate.merged_into == primary
    with pytest.raises(services.TransitionError):
        services.report_merge(
            report_id=primary.pk, actor=office_admin, primary_code=duplicate.tracking_code
        )
    services.report_resolve(report_id=primary.pk, actor=lucheng_handler, feedback="已辟谣并删除。")
    duplicate.refresh_from_db()
    assert selectors.report_public_outcome(duplicate) == "已辟谣并删除。"
    texts = [step["text"] for step in selectors.report_public_timeline(duplicate)]
    assert any("已合并办理" in text for text in texts)
    assert any("已辟谣并删除。" in text for text in texts)


def test_public_timeline_never_shows_internal_notes(routed, lucheng_handler):
    services.report_note(report_id=routed.pk, actor=lucheng_handler, text="内部：嫌疑人手机号 138")
    timeline = selectors.report_public_timeline(routed)
    assert timeline
    assert all("嫌疑人" not in step["text"] for step in timeline)


def test_the_reporter_rates_a_resolved_report_once(routed, lucheng_handler):
    with pytest.raises(services.TransitionError):
        services.report_rate(report=routed, rating="satisfied")
    services.report_resolve(report_id=routed.pk, actor=lucheng_handler, feedback="已处理。")
    routed.refresh_from_db()
    services.report_rate(report=routed, rating="fairly", comment="速度可以更快")
    assert routed.rating == "fairly"
    with pytest.raises(services.TransitionError):
        services.report_rate(report=routed, rating="satisfied")
    with pytest.raises(ValidationError):
        services.report_rate(report=routed, rating="great")
    routed.refresh_from_db()
    assert routed.rating == "fairly"


def test_every_step_with_public_text_is_emailed_to_a_consenting_reporter(
    submit, district_rules, lucheng_handler, django_capture_on_commit_callbacks
):
    report = submit(contact_email="reporter@example.org", contact_consent=True)
    assert [m.to for m in mail.outbox] == [["reporter@example.org"]] * 2  # received, routed
    assert report.formatted_tracking_code in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.report_note(report_id=report.pk, actor=lucheng_handler, text="内部批注")
    assert len(mail.outbox) == 2  # internal notes are never sent
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(report_id=report.pk, actor=lucheng_handler)
        services.report_resolve(report_id=report.pk, actor=lucheng_handler, feedback="已删除谣言。")
    assert len(mail.outbox) == 4
    assert "已删除谣言。" in mail.outbox[-1].body


def test_text_messages_go_through_the_pluggable_backend(submit, district_rules, settings):
    from wenzhou_portal.sms import LocmemSMSBackend

    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    submit(contact_phone="13800138000", contact_consent=True)
    assert [phone for phone, _text in LocmemSMSBackend.outbox] == ["13800138000"] * 2


def test_anonymous_reports_send_nothing(submit, district_rules):
    submit()
    assert mail.outbox == []


def test_viewing_the_contact_is_office_only_and_logged(
    submit, district_rules, office_admin, lucheng_handler
):
    report = submit(contact_phone="13800138000", contact_consent=True)
    with pytest.raises(PermissionDenied):
        services.report_contact_view(report_id=report.pk, actor=lucheng_handler)
    contact = services.report_contact_view(report_id=report.pk, actor=office_admin)
    assert contact["phone"] == "13800138000"
    viewed = ReportEvent.objects.get(report=report, kind=EventKind.CONTACT_VIEWED)
    assert viewed.actor == office_admin


def test_contact_is_erased_after_the_retention_period_and_the_report_stays(
    submit, district_rules, office_admin, settings
):
    settings.REPORT_CONTACT_RETENTION_DAYS = 180
    old = submit(contact_email="a@example.org", contact_consent=True)
    recent = submit(
        contact_email="b@example.org",
        contact_consent=True,
        url="https://weibo.com/7/other",
        content="微博上有人冒充龙湾区医院发布招聘信息，要求先交培训费。",
    )
    for report in (old, recent):
        services.report_reject(
            report_id=report.pk, actor=office_admin, reason="not_harmful", text="无"
        )
    Report.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=181))
    assert services.contacts_erase_expired() == 1
    assert services.contacts_erase_expired() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.contact_email, old.contact_phone) == ("", "")
    assert old.contact_erased_at is not None
    assert old.content  # the report itself stays
    assert recent.contact_email == "b@example.org"
    assert old.events.filter(kind=EventKind.CONTACT_ERASED).count() == 1


def test_deadlines_warn_remind_and_escalate_once_each(
    routed, office_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_ESCALATE_AFTER_WORKING_DAYS = 2
    office_admin.email = "admin@example.org"
    office_admin.save()
    Report.objects.filter(pk=routed.pk).update(due_at=timezone.now() + timedelta(hours=12))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deadlines_check() == {"warned": 1, "reminded": 0, "escalated": 0}
    assert services.deadlines_check() == {"warned": 0, "reminded": 0, "escalated": 0}
    assert mail.outbox[-1].to == ["lucheng@example.org"]
    assert "临期提醒" in mail.outbox[-1].subject

    Report.objects.filter(pk=routed.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert services.deadlines_check()["reminded"] == 1
    reminder = routed.events.get(kind=EventKind.REMINDER)
    assert reminder.department == routed.lead_department

    Report.objects.filter(pk=routed.pk).update(due_at=timezone.now() - timedelta(days=10))
    # Escalation waits for a later run than the reminder's (beat's next, 15 minutes on).
    assert services.deadlines_check()["escalated"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.deadlines_check(now=timezone.now() + timedelta(minutes=15))["escalated"] == 1
        )
    assert ["admin@example.org"] in [message.to for message in mail.outbox]
    assert services.deadlines_check() == {"warned": 0, "reminded": 0, "escalated": 0}
    routed.refresh_from_db()
    assert routed.is_overdue


def test_paused_reports_are_never_chased(routed, lucheng_handler):
    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    services.report_pause(report_id=routed.pk, actor=lucheng_handler, request_text="请补充")
    Report.objects.filter(pk=routed.pk).update(due_at=timezone.now() - timedelta(days=10))
    assert services.deadlines_check() == {"warned": 0, "reminded": 0, "escalated": 0}
