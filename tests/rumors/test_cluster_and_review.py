"""One answer for a whole cluster, and the second look (复核) with four eyes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rumors import services
from rumors.models import EventKind, Rating, Report, ReviewOutcome, Status
from wenzhou_portal.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster(submit, district_rules):
    """A primary and four reports of the same link, auto-linked to it, each reporter told."""
    reports = [
        submit(contact_email=f"citizen{i}@example.org", contact_consent=True) for i in range(5)
    ]
    primary = reports[0]
    for member in reports[1:]:
        member.refresh_from_db()
        assert member.duplicate_of_id == primary.pk
    return primary, reports[1:]


def _sent_to(report: Report, kind: EventKind) -> int:
    events = report.events.filter(kind=kind)
    return Notification.objects.filter(
        source_type__model="reportevent", source_id__in=events.values("pk")
    ).count()


def test_an_auto_linked_duplicate_gets_its_primarys_outcome(
    cluster, lucheng_handler, django_capture_on_commit_callbacks
):
    primary, members = cluster
    with django_capture_on_commit_callbacks(execute=True):
        services.report_resolve(
            report_id=primary.pk, actor=lucheng_handler, feedback="经核实为谣言，已删除。"
        )
    for member in members:
        member.refresh_from_db()
        assert member.status == Status.RESOLVED
        assert member.public_feedback == "经核实为谣言，已删除。"
        assert member.closed_at is not None
        # Its own timeline entry, and its reporter told once.
        assert member.events.filter(kind=EventKind.RESOLVED).count() == 1
        assert _sent_to(member, EventKind.RESOLVED) == 1


def test_a_cluster_rejection_carries_the_reason_to_each_member(cluster, lucheng_handler):
    primary, members = cluster
    services.report_reject(
        report_id=primary.pk,
        actor=lucheng_handler,
        reason="out_of_area",
        text="该信息发生在外省。",
    )
    for member in members:
        member.refresh_from_db()
        assert member.status == Status.REJECTED
        assert member.rejection_reason == "out_of_area"


def test_a_closed_member_is_left_alone(cluster, lucheng_handler, office_admin):
    primary, members = cluster
    services.report_reject(
        report_id=members[0].pk, actor=lucheng_handler, reason="insufficient", text="线索不足。"
    )
    services.report_resolve(report_id=primary.pk, actor=lucheng_handler, feedback="已删除。")
    members[0].refresh_from_db()
    assert members[0].status == Status.REJECTED
    assert members[0].events.filter(kind=EventKind.RESOLVED).count() == 0


def test_answering_with_a_debunk_answers_the_cluster(cluster, lucheng_handler, published_debunk):
    primary, members = cluster
    services.report_link_debunk(
        report_id=primary.pk, actor=lucheng_handler, debunk_id=published_debunk.pk
    )
    for member in members:
        member.refresh_from_db()
        assert member.status == Status.RESOLVED
        assert member.debunk_id == published_debunk.pk


# --- The second look ------------------------------------------------------------------


@pytest.fixture
def under_review(routed, lucheng_handler):
    """A report resolved by the Lucheng handler, rated unsatisfied, review asked for."""
    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    services.report_resolve(report_id=routed.pk, actor=lucheng_handler, feedback="已处理。")
    Report.objects.filter(pk=routed.pk).update(
        rating=Rating.UNSATISFIED,
        rated_at=timezone.now(),
        status=Status.REVIEW,
        review_requested_at=timezone.now(),
        review_reason="帖子还在。",
    )
    routed.refresh_from_db()
    return routed


def test_the_handler_cannot_review_their_own_work_even_as_office_admin(
    under_review, lucheng_handler, make_staff
):
    from wenzhou_portal.roles import Role

    lucheng_handler.groups.add(*make_staff("x", Role.OFFICE_ADMIN).groups.all())
    assert "review_uphold" not in services.actions_allowed(
        user=lucheng_handler, report=under_review
    )
    with pytest.raises(PermissionDenied):
        services.report_review_uphold(
            report_id=under_review.pk, actor=lucheng_handler, reply="维持。"
        )


def test_a_department_handler_cannot_review_at_all(under_review, longwan_handler):
    with pytest.raises(PermissionDenied):
        services.report_review_reopen(
            report_id=under_review.pk, actor=longwan_handler, reply="重办。"
        )


def test_another_office_admin_upholds_and_the_reporter_reads_why(under_review, office_admin):
    services.report_review_uphold(
        report_id=under_review.pk, actor=office_admin, reply="平台已删除该帖，截图为删除前。"
    )
    under_review.refresh_from_db()
    assert under_review.status == Status.RESOLVED
    assert under_review.review_outcome == ReviewOutcome.UPHELD
    assert under_review.review_decided_by == office_admin
    assert under_review.rating == Rating.UNSATISFIED
    event = under_review.events.get(kind=EventKind.REVIEW_UPHELD)
    assert "平台已删除该帖" in event.public_text


def test_reopening_sends_it_back_with_a_deadline_and_keeps_the_history(
    under_review, office_admin, lucheng_handler
):
    services.report_review_reopen(
        report_id=under_review.pk, actor=office_admin, reply="请再次核查。", working_days=3
    )
    under_review.refresh_from_db()
    assert under_review.status == Status.IN_PROGRESS
    assert under_review.review_outcome == ReviewOutcome.REOPENED
    assert under_review.due_at > timezone.now()
    assert under_review.rating == ""
    assert under_review.closed_at is None
    kinds = list(under_review.events.values_list("kind", flat=True))
    assert EventKind.RESOLVED in kinds
    assert kinds[-1] == EventKind.REVIEW_REOPENED
    # The department answers again, and the reporter may rate the new answer.
    services.report_resolve(report_id=under_review.pk, actor=lucheng_handler, feedback="已删除。")
    services.report_rate(report=under_review, rating=Rating.SATISFIED)


def test_a_review_decision_needs_a_reply_and_a_sane_deadline(under_review, office_admin):
    with pytest.raises(ValidationError) as blank:
        services.report_review_uphold(report_id=under_review.pk, actor=office_admin, reply=" ")
    assert "reply" in blank.value.message_dict
    with pytest.raises(ValidationError) as too_long:
        services.report_review_reopen(
            report_id=under_review.pk, actor=office_admin, reply="重办。", working_days=400
        )
    assert "working_days" in too_long.value.message_dict


def test_a_decided_review_cannot_be_decided_twice(under_review, office_admin):
    services.report_review_uphold(report_id=under_review.pk, actor=office_admin, reply="维持。")
    with pytest.raises(services.TransitionError):
        services.report_review_reopen(report_id=under_review.pk, actor=office_admin, reply="重办。")


def test_the_api_offers_the_review_decisions(client, under_review, office_admin):
    client.force_login(office_admin)
    response = client.post(
        f"/api/v1/reports/{under_review.pk}/review-reopen/",
        {"reply": "请再次核查。"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    under_review.refresh_from_db()
    assert under_review.status == Status.IN_PROGRESS


def test_public_statistics_count_reviews_and_reopenings(client, under_review, office_admin):
    services.report_review_reopen(report_id=under_review.pk, actor=office_admin, reply="重办。")
    figures = client.get("/api/v1/reports/stats/").json()["reviews"]
    assert figures == {"requested": 1, "upheld": 0, "reopened": 1, "pending": 0}
    page = client.get("/reports/stats/").content.decode()
    assert "重新办理 1 件" in page
