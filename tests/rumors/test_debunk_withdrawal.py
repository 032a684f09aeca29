"""Published debunks are withdrawn with a reason, never deleted (issue 9, item 10)."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from rumors import services
from rumors.models import Debunk, Report, Status
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db

LABELS = "/api/v1/debunks/labels/"
REASON = "经进一步核实，原结论依据的供水公告有误，现撤回。"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        username="root", password="correct horse battery staple"
    )


@pytest.fixture
def published(debunk, office_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.debunk_publish(debunk_id=debunk.pk, actor=office_admin)
    debunk.refresh_from_db()
    return debunk


@pytest.fixture
def answered_report(submit, district_rules, published, office_admin):
    """陈先生's report, closed by the debunk; he agreed to be told of progress by e-mail."""
    report = submit(contact_email="chen@example.org", contact_consent=True)
    services.report_link_debunk(report_id=report.pk, actor=office_admin, debunk_id=published.pk)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    return report


def withdraw(debunk, actor, capture, reason=REASON):
    with capture(execute=True):
        services.debunk_withdraw(debunk_id=debunk.pk, actor=actor, reason=reason)
    debunk.refresh_from_db()
    return debunk


# --- Nobody deletes a published debunk ------------------------------------------------


def test_a_superuser_cannot_delete_a_published_debunk_in_admin(
    client, superuser, published, answered_report
):
    client.force_login(superuser)
    change_page = client.get(f"/admin/rumors/debunk/{published.pk}/change/").content.decode()
    assert f"/admin/rumors/debunk/{published.pk}/delete/" not in change_page
    assert client.get(f"/admin/rumors/debunk/{published.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/rumors/debunk/{published.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Debunk.objects.filter(pk=published.pk).exists()
    answered_report.refresh_from_db()
    assert answered_report.debunk_id == published.pk


def test_the_bulk_delete_action_refuses_a_selection_with_a_published_debunk(
    client, superuser, published, office
):
    draft = Debunk.objects.create(
        slug="draft", title="草稿", claim="c", verdict="false", summary="s", authority=office
    )
    client.force_login(superuser)
    response = client.post(
        "/admin/rumors/debunk/",
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [published.pk, draft.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 200
    assert "已发布，只能撤回，不能删除" in response.content.decode()
    assert set(Debunk.objects.values_list("pk", flat=True)) == {published.pk, draft.pk}


def test_a_draft_that_was_never_published_can_still_be_deleted(client, superuser, debunk):
    client.force_login(superuser)
    response = client.post(f"/admin/rumors/debunk/{debunk.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Debunk.objects.filter(pk=debunk.pk).exists()


def test_the_bulk_delete_action_deletes_drafts_only_selection(client, superuser, debunk):
    client.force_login(superuser)
    client.post(
        "/admin/rumors/debunk/",
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [debunk.pk], "post": "yes"},
    )
    assert not Debunk.objects.filter(pk=debunk.pk).exists()


def test_the_model_and_its_queryset_refuse_to_delete_a_published_debunk(published):
    with pytest.raises(ProtectedError):
        published.delete()
    stale = Debunk.objects.get(pk=published.pk)
    stale.is_published = False  # an instance loaded before publication
    with pytest.raises(ProtectedError):
        stale.delete()
    with pytest.raises(ProtectedError):
        Debunk.objects.filter(pk=published.pk).delete()
    assert Debunk.objects.filter(pk=published.pk).exists()


def test_the_database_refuses_to_delete_a_published_debunk(published):
    if connection.vendor != "postgresql":
        pytest.skip("the delete trigger is PostgreSQL's; SQLite relies on the model guard")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM rumors_debunk WHERE id = %s", [published.pk])
    assert Debunk.objects.filter(pk=published.pk).exists()


def test_a_draft_with_linked_reports_is_not_deleted_from_under_them(
    submit, district_rules, debunk, office_admin
):
    report = submit()
    services.report_link_debunk(report_id=report.pk, actor=office_admin, debunk_id=debunk.pk)
    with pytest.raises(ProtectedError):
        debunk.delete()
    report.refresh_from_db()
    assert report.debunk_id == debunk.pk


# --- Withdrawing: the service ---------------------------------------------------------


def test_an_office_admin_withdraws_with_a_reason_and_it_is_audited(
    published, office_admin, django_capture_on_commit_callbacks
):
    before = published.updated_at
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    assert published.is_withdrawn
    assert published.withdrawal_reason == REASON
    assert published.withdrawn_by == office_admin
    assert published.updated_at > before
    assert published.is_published  # it was published, and that stays on the record
    event = AuditEvent.objects.get(action="rumors.debunk_withdrawn")
    assert event.actor == office_admin
    assert event.detail["debunk_id"] == published.pk
    assert event.detail["reason"] == REASON


@pytest.mark.parametrize("reason", ["", "   \n ", None])
def test_withdrawing_without_a_reason_is_refused(published, office_admin, reason):
    with pytest.raises(ValidationError) as refused:
        services.debunk_withdraw(debunk_id=published.pk, actor=office_admin, reason=reason)
    assert "请写明撤回的理由" in str(refused.value)
    published.refresh_from_db()
    assert not published.is_withdrawn
    assert not AuditEvent.objects.filter(action="rumors.debunk_withdrawn").exists()


def test_a_reason_longer_than_the_limit_is_refused(published, office_admin):
    with pytest.raises(ValidationError):
        services.debunk_withdraw(debunk_id=published.pk, actor=office_admin, reason="理" * 1001)
    published.refresh_from_db()
    assert not published.is_withdrawn


def test_a_handler_cannot_withdraw(published, lucheng_handler):
    with pytest.raises(PermissionDenied):
        services.debunk_withdraw(debunk_id=published.pk, actor=lucheng_handler, reason=REASON)
    published.refresh_from_db()
    assert not published.is_withdrawn


def test_a_draft_is_not_withdrawn_nor_a_debunk_withdrawn_twice(
    debunk, office_admin, django_capture_on_commit_callbacks
):
    with pytest.raises(services.TransitionError):
        services.debunk_withdraw(debunk_id=debunk.pk, actor=office_admin, reason=REASON)
    with django_capture_on_commit_callbacks(execute=True):
        services.debunk_publish(debunk_id=debunk.pk, actor=office_admin)
    withdraw(debunk, office_admin, django_capture_on_commit_callbacks)
    first = debunk.withdrawn_at
    with pytest.raises(services.TransitionError):
        services.debunk_withdraw(debunk_id=debunk.pk, actor=office_admin, reason="又一次")
    debunk.refresh_from_db()
    assert (debunk.withdrawn_at, debunk.withdrawal_reason) == (first, REASON)
    assert AuditEvent.objects.filter(action="rumors.debunk_withdrawn").count() == 1


def test_a_withdrawn_debunk_is_not_republished_corrected_or_linked_again(
    published, office_admin, submit, district_rules, django_capture_on_commit_callbacks
):
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    with pytest.raises(services.TransitionError):
        services.debunk_publish(debunk_id=published.pk, actor=office_admin)
    with pytest.raises(services.TransitionError):
        services.debunk_correct(debunk_id=published.pk, actor=office_admin, note="更正")
    report = submit()
    with pytest.raises(services.TransitionError):
        services.report_link_debunk(report_id=report.pk, actor=office_admin, debunk_id=published.pk)
    report.refresh_from_db()
    assert report.debunk_id is None
    assert report.status == Status.ROUTED


# --- Withdrawing: admin -----------------------------------------------------------------


def test_an_office_admin_withdraws_from_the_debunk_page(client, published, office_admin):
    client.force_login(office_admin)
    change_page = client.get(f"/admin/rumors/debunk/{published.pk}/change/").content.decode()
    assert f"/admin/rumors/debunk/{published.pk}/withdraw/" in change_page
    form_page = client.get(f"/admin/rumors/debunk/{published.pk}/withdraw/").content.decode()
    assert "撤回理由" in form_page
    assert "0 条举报关联此辟谣" in form_page
    response = client.post(
        f"/admin/rumors/debunk/{published.pk}/withdraw/", {"reason": REASON}, follow=True
    )
    assert "已撤回" in response.content.decode()
    published.refresh_from_db()
    assert published.withdrawal_reason == REASON
    assert AuditEvent.objects.get(action="rumors.debunk_withdrawn").actor == office_admin


@pytest.mark.parametrize("reason", ["", "   "])
def test_withdrawing_in_admin_without_a_reason_shows_a_clear_error(
    client, published, office_admin, reason
):
    client.force_login(office_admin)
    response = client.post(f"/admin/rumors/debunk/{published.pk}/withdraw/", {"reason": reason})
    assert response.status_code == 400
    assert "请写明撤回的理由" in response.content.decode()
    published.refresh_from_db()
    assert not published.is_withdrawn


def test_a_handler_cannot_withdraw_in_admin(client, office, published, lucheng_handler):
    # Even a debunk of the handler's own department.
    Debunk.objects.filter(pk=published.pk).update(authority=lucheng_handler.departments.get().pk)
    client.force_login(lucheng_handler)
    change_page = client.get(f"/admin/rumors/debunk/{published.pk}/change/").content.decode()
    assert "/withdraw/" not in change_page
    response = client.post(f"/admin/rumors/debunk/{published.pk}/withdraw/", {"reason": REASON})
    assert response.status_code == 403
    published.refresh_from_db()
    assert not published.is_withdrawn


def test_a_withdrawn_debunk_is_read_only_in_admin(
    client, published, office_admin, django_capture_on_commit_callbacks
):
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    client.force_login(office_admin)
    page = client.get(f"/admin/rumors/debunk/{published.pk}/change/")
    assert page.status_code == 200
    assert REASON in page.content.decode()
    response = client.post(
        f"/admin/rumors/debunk/{published.pk}/change/",
        {"title": "改过的标题", "slug": published.slug},
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.title != "改过的标题"


# --- What the public sees -----------------------------------------------------------------


def test_a_withdrawn_debunk_leaves_the_list_search_feeds_api_and_suggestions(
    client, published, office_admin, django_capture_on_commit_callbacks
):
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    title = "鹿城区全面停水三天"
    assert title not in client.get("/debunks/").content.decode()
    assert title not in client.get("/debunks/", {"q": "停水"}).content.decode()
    assert title not in client.get("/debunks/feed/").content.decode()
    assert client.get("/api/v1/debunks/").json()["results"] == []
    found = client.get("/debunks/suggest/", {"q": "听说鹿城区要全面停水三天"}).json()
    assert found["results"] == []


def test_the_old_address_says_withdrawn_with_reason_and_date_not_the_old_content(
    client, published, office_admin, django_capture_on_commit_callbacks
):
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    response = client.get("/debunks/water-cut-rumor/")
    assert response.status_code == 410
    page = response.content.decode()
    assert "此辟谣已撤回" in page
    assert REASON in page
    assert timezone.localtime(published.withdrawn_at).date().isoformat() in page
    assert published.summary not in page
    assert "application/ld+json" not in page
    assert 'name="robots" content="noindex"' in page


def test_the_api_detail_of_a_withdrawn_debunk_answers_410_with_when_and_why(
    client, published, office_admin, django_capture_on_commit_callbacks
):
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    response = client.get("/api/v1/debunks/water-cut-rumor/")
    assert response.status_code == 410
    body = response.json()
    assert body["status"] == "withdrawn"
    assert body["withdrawn"] is True
    assert body["withdrawal_reason"] == REASON
    assert body["withdrawn_at"]
    assert "claim" not in body
    assert client.get("/api/v1/debunks/no-such-debunk/").status_code == 404


def test_drafts_still_answer_404_not_410(client, debunk):
    assert client.get("/debunks/water-cut-rumor/").status_code == 404
    assert client.get("/api/v1/debunks/water-cut-rumor/").status_code == 404


def test_linked_reports_keep_the_link_and_their_reporters_are_told_once(
    client, answered_report, published, office_admin, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    answered_report.refresh_from_db()
    assert answered_report.debunk_id == published.pk
    assert answered_report.status == Status.RESOLVED
    assert [message.to for message in mail.outbox] == [["chen@example.org"]]
    assert "撤回" in mail.outbox[0].body
    # A second delivery of the task tells nobody twice.
    assert services.debunk_tell_reporters_of_withdrawal(debunk_id=published.pk) == 0
    page = client.post("/reports/track/", {"code": answered_report.tracking_code}).content.decode()
    assert "已于" in page
    assert "撤回" in page
    assert REASON in page


def test_a_merged_reports_tracking_page_says_its_primarys_debunk_was_withdrawn(
    client, submit, district_rules, published, office_admin, django_capture_on_commit_callbacks
):
    primary, duplicate = submit(), submit(content="同一条停水谣言，又有人转发到了另一个群。")
    services.report_merge(
        report_id=duplicate.pk, actor=office_admin, primary_code=primary.tracking_code
    )
    services.report_link_debunk(report_id=primary.pk, actor=office_admin, debunk_id=published.pk)
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    page = client.post("/reports/track/", {"code": duplicate.tracking_code}).content.decode()
    assert REASON in page


# --- The label feed carries a tombstone ------------------------------------------------


def _tombstones(body: list[dict]) -> list[dict]:
    return [label for label in body if label["withdrawn"]]


def test_the_label_feed_carries_a_tombstone_for_pollers_from_before_the_withdrawal(
    client, published, office_admin, django_capture_on_commit_callbacks
):
    before = timezone.now()
    [label] = client.get(LABELS).json()
    assert (label["status"], label["withdrawn"]) == ("active", False)
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    after = timezone.now() + timedelta(seconds=1)

    [tombstone] = client.get(LABELS, {"since": before.isoformat()}).json()
    assert tombstone["id"] == label["id"] == f"wenzhou-debunk-{published.pk}"
    assert tombstone["status"] == "withdrawn"
    assert tombstone["withdrawn"] is True
    assert tombstone["withdrawal_reason"] == REASON
    assert tombstone["withdrawn_at"]
    assert "claim" not in tombstone
    assert "keywords" not in tombstone
    # The full feed shows it too; a poll from after the withdrawal has nothing new.
    assert _tombstones(client.get(LABELS).json()) == [tombstone]
    assert client.get(LABELS, {"since": after.isoformat()}).json() == []


def test_a_conditional_get_after_a_withdrawal_answers_200_with_the_tombstone(
    client, published, office_admin, django_capture_on_commit_callbacks
):
    # Last-Modified has one-second resolution: the label was published a minute ago.
    a_minute_ago = timezone.now() - timedelta(minutes=1)
    Debunk.objects.filter(pk=published.pk).update(
        published_at=a_minute_ago, updated_at=a_minute_ago
    )
    first = client.get(LABELS)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(LABELS, headers={"if-none-match": etag}).status_code == 304
    assert client.get(LABELS, headers={"if-modified-since": last_modified}).status_code == 304

    withdraw(published, office_admin, django_capture_on_commit_callbacks)

    by_etag = client.get(LABELS, headers={"if-none-match": etag})
    assert by_etag.status_code == 200
    assert by_etag["ETag"] != etag
    assert by_etag["Last-Modified"] != last_modified
    assert len(_tombstones(by_etag.json())) == 1
    by_date = client.get(LABELS, headers={"if-modified-since": last_modified})
    assert by_date.status_code == 200
    assert len(_tombstones(by_date.json())) == 1


def test_the_openapi_schema_documents_the_tombstone(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/debunks/labels/"]["get"]
    assert "tombstone" in operation["description"]
    entry = operation["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    assert entry["$ref"].endswith("/DebunkLabelEntry")
    components = schema["components"]["schemas"]
    assert set(components["DebunkLabelEntry"]["discriminator"]["mapping"]) == {
        "active",
        "withdrawn",
    }
    tombstone = components["DebunkLabelTombstone"]
    assert {"id", "status", "withdrawn", "withdrawn_at", "withdrawal_reason"} <= set(
        tombstone["required"]
    )
    detail = schema["paths"]["/api/v1/debunks/{slug}/"]["get"]
    assert "410" in detail["responses"]


def test_linked_reports_are_still_linked_in_the_database_after_a_withdrawal(
    answered_report, published, office_admin, django_capture_on_commit_callbacks
):
    withdraw(published, office_admin, django_capture_on_commit_callbacks)
    assert list(Report.objects.filter(debunk=published)) == [answered_report]
