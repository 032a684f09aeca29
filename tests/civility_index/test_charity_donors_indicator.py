"""Charity offers the index its donors per 10,000 residents: distinct donors to projects
located in each district in the month, counted by charity's selector and divided by the
index's own population table; an index editor adds it, the default method does not."""

from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from charity import selectors as charity_selectors
from charity import services as charity
from charity.models import Donation, ProjectStatus
from civility_index import indicators, services
from civility_index.models import Dimension, DistrictPopulation, Indicator
from tests.charity import makers
from tests.charity.test_money_own_channel import pay, receive, start

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)
LUCHENG, LONGWAN, WENCHENG = "330302", "330303", "330328"


def aware(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.get_current_timezone())


START, END = aware(2026, 10, 1), aware(2026, 11, 1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def organisation():
    # The organisation sits in Lucheng; its projects are located elsewhere.
    return makers.organisation(district=LUCHENG)


def own_project(organisation, district: str, title: str = "助餐"):
    return makers.project(
        organisation,
        status=ProjectStatus.FUNDRAISING,
        donation_channel="own",
        payment_provider="simulated",
        district=district,
        title=title,
    )


def give(project, *, contact: str = "", paid_at: datetime | None = None) -> Donation:
    """A gift paid through the simulated gateway, then dated (time moved, as tests may)."""
    donation, _ = start(project, "10", contact=contact)
    assert receive(*pay(donation)) == "applied"
    Donation.objects.filter(pk=donation.pk).update(paid_at=paid_at or aware(2026, 10, 15, 9))
    donation.refresh_from_db()
    return donation


# --- the selector --------------------------------------------------------------------------


def test_the_same_contact_twice_is_one_donor(organisation):
    wencheng = own_project(organisation, WENCHENG)
    also_wencheng = own_project(organisation, WENCHENG, title="助学")
    give(wencheng, contact="13812345678")
    give(wencheng, contact="138 1234 5678")  # typed with spaces: the same number
    give(also_wencheng, contact="13812345678")  # another project in the same district
    give(wencheng, contact="li@example.com")
    assert charity_selectors.donors_by_district(start=START, end=END) == {WENCHENG: 2}


def test_gifts_without_a_contact_each_count_as_one_donor(organisation):
    wencheng = own_project(organisation, WENCHENG)
    give(wencheng)
    give(wencheng)
    assert charity_selectors.donors_by_district(start=START, end=END) == {WENCHENG: 2}


def test_donors_are_counted_where_the_project_is_not_where_the_organisation_is(organisation):
    give(own_project(organisation, WENCHENG), contact="13812345678")
    give(own_project(organisation, LONGWAN), contact="13812345678")
    # One person, two districts' projects: a donor in each district, none in Lucheng.
    assert charity_selectors.donors_by_district(start=START, end=END) == {
        WENCHENG: 1,
        LONGWAN: 1,
    }


def test_refunded_pending_and_expired_gifts_do_not_count(organisation):
    wencheng = own_project(organisation, WENCHENG)
    refunded, _ = start(wencheng, "10", contact="13900000001")
    receive(*pay(refunded))
    charity.donation_cancel(reference=refunded.reference)
    Donation.objects.filter(pk=refunded.pk).update(paid_at=aware(2026, 10, 15, 9))
    start(wencheng, "10", contact="13900000003")
    assert charity.donations_expire(now=timezone.now() + timedelta(hours=1)) == 1
    start(wencheng, "10", contact="13900000002")  # still pending
    assert charity_selectors.donors_by_district(start=START, end=END) == {}
    assert charity_selectors.donors_by_district(start=START, end=timezone.now()) == {}


def test_only_gifts_paid_within_the_period_count(organisation):
    wencheng = own_project(organisation, WENCHENG)
    give(wencheng, contact="13900000001", paid_at=aware(2026, 9, 30, 23, 59, 59))
    give(wencheng, contact="13900000002", paid_at=START)  # the first instant is inside
    give(wencheng, contact="13900000003", paid_at=aware(2026, 10, 31, 23, 59, 59))
    give(wencheng, contact="13900000004", paid_at=END)  # the end is outside
    assert charity_selectors.donors_by_district(start=START, end=END) == {WENCHENG: 2}


def test_a_donor_who_gave_before_and_in_the_period_counts_in_the_period(organisation):
    wencheng = own_project(organisation, WENCHENG)
    give(wencheng, contact="13900000001", paid_at=aware(2026, 9, 15))
    give(wencheng, contact="13900000001", paid_at=aware(2026, 10, 15))
    assert charity_selectors.donors_by_district(start=START, end=END) == {WENCHENG: 1}


def test_platform_donors_are_counted_by_the_platforms_donor_id(organisation, make_staff):
    from wenzhou_portal.roles import Role

    reviewer = make_staff("zhang_wei", Role.CHARITY_REVIEWER)
    project = makers.project(
        organisation,
        status=ProjectStatus.FUNDRAISING,
        donation_channel="platform",
        donation_url="https://gongyi.qq.com/succor/detail.htm?id=9",
        district=LONGWAN,
    )
    lines = [
        "流水号,捐赠时间,金额,捐赠人编号",
        "T1,2026-10-03 10:00:00,5,U1",
        "T2,2026-10-04 10:00:00,5,U1",
        "T3,2026-10-05 10:00:00,5,U2",
        "T4,2026-10-06 10:00:00,5,",
        "T5,2026-09-06 10:00:00,5,U3",
    ]
    charity.platform_import(
        project_id=project.pk,
        upload=SimpleUploadedFile("export.csv", "\n".join(lines).encode()),
        source="export",
        stated_total_fen=2_500,
        actor=reviewer,
    )
    assert charity_selectors.donors_by_district(start=START, end=END) == {LONGWAN: 3}


def test_the_selector_is_one_query(organisation, django_assert_num_queries):
    give(own_project(organisation, WENCHENG), contact="13900000001")
    with django_assert_num_queries(1):
        charity_selectors.donors_by_district(start=START, end=END)


# --- the indicator -------------------------------------------------------------------------


def test_the_indicator_divides_by_the_population_per_ten_thousand(organisation):
    wencheng = own_project(organisation, WENCHENG)
    for number in range(3):
        give(wencheng, contact=f"1390000000{number}")
    sources = indicators.PeriodSources(START, END, population={WENCHENG: 289_000, LONGWAN: 771_000})
    values = indicators.REGISTRY["charity_donors_per_10k"](sources)
    raw, changed = values[WENCHENG]
    assert raw.value == pytest.approx(10_000 * 3 / 289_000)
    assert raw.cases == 3
    assert changed is None
    # A district with people and no donors scores zero, not missing.
    assert values[LONGWAN][0].value == 0.0
    assert values[LONGWAN][0].cases == 0
    assert set(values) == {WENCHENG, LONGWAN}


def test_the_indicator_is_offered_but_not_in_the_default_method(default_method):
    assert "charity_donors_per_10k" in indicators.REGISTRY
    assert "per 10,000 residents" in indicators.LABELS["charity_donors_per_10k"]
    assert not Indicator.objects.filter(computed_key="charity_donors_per_10k").exists()


def test_an_index_editor_adds_donors_per_10k_as_a_new_method_version(
    default_method, index_editor, organisation, monkeypatch
):
    wencheng = own_project(organisation, WENCHENG)
    for number in range(2):
        give(wencheng, contact=f"1390000000{number}")
    give(wencheng, contact="13900000009", paid_at=aware(2026, 11, 2))  # November's

    asked = []
    original = charity_selectors.donors_by_district

    def counted(*, start, end):
        asked.append((start, end))
        return original(start=start, end=end)

    monkeypatch.setattr(charity_selectors, "donors_by_district", counted)
    before = services.method_settings().version
    Indicator.objects.create(
        code="charity_donors",
        name_zh="每万人公益捐赠人数",
        name_en="Charity donors per 10,000 residents",
        dimension=Dimension.objects.order_by("order").first(),
        description="当月向本地公益项目捐赠的人数（同一人只计一次），按每万常住人口计。",
        unit="人/万人",
        direction=Indicator.Direction.HIGHER,
        weight=0.05,
        lower=0,
        upper=50,
        source=Indicator.Source.COMPUTED,
        computed_key="charity_donors_per_10k",
    )
    services.method_changed(actor=index_editor)
    assert services.method_settings().version == before + 1

    snapshot = services.snapshot_compute(period=OCTOBER)
    people = DistrictPopulation.objects.get(district=WENCHENG).population
    wencheng_row = snapshot.results["units"][WENCHENG]["indicators"]["charity_donors"]
    assert wencheng_row["raw"] == pytest.approx(10_000 * 2 / people)
    assert wencheng_row["cases"] == 2
    lucheng_row = snapshot.results["units"][LUCHENG]["indicators"]["charity_donors"]
    assert lucheng_row["raw"] == 0.0  # the organisation's own district gets none of it
    assert asked == [(START, END)]  # one read of charity per computation
