"""Query budgets of 乐善365: the lists, a project, its ledger, an organisation, the API, admin."""

import itertools

import pytest
from django.utils import timezone

from charity.models import Donation, PactSignature, Project
from tests.charity import makers
from tests.charity.donation_support import spend
from tests.perf.charity_rows import annual_reports, disclosures, gifts, organisations, projects

pytestmark = pytest.mark.django_db

EDITORS = itertools.count(1)


@pytest.mark.parametrize(
    "url",
    [
        "/charity/",
        "/charity/?district=330302",
        "/charity/pact/",
        "/charity/apply/",
        "/api/v1/charity/organisations/",
        "/api/v1/charity/projects/",
        "/api/v1/charity/projects/?status=fundraising",
    ],
)
def test_the_charity_lists_cost_the_same_with_50_projects(client, query_budget, url):
    makers.pact()
    projects(1)
    query_budget(client, url, projects)


def test_the_landing_lists_each_project_and_organisation(client, query_budget):
    projects(1)
    newest = []

    def add(n):
        newest.extend(projects(n))

    def shows(response):
        body = response.content.decode()
        soonest = Project.objects.order_by("ends_on", "pk").first()
        assert soonest.title in body
        assert newest[-1].organisation.name in body

    query_budget(client, "/charity/", add, shows=shows)


@pytest.mark.parametrize("on", ["page", "api"])
def test_an_organisation_costs_the_same_with_50_projects_and_reports(client, query_budget, on):
    organisation = organisations(1)[0]
    projects(1, organisation=organisation)
    annual_reports(organisation, 1)

    def add(n):
        projects(n, organisation=organisation)
        annual_reports(organisation, n)

    url = (
        organisation.get_absolute_url()
        if on == "page"
        else f"/api/v1/charity/organisations/{organisation.credit_code}/"
    )
    query_budget(client, url, add)


@pytest.mark.parametrize("on", ["page", "api"])
def test_a_project_costs_the_same_with_50_disclosures_and_messages(client, query_budget, on):
    project = projects(1)[0]
    gifts(project, 1)

    def add(n):
        disclosures(project, n)
        gifts(project, n)

    url = project.get_absolute_url() if on == "page" else f"/api/v1/charity/projects/{project.pk}/"
    query_budget(client, url, add)


@pytest.mark.parametrize("page", ["ledger/", "ledger/?kind=donation", "ledger.csv", "donate/"])
def test_a_ledger_costs_the_same_with_50_gifts_and_disbursements(
    client, query_budget, reviewers, page
):
    project = projects(1)[0]
    gifts(project, 2)
    spend(project, reviewers, amount_fen=100)

    def add(n):
        gifts(project, n)
        for _ in range(5):
            spend(project, reviewers, amount_fen=100)

    query_budget(client, f"/charity/projects/{project.pk}/{page}", add)


@pytest.mark.parametrize(
    "model",
    [
        "organisation",
        "project",
        "disclosure",
        "correction",
        "donation",
        "disbursement",
        "ledgerentry",
        "allocation",
        "paymentnotice",
        "pactsignature",
    ],
)
def test_the_charity_admin_lists_cost_the_same_with_50_rows(client, query_budget, reviewers, model):
    client.force_login(reviewers[0])
    version = makers.pact()
    project = projects(1)[0]

    def add(n):
        for organisation in organisations(n):
            PactSignature.objects.create(
                organisation=organisation,
                version=version,
                signer_name="陈明",
                signer_title="理事长",
                signed_at=timezone.now(),
            )
        projects(n)
        gifts(project, n)
        spend(project, reviewers, amount_fen=100)

    add(1)
    query_budget(client, f"/admin/charity/{model}/", add)


def test_a_receipt_costs_the_same_with_50_disbursements_drawing_on_the_gift(
    client, query_budget, reviewers
):
    project = projects(1)[0]
    gifts(project, 1)
    donation = Donation.objects.get(project=project)
    spend(project, reviewers, amount_fen=10)

    def add(n):
        for _ in range(n):
            spend(project, reviewers, amount_fen=10)

    def shows(response):
        assert response.content.decode().count("采购大米 200 袋") >= 50

    query_budget(client, donation.get_absolute_url(), add, shows=shows)


@pytest.mark.parametrize("model", ["project", "organisation", "donation"])
def test_a_charity_record_in_admin_costs_the_same_with_50_related_rows(
    client, query_budget, reviewers, model
):
    client.force_login(reviewers[0])
    organisation = organisations(1)[0]
    project = projects(1, organisation=organisation)[0]
    gifts(project, 1)
    donation = Donation.objects.get(project=project)

    def add(n):
        projects(n, organisation=organisation)
        annual_reports(organisation, n)
        disclosures(project, n)
        gifts(project, n)
        for _ in range(5):
            spend(project, reviewers, amount_fen=10)

    record = {"project": project, "organisation": organisation, "donation": donation}[model]
    query_budget(client, f"/admin/charity/{model}/{record.pk}/change/", add)


def test_the_pact_versions_cost_the_same_with_50_versions_and_their_signatures(
    client, query_budget, reviewers
):
    from charity.models import PactVersion

    client.force_login(reviewers[0])

    def add(n):
        first = (
            PactVersion.objects.order_by("-number").values_list("number", flat=True).first()
        ) or 0
        for number in range(first + 1, first + n + 1):
            version = makers.pact(number)
            for organisation in organisations(2):
                PactSignature.objects.create(
                    organisation=organisation,
                    version=version,
                    signer_name="陈明",
                    signer_title="理事长",
                    signed_at=timezone.now(),
                )

    add(1)
    query_budget(client, "/admin/charity/pactversion/", add)


def test_a_project_in_admin_costs_the_same_with_50_corrections_by_50_reviewers(
    client, query_budget, reviewers, make_staff
):
    from charity.models import Correction
    from wenzhou_portal.roles import Role

    client.force_login(reviewers[0])
    project = projects(1)[0]

    def add(n):
        for _ in range(n):
            number = next(EDITORS)
            Correction.objects.create(
                project=project,
                kind="correction",
                field="summary",
                old_value="旧",
                new_value="新",
                note=f"第{number}次更正",
                made_at=timezone.now(),
                made_by=make_staff(f"charity_editor_{number}", Role.CHARITY_REVIEWER),
            )

    add(1)
    query_budget(client, f"/admin/charity/project/{project.pk}/change/", add)
