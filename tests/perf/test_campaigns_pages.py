"""Query budgets of the campaigns: the list, a campaign's page, the API and admin lists."""

import itertools

import pytest

from campaigns.models import Campaign, Candidate, JuryScore
from tests.perf.campaign_rows import campaigns, candidates, registrations, signatures

pytestmark = pytest.mark.django_db

JURORS = itertools.count(1)


@pytest.mark.parametrize(
    "url",
    [
        "/campaigns/",
        "/campaigns/?kind=pledge",
        "/campaigns/?district=330302",
        "/campaigns/?tag=清朗",
        "/api/v1/campaigns/",
        "/api/v1/campaigns/?tag=清朗",
    ],
)
def test_the_campaign_lists_cost_the_same_with_50_campaigns(client, query_budget, url):
    campaigns(1)

    def shows(response):
        newest = Campaign.objects.order_by("-starts_at").first()
        assert newest.title_en.split()[-1] in response.content.decode()

    query_budget(client, url, campaigns, shows=shows)


@pytest.mark.parametrize("on", ["page", "api"])
def test_a_pledge_costs_the_same_with_50_signatures(client, query_budget, on):
    pledge = campaigns(1)[0]
    signatures(pledge, 1)
    url = pledge.get_absolute_url() if on == "page" else f"/api/v1/campaigns/{pledge.slug}/"
    query_budget(client, url, lambda n: signatures(pledge, n))


def test_an_event_costs_the_same_with_50_registrations(client, query_budget):
    event = campaigns(1, "event")[0]
    registrations(event, 1)
    query_budget(client, event.get_absolute_url(), lambda n: registrations(event, n))


@pytest.mark.parametrize("kind", ["vote", "contest"])
def test_a_vote_costs_the_same_with_50_candidates(client, query_budget, make_staff, kind):
    from wenzhou_portal.roles import Role

    juror = make_staff("juror_chen", Role.CAMPAIGN_EDITOR)
    vote = campaigns(1, kind)[0]
    candidates(vote, 1, juror=juror)

    def shows(response):
        assert Candidate.objects.order_by("-pk").first().name in response.content.decode()

    query_budget(
        client, vote.get_absolute_url(), lambda n: candidates(vote, n, juror=juror), shows=shows
    )


@pytest.mark.parametrize(
    "url",
    [
        "/admin/campaigns/campaign/",
        "/admin/campaigns/signature/",
        "/admin/campaigns/candidate/",
        "/admin/campaigns/vote/",
        "/admin/campaigns/eventregistration/",
        "/admin/campaigns/pageviewday/",
    ],
)
def test_the_campaign_admin_lists_cost_the_same_with_50_rows(
    client, query_budget, campaign_editor, url
):
    client.force_login(campaign_editor)

    def add(n):
        vote, pledge, event = campaigns(1, "vote") + campaigns(1) + campaigns(1, "event")
        campaigns(n)
        candidates(vote, n, juror=campaign_editor)
        signatures(pledge, n)
        registrations(event, n)

    add(1)
    query_budget(client, url, add)


@pytest.mark.parametrize("kind", ["vote", "pledge"])
def test_a_campaign_in_admin_costs_the_same_with_50_candidates_and_figures(
    client, query_budget, campaign_editor, kind
):
    client.force_login(campaign_editor)
    campaign = campaigns(1, kind)[0]

    def add(n):
        candidates(campaign, n, juror=campaign_editor)
        signatures(campaign, n)

    add(1)
    query_budget(client, f"/admin/campaigns/campaign/{campaign.pk}/change/", add)


def test_a_nominee_in_admin_costs_the_same_with_50_jurors_scores(
    client, query_budget, campaign_editor, make_staff
):
    from wenzhou_portal.roles import Role

    client.force_login(campaign_editor)
    vote = campaigns(1, "vote")[0]
    candidates(vote, 1, juror=campaign_editor)
    nominee = Candidate.objects.get(campaign=vote)

    def add(n):
        for _ in range(n):
            juror = make_staff(f"juror_{next(JURORS)}", Role.CAMPAIGN_EDITOR)
            JuryScore.objects.create(candidate=nominee, juror=juror, score=70)

    def shows(response):
        assert response.content.decode().count('value="70"') >= 49

    query_budget(client, f"/admin/campaigns/candidate/{nominee.pk}/change/", add, shows=shows)
