"""Query budgets of the report desk's public pages and API lists."""

import pytest
from django.contrib.auth import get_user_model

from rumors import services
from rumors.models import Debunk, DebunkAppearance, DebunkSource, Report
from tests.perf import rows
from wenzhou_portal.phone_verification import phone_hash

pytestmark = pytest.mark.django_db


def _shows(*texts: str):
    def check(response) -> None:
        body = response.content.decode()
        for text in texts:
            assert text in body

    return check


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/reports/",
        "/reports/new/",
        "/reports/track/",
        "/account/sign-in/",
        "/debunks/",
        "/debunks/?q=停水",
        "/debunks/?district=330302&category=rumor",
        "/debunks/feed/",
        "/debunks/suggest/?q=鹿城区全面停水",
        "/api/v1/debunks/",
        "/api/v1/debunks/?q=停水",
        "/api/v1/debunks/labels/",
    ],
)
def test_debunk_lists_and_plain_pages_cost_the_same_with_50_debunks(client, query_budget, url):
    rows.debunks(1)
    query_budget(client, url, rows.debunks)


def test_the_debunk_list_shows_the_newest_with_their_authorities(client, query_budget):
    rows.debunks(1)
    newest = []

    def add(n):
        rows.debunks(n)
        newest.append(Debunk.objects.order_by("-published_at").first())

    # The newest is listed first, under its own department.
    query_budget(
        client,
        "/debunks/",
        add,
        shows=lambda response: _shows(newest[0].title, newest[0].authority.name)(response),
    )


@pytest.mark.parametrize("on", ["page", "api"])
def test_a_debunk_costs_the_same_with_50_sources_appearances_tags_and_related(
    client, query_budget, on
):
    debunk = rows.debunks(1)[0]
    rows.debunks(1)  # a related one
    DebunkAppearance.objects.create(debunk=debunk, platform="douyin", account="account-first")

    def add(n):
        for number in range(n):
            DebunkSource.objects.create(
                debunk=debunk, title=f"来源{number}", url=f"https://example.org/s{number}"
            )
            DebunkAppearance.objects.create(
                debunk=debunk, platform="douyin", account=f"account{number}"
            )
        services.debunk_codes_set(
            debunk=debunk,
            districts=["330302", "330303"],
            categories=["rumor"],
            tags=[f"标签{number}" for number in range(n)],
        )
        rows.debunks(n)

    url = debunk.get_absolute_url() if on == "page" else f"/api/v1/debunks/{debunk.slug}/"
    query_budget(client, url, add, shows=_shows("来源48", "标签48" if on == "page" else "来源0"))


@pytest.mark.parametrize("on", ["page", "api"])
def test_the_tracking_page_costs_the_same_with_50_steps(client, query_budget, on):
    report = rows.reports(1)[0]
    rows.events(report, 1)
    url = (
        f"/reports/track/{report.tracking_code}/"
        if on == "page"
        else f"/api/v1/reports/track/{report.tracking_code}/"
    )
    query_budget(client, url, lambda n: rows.events(report, n), shows=_shows("第", "已联系平台"))


def test_my_reports_cost_the_same_with_50_reports(client, query_budget):
    li_ayi = get_user_model().objects.create(
        username="citizen-13800138000",
        mobile_hash=phone_hash("13800138000"),
        mobile_masked="138****8000",
    )
    client.force_login(li_ayi)
    rows.reports(1, reporter=li_ayi)

    def add(n):
        made = rows.reports(n, reporter=li_ayi)
        add.last = made[-1]

    query_budget(
        client,
        "/reports/mine/",
        add,
        shows=lambda response: _shows(add.last.formatted_tracking_code)(response),
    )


@pytest.mark.parametrize(
    "url",
    [
        "/reports/stats/",
        "/reports/stats/report-statistics.csv",
        "/api/v1/reports/stats/",
        "/open311/v2/services.json",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
    ],
)
def test_statistics_and_open311_cost_the_same_with_50_reports(client, query_budget, url):
    rows.reports(1)
    query_budget(client, url, rows.reports)


def test_open311_names_each_requests_agency(client, query_budget):
    rows.reports(1)

    def add(n):
        add.made = rows.reports(n)

    query_budget(
        client,
        "/open311/v2/requests.json",
        add,
        shows=lambda response: _shows(add.made[-1].lead_department.name)(response),
    )


def test_the_confirmation_costs_the_same_with_50_debunks_it_may_answer(client, query_budget):
    from rumors.views import SUBMITTED_SESSION_KEY

    report = rows.reports(1)[0]
    Report.objects.filter(pk=report.pk).update(content="微信群里说鹿城区下周全面停水三天。")
    rows.debunks(1)
    session = client.session
    session[SUBMITTED_SESSION_KEY] = report.tracking_code
    session.save()

    def shows(response):
        # The debunks on the same water rumor are offered as answers.
        assert "鹿城区停水第" in response.content.decode()

    query_budget(client, "/reports/submitted/", rows.debunks, shows=shows)
