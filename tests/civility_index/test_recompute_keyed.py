"""A month's recomputation is keyed by its inputs, and reads each other app's figures once.

A re-delivered or repeated ``recompute_period`` whose month has not changed writes no new
snapshot version; a changed figure, population or method does. The report desk's grouped
query runs once per computation, not once per indicator built from it.
"""

import time
from datetime import date
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civility_index import services, tasks
from civility_index.models import DistrictPopulation, EnteredValue, Indicator, Snapshot
from tests.support import require_service

pytestmark = pytest.mark.django_db

SEPTEMBER = date(2026, 9, 1)
OCTOBER = date(2026, 10, 1)


def _versions(period: date = OCTOBER) -> list[int]:
    return list(
        Snapshot.objects.filter(period=period).order_by("version").values_list("version", flat=True)
    )


def _enter(value: float, district: str = "330302") -> None:
    EnteredValue.objects.update_or_create(
        indicator=Indicator.objects.get(code="security_incident_handling_rate"),
        district=district,
        period=OCTOBER,
        defaults={"value": value},
    )


def test_a_redelivered_recompute_with_unchanged_inputs_writes_nothing():
    _enter(99.2)
    first = tasks.recompute_period(OCTOBER.isoformat())
    second = tasks.recompute_period(OCTOBER.isoformat())
    assert second == first
    assert _versions() == [1]
    assert len(Snapshot.objects.get().input_digest) == 64


def test_a_changed_figure_makes_a_new_version():
    _enter(99.2)
    services.snapshot_compute(period=OCTOBER)
    _enter(97.5)
    restated = services.snapshot_compute(period=OCTOBER)
    assert _versions() == [1, 2]
    assert restated.results["units"]["330302"]["indicators"]["security_incident_handling_rate"][
        "raw"
    ] == pytest.approx(97.5)
    assert not restated.is_published  # beside the published version, not over it


def test_a_changed_population_makes_a_new_version():
    services.snapshot_compute(period=OCTOBER)
    DistrictPopulation.objects.filter(district="330302").update(population=1_300_000)
    services.snapshot_compute(period=OCTOBER)
    assert _versions() == [1, 2]


def test_a_change_of_method_makes_a_new_version(index_editor):
    services.snapshot_compute(period=OCTOBER)
    services.method_changed(actor=index_editor)
    fresh = services.snapshot_compute(period=OCTOBER)
    assert _versions() == [1, 2]
    assert not fresh.is_stale


def test_a_new_previous_month_makes_a_new_version():
    # October's change column is measured against September's scores.
    services.snapshot_compute(period=OCTOBER)
    services.snapshot_compute(period=SEPTEMBER)
    services.snapshot_compute(period=OCTOBER)
    assert _versions() == [1, 2]


def test_the_first_computation_after_the_month_ends_is_published_even_if_unchanged():
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 10, 20)):
        during = services.snapshot_compute(period=OCTOBER)
        services.snapshot_compute(period=OCTOBER)
    assert not during.is_published
    assert _versions() == [1]
    after = services.snapshot_compute(period=OCTOBER)  # today the month is over
    again = services.snapshot_compute(period=OCTOBER)
    assert (after.version, after.is_published) == (2, True)
    assert again.pk == after.pk
    assert _versions() == [1, 2]


def test_a_month_reads_the_report_figures_once_for_all_its_indicators(
    django_assert_max_num_queries,
):
    method = services.method_load()
    computed = [i for i in method.indicators if i.source == Indicator.Source.COMPUTED]
    assert len([i for i in computed if i.computed_key.startswith("report")]) >= 4
    # Populations, the report desk's figures, pledge signers, entered values: one each.
    with django_assert_max_num_queries(4):
        services.period_values(OCTOBER, method)


def test_a_snapshot_computation_queries_the_reports_once():
    with CaptureQueriesContext(connection) as queries:
        services.snapshot_compute(period=OCTOBER)
    on_reports = [q["sql"] for q in queries if '"rumors_report"' in q["sql"]]
    assert len(on_reports) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_live_worker_writes_one_version_for_two_deliveries(live_celery_worker, default_method):
    require_service(connection.vendor == "postgresql", "a live worker needs PostgreSQL")
    tasks.recompute_period.delay(OCTOBER.isoformat())
    tasks.recompute_period.delay(OCTOBER.isoformat())
    # One worker, one queue, in order: once September's is there, both Octobers ran.
    tasks.recompute_period.delay(SEPTEMBER.isoformat())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Snapshot.objects.filter(period=SEPTEMBER).exists():
        time.sleep(0.2)
    assert Snapshot.objects.filter(period=SEPTEMBER).exists(), "the worker never recomputed"
    assert _versions() == [1]
