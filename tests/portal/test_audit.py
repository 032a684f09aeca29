"""The audit log: one record per staff write, by app, append-only down to the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from rumors.models import RoutingRule
from tests.support import require_service
from wenzhou_portal.audit import audit_record
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_apps_action_is_filed_under_the_app_and_a_sign_in_under_the_portal(office_admin):
    assert audit_record(action="campaigns.votes_excluded", actor=office_admin).app == "campaigns"
    assert audit_record(action="login", actor=office_admin).app == "wenzhou_portal"


def test_the_auditor_filters_the_log_by_app_and_actor(client, auditor, office_admin):
    audit_record(action="campaigns.votes_excluded", actor=office_admin, target="投票 12")
    audit_record(action="rumors.debunk_withdrawn", actor=auditor, target="辟谣 3")
    client.force_login(auditor)
    by_app = client.get("/admin/wenzhou_portal/auditevent/", {"app": "campaigns"})
    assert by_app.status_code == 200
    assert "投票 12" in by_app.content.decode()
    assert "辟谣 3" not in by_app.content.decode()
    by_actor = client.get("/admin/wenzhou_portal/auditevent/", {"actor__id__exact": auditor.pk})
    assert "辟谣 3" in by_actor.content.decode()
    assert "投票 12" not in by_actor.content.decode()


def test_an_admin_edit_of_reference_data_writes_one_record(client, office_admin):

    from rumors.services import office_department

    office = office_department()
    client.force_login(office_admin)
    response = client.post(
        "/admin/rumors/routingrule/add/",
        {
            "category": "",
            "platform": "",
            "district": "330302",
            "lead_department": office.pk,
            "working_days": 5,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get()
    event = AuditEvent.objects.get(action="rumors.routingrule_added")
    assert (event.app, event.actor, event.target.startswith(f"rumors.routingrule:{rule.pk}")) == (
        "rumors",
        office_admin,
        True,
    )
    client.post(f"/admin/rumors/routingrule/{rule.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.filter(action="rumors.routingrule_deleted").count() == 1


def test_the_database_refuses_to_change_or_delete_an_audit_event(office_admin):
    require_service(connection.vendor == "postgresql", "the append-only trigger is PostgreSQL's")
    event = audit_record(action="login", actor=office_admin)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "login"
