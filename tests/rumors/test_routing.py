from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from rumors import services
from rumors.models import (
    CalendarDay,
    CalendarDayKind,
    EventKind,
    Report,
    ReportEvent,
    RoutingRule,
    RoutingState,
    Status,
)
from rumors.workdays import WorkCalendar
from wenzhou_portal.districts import District

pytestmark = pytest.mark.django_db


def test_the_most_specific_matching_rule_wins(lucheng_office, police, market_regulator):
    RoutingRule.objects.create(district=District.LUCHENG, lead_department=lucheng_office)
    RoutingRule.objects.create(category="fraud", lead_department=police)
    specific = RoutingRule.objects.create(
        category="fraud", platform="douyin", lead_department=market_regulator
    )
    assert (
        services.rule_match(category="fraud", platform="douyin", district=District.LUCHENG)
        == specific
    )
    # Two facts beat one; with equal specificity the category outranks the district.
    assert (
        services.rule_match(
            category="fraud", platform="wechat", district=District.LUCHENG
        ).lead_department
        == police
    )
    assert (
        services.rule_match(
            category="rumor", platform="wechat", district=District.LUCHENG
        ).lead_department
        == lucheng_office
    )


def test_inactive_rules_and_inactive_departments_are_ignored(lucheng_office):
    RoutingRule.objects.create(
        district=District.LUCHENG, lead_department=lucheng_office, is_active=False
    )
    assert (
        services.rule_match(category="rumor", platform="wechat", district=District.LUCHENG) is None
    )
    lucheng_office.is_active = False
    lucheng_office.save()
    RoutingRule.objects.create(district=District.LUCHENG, lead_department=lucheng_office)
    assert (
        services.rule_match(category="rumor", platform="wechat", district=District.LUCHENG) is None
    )


def test_a_report_no_rule_matches_goes_to_the_office_triage_queue(submit, office, district_rules):
    report = submit(district=District.TAISHUN)
    assert report.status == Status.TRIAGE
    assert report.lead_department == office
    assert report.due_at is None
    assert report.events.filter(kind=EventKind.TRIAGED).count() == 1


def test_routing_assigns_the_lead_and_co_handlers_with_a_working_day_deadline(
    submit, lucheng_office, police
):
    rule = RoutingRule.objects.create(
        district=District.LUCHENG, lead_department=lucheng_office, working_days=3
    )
    rule.co_handlers.add(police)
    report = submit()
    assert report.status == Status.ROUTED
    assert report.routing_state == RoutingState.DONE
    assert report.lead_department == lucheng_office
    assert list(report.co_handlers.all()) == [police]
    assert report.due_at > timezone.now()
    routed = report.events.get(kind=EventKind.ROUTED)
    assert "鹿城区委网信办" in routed.public_text
    assert routed.due_at == report.due_at


def test_a_duplicate_delivery_of_the_routing_task_assigns_once_and_records_one_event(
    submit, district_rules
):
    report = submit(route=False)
    assert report.routing_state == RoutingState.PENDING
    assert services.report_route(report_id=report.pk) is True
    assert services.report_route(report_id=report.pk) is False
    assert report.events.filter(kind__in=[EventKind.ROUTED, EventKind.TRIAGED]).count() == 1


def test_observer_reports_get_a_higher_priority(district_rules, django_user_model):
    observer = django_user_model.objects.create_user("observer", is_citizen_observer=True)
    report = services.report_submit(data=_input(), reporter=observer)
    plain = services.report_submit(data=_input())
    assert report.priority > plain.priority
    assert Report.objects.first() == report


def _input():
    from tests.rumors.conftest import report_input

    return report_input()


def test_correcting_the_category_reroutes_with_an_event_saying_why(
    submit, district_rules, police, office_admin, longwan_office
):
    RoutingRule.objects.create(category="fraud", lead_department=police)
    report = submit()
    assert report.lead_department.name == "鹿城区委网信办"
    services.report_reclassify(
        report_id=report.pk, actor=office_admin, category="fraud", district=District.LUCHENG
    )
    report.refresh_from_db()
    assert report.lead_department == police
    rerouted = report.events.get(kind=EventKind.REROUTED)
    assert "类别由“谣言”更正为“诈骗”" in rerouted.internal_text
    services.report_reclassify(
        report_id=report.pk, actor=office_admin, category="rumor", district=District.LONGWAN
    )
    report.refresh_from_db()
    assert report.lead_department == longwan_office
    assert report.events.filter(kind=EventKind.REROUTED).count() == 2


def test_the_sweeper_routes_every_pending_report_oldest_first(submit, district_rules):
    stale = submit(route=False)
    fresh = submit(route=False)
    Report.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert services.reports_route_pending(batch_size=1, limit=1) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.routing_state == RoutingState.DONE
    assert fresh.routing_state == RoutingState.PENDING
    # The sweeper task routes the rest, whatever their age (the claim keeps it once).
    from rumors.tasks import requeue_pending_routing

    assert requeue_pending_routing.apply().get() == 1
    fresh.refresh_from_db()
    assert fresh.routing_state == RoutingState.DONE


def _aware(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())


def test_working_days_skip_weekends_and_holidays_and_count_make_up_days():
    calendar = WorkCalendar(
        holidays=frozenset({date(2026, 10, d) for d in range(1, 8)}),
        makeup_workdays=frozenset({date(2026, 9, 20), date(2026, 10, 10)}),
    )
    # Friday 2026-09-18 + 1 working day = Sunday 20 September, a make-up working day.
    assert calendar.add_working_days(_aware(2026, 9, 18, 10), 1).date() == date(2026, 9, 20)
    # Wednesday 30 September + 1 skips the National Day week to Thursday 8 October.
    assert calendar.add_working_days(_aware(2026, 9, 30, 10), 1).date() == date(2026, 10, 8)
    # ... + 3 lands on Saturday 10 October (make-up) then Monday 12.
    assert calendar.add_working_days(_aware(2026, 9, 30, 10), 3).date() == date(2026, 10, 10)
    assert calendar.add_working_days(_aware(2026, 9, 30, 10), 4).date() == date(2026, 10, 12)
    assert calendar.working_days_between(_aware(2026, 9, 30, 10), _aware(2026, 10, 12, 9)) == 4
    assert timezone.localtime(calendar.add_working_days(_aware(2026, 9, 30, 10), 1)).hour == 17


def test_the_calendar_is_data_that_staff_maintain(submit, district_rules):
    from rumors.workdays import work_calendar

    CalendarDay.objects.create(date=date(2026, 12, 31), kind=CalendarDayKind.HOLIDAY, name="测试")
    CalendarDay.objects.create(date=date(2027, 1, 2), kind=CalendarDayKind.WORKDAY, name="调休")
    calendar = work_calendar()
    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.is_working_day(date(2027, 1, 2))


def test_every_routing_step_is_recorded_as_an_event(submit, district_rules):
    report = submit()
    kinds = list(ReportEvent.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds == [EventKind.SUBMITTED, EventKind.ROUTED]
