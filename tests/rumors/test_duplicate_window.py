"""Duplicate detection's text probe searches the reports of the window only: the flagged
ones (``in_duplicate_window``), in a partial trigram index; housekeeping takes reports out
of it a day after they leave the window."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rumors import services
from rumors.models import Report, RoutingState
from tests.rumors.conftest import report_input

pytestmark = pytest.mark.django_db

RUMOUR = "有人在微信群里说瓯海区明天全区停电三天，请大家提前储水"


def _report(*, content: str = RUMOUR, days_ago: float = 0, place: str = "业主群") -> Report:
    report = services.report_submit(
        data=report_input(url="", place_description=place, content=content),
        queue_routing=False,
    )
    if days_ago:
        Report.objects.filter(pk=report.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
        report.refresh_from_db()
    return report


def _flags(*reports: Report) -> list[bool]:
    return [Report.objects.get(pk=report.pk).in_duplicate_window for report in reports]


def test_a_new_report_is_in_the_duplicate_window():
    assert _report().in_duplicate_window is True


def test_housekeeping_takes_out_reports_a_day_past_the_window_and_leaves_the_rest(settings):
    settings.DUPLICATE_WINDOW_DAYS = 30
    long_gone, just_out = _report(days_ago=90), _report(days_ago=31.1)
    margin, inside, today = _report(days_ago=30.9), _report(days_ago=12), _report()
    before = Report.objects.get(pk=just_out.pk).updated_at

    assert services.reports_duplicate_window_clear(batch_size=1) == 2

    assert _flags(long_gone, just_out, margin, inside, today) == [False, False, True, True, True]
    # An index flag, not a change of the report.
    assert Report.objects.get(pk=just_out.pk).updated_at == before
    # A second run (a second delivery, or tomorrow's with nothing new) finds nothing.
    assert services.reports_duplicate_window_clear() == 0


def test_the_daily_task_clears_through_the_service(settings):
    from rumors.tasks import clear_duplicate_window

    settings.DUPLICATE_WINDOW_DAYS = 30
    old = _report(days_ago=40)
    assert clear_duplicate_window.run() == 1
    assert _flags(old) == [False]


def test_a_fresh_report_links_to_a_flagged_earlier_one_in_the_window(district_rules):
    earlier = _report(days_ago=3, place="小区群")
    later = _report(content=RUMOUR + "，转发扩散")

    assert services.reports_route_pending() == 2

    later.refresh_from_db()
    assert later.duplicate_of == earlier


def test_a_report_routed_days_late_still_finds_an_earlier_one_housekeeping_took_out(
    district_rules, settings
):
    """The partial index may have lost part of a late report's window: that report is
    searched without it, so an outage that delays routing never hides a duplicate."""
    settings.DUPLICATE_WINDOW_DAYS = 30
    earlier = _report(days_ago=33, place="小区群")
    Report.objects.filter(pk=earlier.pk).update(routing_state=RoutingState.DONE)
    late = _report(content=RUMOUR + "，转发扩散", days_ago=5)
    assert services.reports_duplicate_window_clear() == 1

    assert services.reports_route_pending() == 1

    late.refresh_from_db()
    assert late.duplicate_of == earlier
