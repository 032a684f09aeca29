"""Staff in Django admin: scoping, actions through the services, export, audit."""

import pytest

from rumors.models import EventKind, Report, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(submit, district_rules):
    return submit(contact_email="citizen@example.org", contact_consent=True)


def test_a_handler_sees_only_their_departments_reports_in_admin(
    client, routed, submit, lucheng_handler, longwan_handler
):
    from wenzhou_portal.districts import District

    longwan_report = submit(district=District.LONGWAN)
    client.force_login(lucheng_handler)
    listing = client.get("/admin/rumors/report/").content.decode()
    assert routed.formatted_tracking_code in listing
    assert longwan_report.formatted_tracking_code not in listing
    assert client.get(f"/admin/rumors/report/{routed.pk}/change/").status_code == 200
    assert client.get(f"/admin/rumors/report/{longwan_report.pk}/change/").status_code == 404
    response = client.post(f"/admin/rumors/report/{longwan_report.pk}/act/", {"action": "accept"})
    assert response.status_code == 404
    longwan_report.refresh_from_db()
    assert longwan_report.status == Status.ROUTED


def test_a_handler_accepts_and_resolves_from_the_admin_page(client, routed, lucheng_handler):
    client.force_login(lucheng_handler)
    page = client.get(f"/admin/rumors/report/{routed.pk}/change/").content.decode()
    assert "开始处置" in page
    assert "citizen@example.org" not in page  # contact is for office admins only
    client.post(f"/admin/rumors/report/{routed.pk}/act/", {"action": "accept"})
    response = client.post(
        f"/admin/rumors/report/{routed.pk}/act/",
        {"action": "resolve", "resolve-feedback": "已删除。", "resolve-internal_text": "工单 7"},
        follow=True,
    )
    assert "已完成" in response.content.decode()
    routed.refresh_from_db()
    assert routed.status == Status.RESOLVED


def test_a_refused_transition_is_shown_as_a_clear_message(client, routed, office_admin):
    client.force_login(office_admin)
    client.post(
        f"/admin/rumors/report/{routed.pk}/act/",
        {"action": "reject", "reject-reason": "not_harmful", "reject-text": "不属于"},
    )
    response = client.post(
        f"/admin/rumors/report/{routed.pk}/act/",
        {"action": "resolve", "resolve-feedback": "再办结"},
        follow=True,
    )
    assert "不能执行“办结反馈”" in response.content.decode()
    routed.refresh_from_db()
    assert routed.status == Status.REJECTED


def test_resolving_without_feedback_is_refused_with_a_message(client, routed, lucheng_handler):
    client.force_login(lucheng_handler)
    response = client.post(
        f"/admin/rumors/report/{routed.pk}/act/", {"action": "resolve"}, follow=True
    )
    assert "请填写给举报人的反馈" in response.content.decode()
    routed.refresh_from_db()
    assert routed.status == Status.ROUTED


def test_office_admins_see_the_contact_and_the_view_is_logged(client, routed, office_admin):
    client.force_login(office_admin)
    assert client.get(f"/admin/rumors/report/{routed.pk}/contact/").status_code == 302
    page = client.post(f"/admin/rumors/report/{routed.pk}/contact/").content.decode()
    assert "citizen@example.org" in page
    assert routed.events.filter(kind=EventKind.CONTACT_VIEWED, actor=office_admin).count() == 1


def test_handlers_cannot_open_the_contact(client, routed, lucheng_handler):
    client.force_login(lucheng_handler)
    response = client.post(f"/admin/rumors/report/{routed.pk}/contact/")
    assert response.status_code == 403
    assert not routed.events.filter(kind=EventKind.CONTACT_VIEWED).exists()


def test_search_by_tracking_code_with_dashes_or_lower_case(client, routed, submit, office_admin):
    other = submit()
    client.force_login(office_admin)
    listing = client.get(
        "/admin/rumors/report/", {"q": routed.formatted_tracking_code.lower()}
    ).content.decode()
    assert routed.formatted_tracking_code in listing
    assert other.formatted_tracking_code not in listing


def test_overdue_filter(client, routed, submit, office_admin):
    from datetime import timedelta

    from django.utils import timezone

    late = submit()
    Report.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    client.force_login(office_admin)
    listing = client.get("/admin/rumors/report/", {"overdue": "yes"}).content.decode()
    assert late.formatted_tracking_code in listing
    assert routed.formatted_tracking_code not in listing


def test_csv_export_is_for_office_admins_only(client, routed, office_admin, lucheng_handler):
    client.force_login(office_admin)
    response = client.post(
        "/admin/rumors/report/",
        {"action": "export_csv", "_selected_action": [routed.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert routed.formatted_tracking_code in body
    assert "citizen@example.org" not in body
    client.force_login(lucheng_handler)
    listing = client.get("/admin/rumors/report/").content.decode()
    assert "export_csv" not in listing


def test_the_auditor_reads_everything_and_changes_nothing(client, routed, auditor):
    client.force_login(auditor)
    assert client.get("/admin/rumors/report/").status_code == 200
    page = client.get(f"/admin/rumors/report/{routed.pk}/change/").content.decode()
    assert routed.formatted_tracking_code in page
    assert 'id="report-action-form"' not in page
    response = client.post(
        f"/admin/rumors/report/{routed.pk}/act/", {"action": "accept"}, follow=True
    )
    assert "无权" in response.content.decode()
    routed.refresh_from_db()
    assert routed.status == Status.ROUTED
    assert client.get("/admin/rumors/routingrule/add/").status_code == 403


def test_routing_rules_keep_their_change_history(client, district_rules, office_admin, police):
    from django.contrib.admin.models import LogEntry

    rule = district_rules[0]
    client.force_login(office_admin)
    response = client.post(
        f"/admin/rumors/routingrule/{rule.pk}/change/",
        {
            "category": "",
            "platform": "",
            "district": rule.district,
            "lead_department": rule.lead_department_id,
            "co_handlers": [police.pk],
            "working_days": 2,
            "is_active": "on",
            "note": "",
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(rule.pk))
    assert entry.user == office_admin
    assert "working_days" in entry.change_message or "办理时限" in entry.get_change_message()
    assert client.get(f"/admin/rumors/routingrule/{rule.pk}/history/").status_code == 200
