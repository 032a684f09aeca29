"""The bench's data loader, at its smallest size, writes a city the portal itself accepts."""

import pytest
from django.db import connection
from django.utils import timezone

from bench.config import MINIMUM_SIZES
from bench.load_data import Loader
from charity.services.ledger import ledger_problems
from rumors.models import Report, ReportEvent, Status
from rumors.selectors import duplicate_window_flag_cutoff
from rumors.services import tracking_code_normalise
from tests.support import require_service


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_loader_writes_every_status_unique_codes_and_a_reconciled_ledger():
    require_service(connection.vendor == "postgresql", "the bench loader needs PostgreSQL")
    indexes_before = _index_names("rumors_report")

    now = timezone.now()
    result = Loader(seed=18, sizes=MINIMUM_SIZES, now=now).load()

    reports = MINIMUM_SIZES["reports"]
    assert result["rows"]["rumors_report"] == Report.objects.count() == reports
    assert result["rows"]["rumors_debunk"] == MINIMUM_SIZES["debunks"]
    assert result["rows"]["campaigns_signature"] == MINIMUM_SIZES["signatures"]
    assert result["rows"]["campaigns_vote"] == MINIMUM_SIZES["votes"]
    assert result["rows"]["charity_ledgerentry"] == MINIMUM_SIZES["donations"]
    assert set(Report.objects.values_list("status", flat=True).distinct()) == set(Status.values)
    codes = list(Report.objects.values_list("tracking_code", flat=True))
    assert len(set(codes)) == reports
    assert all(tracking_code_normalise(code) == code for code in codes)
    # Every report has its "submitted" event; every closed one its closing event.
    assert ReportEvent.objects.filter(kind="submitted").count() == reports
    closed = Report.objects.filter(closed_at__isnull=False).count()
    assert ReportEvent.objects.filter(kind__in=["resolved", "rejected", "merged"]).count() == closed
    assert ledger_problems() == []
    # The indexes dropped for the load are all back.
    assert _index_names("rumors_report") == indexes_before
    # Duplicate detection's window is flagged as daily housekeeping leaves it, and its
    # partial trigram index is rebuilt as the migration made it.
    cutoff = duplicate_window_flag_cutoff(now)
    assert Report.objects.filter(in_duplicate_window=True, created_at__lt=cutoff).count() == 0
    flagged = Report.objects.filter(in_duplicate_window=True).count()
    assert 0 < flagged == Report.objects.filter(created_at__gte=cutoff).count()
    assert "in_duplicate_window" not in result["filled_by_default"].get("rumors_report", [])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'report_content_trgm_window'"
        )
        (definition,) = cursor.fetchone()
    assert "fastupdate=off" in definition
    assert "WHERE in_duplicate_window" in definition


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_reports():
    require_service(connection.vendor == "postgresql", "the bench loader needs PostgreSQL")
    sizes = {**MINIMUM_SIZES, "reports": 50}
    now = timezone.now()
    loader = Loader(seed=7, sizes=sizes, now=now)
    departments = loader.departments_and_rules()
    loader.reports(departments)
    first = list(Report.objects.order_by("pk").values_list("tracking_code", "status", "content"))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE rumors_report CASCADE")
    loader.reports(departments)
    again = list(Report.objects.order_by("pk").values_list("tracking_code", "status", "content"))
    assert first == again
