"""An unsatisfied reporter asks for a second look (复核), once, within 15 working days."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from rumors import services
from rumors.models import EventKind, Report, ReportEvent, Status
from rumors.services import reporter
from rumors.workdays import work_calendar
from wenzhou_portal.models import Notification

pytestmark = pytest.mark.django_db

REASON = "平台上的视频还在，并没有删除。"


@pytest.fixture
def resolved(routed, lucheng_handler):
    services.report_resolve(
        report_id=routed.pk, actor=lucheng_handler, feedback="平台已删除该视频。"
    )
    routed.refresh_from_db()
    return routed


@pytest.fixture
def unsatisfied(resolved):
    """Resolved today and rated 不满意 by its reporter."""
    services.report_rate(report=resolved, rating="unsatisfied", comment="视频还在。")
    resolved.refresh_from_db()
    return resolved


def _closed_working_days_ago(report: Report, days: int) -> None:
    """Move the closing back so that exactly `days` working days have passed since."""
    calendar, now = work_calendar(), timezone.now()
    closed = now
    while calendar.working_days_between(closed, now) < days:
        closed -= timedelta(days=1)
    Report.objects.filter(pk=report.pk).update(closed_at=closed)
    report.refresh_from_db()


def _event_notifications(event):
    return Notification.objects.filter(
        source_type=ContentType.objects.get_for_model(ReportEvent), source_id=event.pk
    )


# --- The service ---------------------------------------------------------------------------


def test_an_unsatisfied_reporter_asks_and_the_office_admins_are_told(
    unsatisfied, office_admin, lucheng_handler
):
    before = timezone.now()
    report = services.report_review_request(
        tracking_code=unsatisfied.formatted_tracking_code.lower(), reason=f" {REASON} "
    )
    report.refresh_from_db()
    assert report.status == Status.REVIEW
    assert report.review_requested_at >= before
    assert report.review_reason == REASON
    assert report.due_at == work_calendar().add_working_days(report.review_requested_at, 10)
    assert report.rating == "unsatisfied"  # the rating that led here stays
    event = ReportEvent.objects.get(report=report, kind=EventKind.REVIEW_REQUESTED)
    assert event.from_status == Status.RESOLVED
    assert event.to_status == Status.REVIEW
    assert "复核申请" in event.public_text
    assert event.internal_text == REASON
    told = {(n.recipient_type.model, n.recipient_id) for n in _event_notifications(event)}
    assert ("user", office_admin.pk) in told
    assert ("user", lucheng_handler.pk) not in told  # the handler is not the reviewer


def test_the_last_of_the_fifteen_working_days_is_still_in_time(unsatisfied):
    _closed_working_days_ago(unsatisfied, 15)
    report = services.report_review_request(tracking_code=unsatisfied.tracking_code, reason=REASON)
    assert report.status == Status.REVIEW


def test_after_fifteen_working_days_the_request_is_refused_with_the_reason(unsatisfied):
    _closed_working_days_ago(unsatisfied, 16)
    with pytest.raises(services.TransitionError) as caught:
        services.report_review_request(tracking_code=unsatisfied.tracking_code, reason=REASON)
    assert "期限已过" in caught.value.messages[0]
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.RESOLVED
    assert unsatisfied.review_requested_at is None


def test_a_second_request_is_refused(unsatisfied):
    services.report_review_request(tracking_code=unsatisfied.tracking_code, reason=REASON)
    with pytest.raises(services.TransitionError) as caught:
        services.report_review_request(tracking_code=unsatisfied.tracking_code, reason=REASON)
    assert "已经申请过复核" in caught.value.messages[0]
    assert ReportEvent.objects.filter(kind=EventKind.REVIEW_REQUESTED).count() == 1


def test_asking_again_after_the_decision_is_refused(unsatisfied, office_admin):
    services.report_review_request(tracking_code=unsatisfied.tracking_code, reason=REASON)
    services.report_review_uphold(
        report_id=unsatisfied.pk, actor=office_admin, reply="经复核，视频已于当日删除。"
    )
    with pytest.raises(services.TransitionError, match="已经申请过复核"):
        services.report_review_request(tracking_code=unsatisfied.tracking_code, reason=REASON)


def test_a_reopened_report_keeps_its_history_and_cannot_be_reviewed_twice(
    unsatisfied, office_admin, lucheng_handler
):
    services.report_review_request(tracking_code=unsatisfied.tracking_code, reason=REASON)
    services.report_review_reopen(
        report_id=unsatisfied.pk, actor=office_admin, reply="请鹿城区重新核查。"
    )
    services.report_resolve(
        report_id=unsatisfied.pk, actor=lucheng_handler, feedback="已再次核查并删除。"
    )
    report = Report.objects.get(pk=unsatisfied.pk)
    services.report_rate(report=report, rating="unsatisfied")
    with pytest.raises(services.TransitionError, match="已经申请过复核"):
        services.report_review_request(tracking_code=report.tracking_code, reason=REASON)
    kinds = list(
        ReportEvent.objects.filter(report=report).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds.count(EventKind.RESOLVED) == 2
    assert EventKind.REVIEW_REQUESTED in kinds
    assert EventKind.REVIEW_REOPENED in kinds


@pytest.mark.parametrize("rating", ["", "satisfied", "fairly"])
def test_only_an_unsatisfied_rating_may_ask(resolved, rating):
    if rating:
        services.report_rate(report=resolved, rating=rating)
    with pytest.raises(services.TransitionError, match="不满意"):
        services.report_review_request(tracking_code=resolved.tracking_code, reason=REASON)


def test_an_open_report_may_not_ask(routed):
    with pytest.raises(services.TransitionError, match="不满意"):
        services.report_review_request(tracking_code=routed.tracking_code, reason=REASON)


@pytest.mark.parametrize(
    "reason",
    ["", "   ", "\u200b\u200e", "理" * 501, "带空字符\x00的理由", None],
)
def test_a_bad_reason_is_refused_naming_the_field(unsatisfied, reason):
    with pytest.raises(ValidationError) as caught:
        services.report_review_request(tracking_code=unsatisfied.tracking_code, reason=reason)
    assert "reason" in caught.value.message_dict
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.RESOLVED


def test_a_reason_of_exactly_500_characters_is_accepted(unsatisfied):
    report = services.report_review_request(
        tracking_code=unsatisfied.tracking_code, reason="理" * 500
    )
    assert len(report.review_reason) == 500


@pytest.mark.parametrize("code", ["", "nonsense", "0000-0000-0000-0000"])
def test_a_wrong_code_is_a_miss(code, unsatisfied):
    with pytest.raises(reporter.ReportNotFound):
        services.report_review_request(tracking_code=code, reason=REASON)


# --- The page ------------------------------------------------------------------------------


def test_the_offer_appears_only_for_an_unsatisfied_reporter_in_time(client, resolved):
    url = f"/reports/track/{resolved.tracking_code}/"
    assert "申请复核" not in client.get(url).content.decode()
    services.report_rate(report=resolved, rating="unsatisfied")
    html = client.get(url).content.decode()
    assert "对处理结果不满意？可以申请复核" in html
    assert 'action="/reports/track/review/#outcome"' in html
    last_day = reporter.review_last_day(Report.objects.get(pk=resolved.pk))
    assert last_day.isoformat() in html
    _closed_working_days_ago(resolved, 16)
    assert 'action="/reports/track/review/#outcome"' not in client.get(url).content.decode()


def test_rating_unsatisfied_on_the_page_offers_the_second_look_at_once(client, resolved):
    response = client.post(
        "/reports/track/rate/", {"code": resolved.tracking_code, "rating": "unsatisfied"}
    )
    assert 'action="/reports/track/review/#outcome"' in response.content.decode()


def test_asking_on_the_page_redirects_and_shows_the_review_state(client, unsatisfied):
    response = client.post(
        "/reports/track/review/", {"code": unsatisfied.tracking_code, "reason": REASON}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/reports/track/{unsatisfied.tracking_code}/"
    html = client.get(response["Location"]).content.decode()
    assert "您的复核申请已提交" in html
    assert "复核中" in html
    assert "预计在" in html
    assert 'action="/reports/track/review/#outcome"' not in html


def test_the_decision_shows_on_the_page(client, unsatisfied, office_admin):
    services.report_review_request(tracking_code=unsatisfied.tracking_code, reason=REASON)
    services.report_review_uphold(
        report_id=unsatisfied.pk, actor=office_admin, reply="经复核，视频已于当日删除。"
    )
    html = client.get(f"/reports/track/{unsatisfied.tracking_code}/").content.decode()
    assert "维持原办理结果" in html
    assert "经复核，视频已于当日删除。" in html


def test_a_refused_request_on_the_page_says_why(client, unsatisfied):
    _closed_working_days_ago(unsatisfied, 16)
    response = client.post(
        "/reports/track/review/", {"code": unsatisfied.tracking_code, "reason": REASON}
    )
    assert response.status_code == 409
    assert "期限已过" in response.content.decode()


def test_a_blank_reason_on_the_page_keeps_the_form(client, unsatisfied):
    response = client.post("/reports/track/review/", {"code": unsatisfied.tracking_code})
    assert response.status_code == 400
    assert 'action="/reports/track/review/#outcome"' in response.content.decode()
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.RESOLVED


def test_a_wrong_code_on_the_page_is_the_common_miss(client):
    response = client.post("/reports/track/review/", {"code": "0000", "reason": REASON})
    assert response.status_code == 404
    assert "没有找到与该查询码对应的举报" in response.content.decode()


def test_review_requests_are_rate_limited_like_lookups(client, unsatisfied, settings):
    settings.TRACK_RATE_LIMIT = "1/m"
    client.post("/reports/track/", {"code": "x"})
    refused = client.post(
        "/reports/track/review/", {"code": unsatisfied.tracking_code, "reason": REASON}
    )
    assert refused.status_code == 429
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.RESOLVED
