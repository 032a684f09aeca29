"""Every staff write of the index leaves exactly one audit record, in the write's transaction.

One table of the staff services: each is called as 周敏 the index editor and must add one
AuditEvent filed under civility_index, with its action, her as the actor and the object
it changed as the target; refused calls add none and change nothing. Then the same
through admin: the method forms, the import, publishing and the recompute buttons.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from civility_index import services
from civility_index.models import (
    Dimension,
    DistrictPopulation,
    EnteredValue,
    Indicator,
    MethodSettings,
    Snapshot,
)
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db

SEPTEMBER = date(2026, 9, 1)
OCTOBER = date(2026, 10, 1)
CSV = "indicator,district,period,value,cases\nsecurity_incident_handling_rate,330302,2026-10,99.2,120\n"


def _snapshot(period: date = OCTOBER, version: int = 1, *, published: bool = False) -> Snapshot:
    return Snapshot.objects.create(
        period=period,
        version=version,
        method_version=1,
        is_published=published,
        published_at=timezone.now() if published else None,
        results={"units": {}, "city": {}},
        method={},
    )


def _label(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk} {obj}"


@dataclass(frozen=True)
class StaffWrite:
    call: Callable[[], object]
    action: str
    target: Callable[[], str]  # read after the call: some targets name the new state
    rows: models.QuerySet


def change_method(actor) -> StaffWrite:
    _snapshot()
    options = services.method_settings()
    return StaffWrite(
        call=lambda: services.method_changed(actor=actor, cause="civility_index.dimension:1"),
        action="civility_index.method_changed",
        target=lambda: _label(MethodSettings.objects.get(pk=options.pk)),
        rows=MethodSettings.objects.all(),
    )


def publish_snapshot(actor) -> StaffWrite:
    _snapshot(version=1, published=True)
    restatement = _snapshot(version=2)
    return StaffWrite(
        call=lambda: services.snapshot_publish(snapshot_id=restatement.pk, actor=actor),
        action="civility_index.snapshot_published",
        target=lambda: _label(restatement),
        rows=Snapshot.objects.all(),
    )


def import_entered_values(actor) -> StaffWrite:
    return StaffWrite(
        call=lambda: services.entered_values_import(text=CSV, actor=actor),
        action="civility_index.entered_values_imported",
        target=lambda: "civility_index.enteredvalue:2026-10",
        rows=EnteredValue.objects.all(),
    )


def request_recompute(actor) -> StaffWrite:
    return StaffWrite(
        call=lambda: services.snapshot_recompute_request(
            periods=[OCTOBER, SEPTEMBER, date(2026, 10, 15)], actor=actor
        ),
        action="civility_index.recompute_requested",
        target=lambda: "civility_index.snapshot:2026-09,2026-10",
        rows=Snapshot.objects.all(),
    )


STAFF_WRITES = [change_method, publish_snapshot, import_entered_values, request_recompute]


@pytest.mark.parametrize("staff_write", STAFF_WRITES, ids=lambda case: case.__name__)
def test_each_staff_service_writes_exactly_one_audit_record(
    staff_write, index_editor, django_capture_on_commit_callbacks
):
    case = staff_write(index_editor)
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks():  # a requested recompute is queued, not run
        case.call()

    new = list(AuditEvent.objects.exclude(pk__in=before))
    assert [(e.app, e.action, e.actor, e.target) for e in new] == [
        ("civility_index", case.action, index_editor, case.target())
    ]


@pytest.mark.parametrize("staff_write", STAFF_WRITES, ids=lambda case: case.__name__)
def test_a_staff_write_is_undone_when_its_audit_record_cannot_be_written(
    staff_write, index_editor, django_capture_on_commit_callbacks
):
    case = staff_write(index_editor)
    rows_before = list(case.rows.order_by("pk").values())

    with (
        django_capture_on_commit_callbacks() as queued,
        # The record itself fails to be written, whichever module of the services wrote it.
        mock.patch.object(AuditEvent.objects, "create", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        case.call()

    assert list(case.rows.order_by("pk").values()) == rows_before
    assert queued == []
    assert not AuditEvent.objects.exists()


def test_publishing_the_published_version_is_refused_without_a_record(index_editor):
    published = _snapshot(published=True)
    with pytest.raises(ValidationError):
        services.snapshot_publish(snapshot_id=published.pk, actor=index_editor)
    assert not AuditEvent.objects.exists()


def test_a_refused_import_writes_nothing_and_no_record(index_editor):
    report = services.entered_values_import(text=CSV.replace("99.2", "abc"), actor=index_editor)
    assert not report.ok
    assert not EnteredValue.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_recompute_of_no_month_is_refused_without_a_record(
    index_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued, pytest.raises(ValidationError):
        services.snapshot_recompute_request(periods=[], actor=index_editor)
    assert queued == []
    assert not AuditEvent.objects.exists()


def test_a_requested_recompute_queues_one_task_per_month_after_commit(
    index_editor, django_capture_on_commit_callbacks
):
    with (
        mock.patch("wenzhou_portal.celery.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.snapshot_recompute_request(periods=[OCTOBER, SEPTEMBER], actor=index_editor)
        assert enqueue.call_count == 0  # not before the commit
    assert [call.args for call in enqueue.call_args_list] == [
        ("civility_index.tasks.recompute_period", "2026-09-01"),
        ("civility_index.tasks.recompute_period", "2026-10-01"),
    ]


# --- Through admin ---------------------------------------------------------------------


def _index_events() -> list[tuple]:
    return list(
        AuditEvent.objects.filter(app="civility_index")
        .order_by("pk")
        .values_list("action", "actor", "target")
    )


def test_the_recompute_action_is_one_record_for_the_request(
    client, index_editor, django_capture_on_commit_callbacks
):
    september, october = _snapshot(SEPTEMBER), _snapshot(OCTOBER)
    october_again = _snapshot(OCTOBER, version=2)
    client.force_login(index_editor)

    with (
        mock.patch("wenzhou_portal.celery.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/admin/civility_index/snapshot/",
            {
                "action": "recompute",
                "_selected_action": [september.pk, october.pk, october_again.pk],
                "index": 0,
            },
        )

    assert response.status_code == 302
    assert _index_events() == [
        (
            "civility_index.recompute_requested",
            index_editor.pk,
            "civility_index.snapshot:2026-09,2026-10",
        )
    ]
    assert enqueue.call_count == 2


def test_the_recompute_button_records_who_asked(
    client, index_editor, django_capture_on_commit_callbacks
):
    client.force_login(index_editor)
    current = services.month_start(timezone.localdate())
    previous = services.previous_month(current)

    with (
        mock.patch("wenzhou_portal.celery.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post("/admin/civility_index/snapshot/recompute-current/")

    assert _index_events() == [
        (
            "civility_index.recompute_requested",
            index_editor.pk,
            f"civility_index.snapshot:{previous:%Y-%m},{current:%Y-%m}",
        )
    ]
    assert enqueue.call_count == 2


def test_the_publish_action_publishes_through_the_service(client, index_editor):
    first = _snapshot(version=1, published=True)
    second = _snapshot(version=2)
    client.force_login(index_editor)
    changelist = "/admin/civility_index/snapshot/"

    client.post(changelist, {"action": "publish", "_selected_action": [second.pk], "index": 0})
    refused = client.post(
        changelist, {"action": "publish", "_selected_action": [second.pk], "index": 0}
    )

    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.is_published, second.is_published) == (False, True)
    assert _index_events() == [
        ("civility_index.snapshot_published", index_editor.pk, _label(second))
    ]
    assert any("已经是发布版本" in str(m) for m in refused.wsgi_request._messages)


def test_a_method_edit_in_admin_is_audited_and_bumps_the_version(client, index_editor):
    dimension = Dimension.objects.get(code="governance")
    version = services.method_settings().version
    client.force_login(index_editor)

    response = client.post(
        f"/admin/civility_index/dimension/{dimension.pk}/change/",
        {
            "code": dimension.code,
            "name_zh": dimension.name_zh,
            "name_en": dimension.name_en,
            "weight": "0.5",
            "floor": "" if dimension.floor is None else dimension.floor,
            "order": dimension.order,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    dimension.refresh_from_db()
    options = services.method_settings()
    assert options.version == version + 1
    assert _index_events() == [
        ("civility_index.dimension_changed", index_editor.pk, _label(dimension)),
        ("civility_index.method_changed", index_editor.pk, _label(options)),
    ]
    assert AuditEvent.objects.get(action="civility_index.method_changed").detail["cause"] == (
        _label(dimension)
    )


def test_deleting_an_indicator_is_a_change_of_method(client, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@e.org", "x" * 16)
    spare = Indicator.objects.get(code="security_incident_handling_rate")
    spare.pk = None
    spare.code = "spare_indicator"
    spare.save()
    version = services.method_settings().version
    client.force_login(superuser)

    response = client.post(f"/admin/civility_index/indicator/{spare.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert services.method_settings().version == version + 1
    assert [action for action, _actor, _target in _index_events()] == [
        "civility_index.indicator_deleted",
        "civility_index.method_changed",
    ]


def test_reference_data_edits_in_admin_are_audited(client, index_editor):
    row = DistrictPopulation.objects.get(district="330305")
    client.force_login(index_editor)

    response = client.post(
        f"/admin/civility_index/districtpopulation/{row.pk}/change/",
        {"district": row.district, "population": row.population + 1000, "year": row.year},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert _index_events() == [
        ("civility_index.districtpopulation_changed", index_editor.pk, _label(row))
    ]


def test_the_admin_import_is_one_record(client, index_editor):
    client.force_login(index_editor)
    upload = io.BytesIO(CSV.encode())
    upload.name = "values.csv"

    response = client.post("/admin/civility_index/enteredvalue/import/", {"file": upload})

    assert response.status_code == 302
    assert _index_events() == [
        (
            "civility_index.entered_values_imported",
            index_editor.pk,
            "civility_index.enteredvalue:2026-10",
        )
    ]
