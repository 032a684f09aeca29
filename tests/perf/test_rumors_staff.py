"""Query budgets of the report desk's staff lists: the API list, admin's list and page."""

import itertools

import pytest

from rumors.models import Report
from tests.perf import rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(request, office_admin, auditor, lucheng_handler, lucheng_office):
    """The office admin and the auditor (see every report) or a Lucheng handler (sees
    what Lucheng leads or co-handles)."""
    if request.param == "office_admin":
        return office_admin, None
    if request.param == "auditor":
        return auditor, None
    return lucheng_handler, lucheng_office


def _add_reports(lead):
    """Reports the person sees: the handler's led by their office or co-handled by it."""

    def add(n):
        half = n // 2
        rows.reports(half, lead=lead)
        rows.reports(n - half, co_handler=lead)
        add.newest = Report.objects.order_by("-pk").first()

    return add


def _shows_newest(add):
    def check(response):
        assert add.newest.formatted_tracking_code in response.content.decode()

    return check


@pytest.mark.parametrize("staff", ["office_admin", "auditor", "lucheng_handler"], indirect=True)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/",
        "/api/v1/reports/?status=routed",
        "/admin/rumors/report/",
        "/admin/rumors/report/?o=9",
        "/admin/rumors/report/?tag=smearing_company",
    ],
)
def test_the_staff_report_lists_cost_the_same_with_50_reports(client, query_budget, staff, url):
    person, office = staff
    client.force_login(person)
    rows.reports(1, lead=office)
    add = _add_reports(office)
    query_budget(client, url, add, shows=_shows_newest(add))


@pytest.mark.parametrize("staff", ["office_admin", "lucheng_handler"], indirect=True)
@pytest.mark.parametrize("on", ["admin", "api"])
def test_a_report_costs_staff_the_same_with_50_events_co_handlers_and_duplicates(
    client, query_budget, staff, on
):
    person, office = staff
    client.force_login(person)
    report = rows.reports(1, lead=office)[0]
    rows.events(report, 1, actor=person)
    report.co_handlers.add(rows.department())

    def add(n):
        rows.events(report, n, actor=person)
        for _ in range(n):
            report.co_handlers.add(rows.department())
        # Reports of the same link: the duplicate candidates the page offers.
        for other in rows.reports(5):
            Report.objects.filter(pk=other.pk).update(
                normalized_url=report.normalized_url, created_at=report.created_at
            )

    url = (
        f"/admin/rumors/report/{report.pk}/change/"
        if on == "admin"
        else f"/api/v1/reports/{report.pk}/"
    )

    def shows(response):
        assert response.content.decode().count("已联系平台核实") >= 50

    query_budget(client, url, add, shows=shows)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/rumors/debunk/",
        "/admin/rumors/reportevent/",
        "/admin/rumors/department/",
        "/admin/rumors/routingrule/",
        "/admin/rumors/webhookendpoint/",
        "/admin/rumors/webhookdelivery/",
    ],
)
def test_the_desk_admin_lists_cost_the_same_with_50_rows(client, query_budget, office_admin, url):
    from rumors.models import (
        Category,
        ReportEvent,
        RoutingRule,
        WebhookDelivery,
        WebhookEndpoint,
    )
    from wenzhou_portal.districts import District

    client.force_login(office_admin)
    # Each rule for its own category and district (one rule per combination).
    combinations = iter(itertools.product(Category.values, District.values))

    def add(n):
        rows.debunks(n)
        report = rows.reports(1)[0]
        rows.events(report, n, actor=office_admin)
        for category, district in itertools.islice(combinations, n):
            RoutingRule.objects.create(
                category=category, district=district, lead_department=rows.department()
            )
        for event in ReportEvent.objects.filter(report=report):
            endpoint = WebhookEndpoint.objects.create(
                name=f"平台回调{event.pk}",
                department=event.department or rows.department(),
                url=f"https://hooks.example.org/{event.pk}",
            )
            WebhookDelivery.objects.create(
                endpoint=endpoint, event=event, event_kind=event.kind, body="{}"
            )

    add(1)
    query_budget(client, url, add)


def test_a_debunk_in_admin_costs_the_same_with_50_sources_appearances_and_reports(
    client, query_budget, office_admin
):
    from rumors.models import DebunkAppearance, DebunkSource

    client.force_login(office_admin)
    debunk = rows.debunks(1)[0]

    def add(n):
        for number in range(n):
            DebunkSource.objects.create(
                debunk=debunk, title=f"来源{number}", url=f"https://example.org/s{number}"
            )
            DebunkAppearance.objects.create(
                debunk=debunk, platform="douyin", account=f"account{number}"
            )
        for report in rows.reports(n):
            Report.objects.filter(pk=report.pk).update(debunk=debunk)

    add(1)
    query_budget(client, f"/admin/rumors/debunk/{debunk.pk}/change/", add)
