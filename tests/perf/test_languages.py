"""Query budgets of the public lists read in English and in senior mode.

An English page shows each row's English fields (and a department's English name); senior
mode lays the page out anew. Neither may read anything per row.
"""

import pytest
from django.conf import settings

from campaigns.models import Campaign
from tests.perf import rows
from tests.perf.campaign_rows import campaigns
from tests.perf.charity_rows import projects
from wenzhou_portal.preferences import ELDER_MODE_COOKIE

pytestmark = pytest.mark.django_db

ROWS = {
    "/debunks/": rows.debunks,
    "/debunks/feed/": rows.debunks,
    "/api/v1/debunks/": rows.debunks,
    "/reports/stats/": rows.reports,
    "/campaigns/": campaigns,
    "/api/v1/campaigns/": campaigns,
    "/charity/": projects,
    "/api/v1/charity/projects/": projects,
}


@pytest.fixture(params=["en", "senior"])
def reader(request, client):
    """A visitor reading in English, or in senior mode (Chinese, large type)."""
    if request.param == "en":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    else:
        client.cookies[ELDER_MODE_COOKIE] = "1"
    return request.param


@pytest.mark.parametrize("url", ROWS)
def test_a_public_list_costs_the_same_in_english_and_senior_mode(client, query_budget, reader, url):
    ROWS[url](1)
    query_budget(client, url, ROWS[url])


def test_the_english_debunk_list_shows_english_titles(client, query_budget):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows.debunks(1)

    def shows(response):
        assert "Lucheng water cut no." in response.content.decode()

    query_budget(client, "/debunks/", rows.debunks, shows=shows)


def test_the_english_campaign_list_shows_english_titles(client, query_budget):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    campaigns(1)

    def shows(response):
        newest = Campaign.objects.order_by("-starts_at").first()
        assert newest.title_en in response.content.decode()

    query_budget(client, "/campaigns/", campaigns, shows=shows)
