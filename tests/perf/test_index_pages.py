"""Query budgets of the clean-network index: its pages, downloads and API, 1 and 50 months."""

from datetime import date

import pytest
from django.utils import timezone

from civility_index import services
from civility_index.models import Snapshot
from tests.perf import rows

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def october():
    """October computed from a few reports, published."""
    rows.reports(3)
    return services.snapshot_compute(period=OCTOBER)


def earlier_months(snapshot: Snapshot):
    """``add(n)``: n more published months before the earliest, with the same figures."""

    def add(n: int) -> None:
        earliest = Snapshot.objects.order_by("period").first().period
        for _ in range(n):
            earliest = services.previous_month(earliest)
            # A restatement beside each published month, as after a late figure.
            for version, published in ((1, True), (2, False)):
                Snapshot.objects.create(
                    period=earliest,
                    version=version,
                    method_version=snapshot.method_version,
                    is_published=published,
                    published_at=timezone.now() if published else None,
                    city_score=snapshot.city_score,
                    results=snapshot.results,
                    method=snapshot.method,
                )

    return add


@pytest.mark.parametrize(
    "url",
    [
        "/index/",
        "/index/?district=330303",
        "/index/districts/330302/",
        "/index/methodology/",
        "/index/snapshots/2026-10.csv",
        "/index/snapshots/2026-10.json",
        "/api/v1/index/snapshots/",
        "/api/v1/index/snapshots/?period=2026-10",
        "/api/v1/index/latest/",
    ],
)
def test_the_index_costs_the_same_with_50_months(client, query_budget, october, url):
    query_budget(client, url, earlier_months(october))


def test_the_snapshot_list_serves_24_months_from_50(client, query_budget, october):
    def shows(response):
        assert len(response.json()) == 24

    query_budget(client, "/api/v1/index/snapshots/", earlier_months(october), shows=shows)


def test_the_snapshot_admin_list_costs_the_same_with_50_months(
    client, query_budget, october, index_editor
):
    client.force_login(index_editor)
    query_budget(client, "/admin/civility_index/snapshot/", earlier_months(october))


def test_the_entered_values_cost_the_same_with_50_rows_by_50_editors(
    client, query_budget, index_editor, make_staff
):
    from civility_index.models import EnteredValue, Indicator
    from wenzhou_portal.roles import Role

    client.force_login(index_editor)
    indicator = Indicator.objects.filter(source="entered").first()
    periods = iter(range(600))

    def add(n):
        for _ in range(n):
            number = next(periods)
            EnteredValue.objects.create(
                indicator=indicator,
                district="330302",
                period=date(2000 + number // 12, number % 12 + 1, 1),
                value=90.0,
                entered_by=make_staff(f"index_editor_{number}", Role.INDEX_EDITOR),
            )

    add(1)
    query_budget(client, "/admin/civility_index/enteredvalue/", add)
