"""The triage list is ordered by heat: how many open reports a duplicate cluster holds."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rumors import selectors, services
from rumors.models import Report, Status

pytestmark = pytest.mark.django_db

LIST = "/admin/rumors/report/"


def make(**fields) -> Report:
    values = {
        "tracking_code": services.tracking_code_generate(),
        "category": "rumor",
        "platform": "wechat",
        "content": "有人在群里说鹿城区自来水被污染了。",
        "url": "https://mp.weixin.qq.com/s/abc",
        "status": Status.ROUTED,
    }
    values.update(fields)
    return Report.objects.create(**values)


def heats() -> dict[int, int]:
    return {report.pk: report.heat for report in selectors.reports_with_heat(Report.objects.all())}


@pytest.fixture
def cluster():
    """A primary and four reports auto-linked to it as duplicates, all open."""
    primary = make()
    return [primary, *(make(duplicate_of=primary) for _ in range(4))]


def test_every_member_of_a_cluster_shows_the_clusters_open_count(cluster):
    found = heats()
    assert {found[report.pk] for report in cluster} == {5}


def test_a_lone_report_has_heat_one_and_a_closed_lone_report_none():
    lone = make()
    closed = make(status=Status.REJECTED, rejection_reason="not_harmful")
    found = heats()
    assert found[lone.pk] == 1
    assert found[closed.pk] == 0


def test_a_closed_member_does_not_count(cluster):
    primary, first, second, *_rest = cluster
    Report.objects.filter(pk=first.pk).update(status=Status.RESOLVED)
    Report.objects.filter(pk=second.pk).update(status=Status.REJECTED, rejection_reason="other")
    found = heats()
    assert found[primary.pk] == 3
    assert found[first.pk] == 3  # a closed member still shows its cluster's heat


def test_a_closed_primary_does_not_count_but_its_open_duplicates_do(cluster):
    primary = cluster[0]
    Report.objects.filter(pk=primary.pk).update(status=Status.RESOLVED)
    assert heats()[cluster[1].pk] == 4


def test_merged_reports_are_closed_and_do_not_count(cluster):
    primary = cluster[0]
    merged = make(status=Status.MERGED, merged_into=primary)
    found = heats()
    assert found[primary.pk] == 5
    assert found[merged.pk] == 5  # shown with the cluster it was merged into


def test_a_report_under_second_look_is_open_and_counts(cluster):
    from django.utils import timezone

    primary = cluster[0]
    Report.objects.filter(pk=cluster[1].pk).update(
        status=Status.REVIEW, review_requested_at=timezone.now()
    )
    assert heats()[primary.pk] == 5


def test_an_unrelated_report_is_not_counted(cluster):
    other = make(url="https://example.org/other", content="快递单号被人在群里售卖。")
    found = heats()
    assert found[other.pk] == 1
    assert found[cluster[0].pk] == 5


# --- The admin list ------------------------------------------------------------------------


def codes_in_order(html: str) -> list[str]:
    return re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", html)


def test_the_triage_list_puts_the_hottest_cluster_first_by_default(client, office_admin, cluster):
    # Newer than the whole cluster: the model's own ordering would show it first.
    cold = make(url="https://example.org/cold", content="另一件完全不同的事情。")
    client.force_login(office_admin)
    order = codes_in_order(client.get(LIST).content.decode())
    assert order.index(cluster[0].formatted_tracking_code) < order.index(
        cold.formatted_tracking_code
    )
    assert max(order.index(r.formatted_tracking_code) for r in cluster) < order.index(
        cold.formatted_tracking_code
    )


def test_equal_heat_falls_back_to_priority_then_newest(client, office_admin):
    older_urgent = make(url="https://example.org/a", priority=5)
    plain_old = make(url="https://example.org/b")
    plain_new = make(url="https://example.org/c")
    client.force_login(office_admin)
    order = codes_in_order(client.get(LIST).content.decode())
    positions = [
        order.index(r.formatted_tracking_code) for r in (older_urgent, plain_new, plain_old)
    ]
    assert positions == sorted(positions)


def test_heat_is_a_sortable_column(client, office_admin, cluster):
    cold = make(url="https://example.org/cold", content="另一件完全不同的事情。")
    client.force_login(office_admin)
    html = client.get(LIST).content.decode()
    assert "热度" in html
    heat_column = 9  # code, category, platform, district, status, lead, due, overdue, heat
    ascending = codes_in_order(client.get(LIST, {"o": str(heat_column)}).content.decode())
    assert ascending.index(cold.formatted_tracking_code) < ascending.index(
        cluster[0].formatted_tracking_code
    )


def test_a_handler_sees_the_heat_of_the_whole_cluster(
    client, lucheng_handler, lucheng_office, longwan_office
):
    mine = make(lead_department=lucheng_office)
    make(duplicate_of=mine, lead_department=longwan_office)
    client.force_login(lucheng_handler)
    response = client.get(LIST)
    row = response.content.decode().split(mine.formatted_tracking_code, 1)[1].split("</tr>")[0]
    assert '<td class="field-heat">2</td>' in row


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_a_few_or_many_clusters(
    client, office_admin, django_assert_max_num_queries
):
    client.force_login(office_admin)
    primary = make()
    make(duplicate_of=primary)
    client.get(LIST)  # warm the session and the content types
    few = _list_queries(client)
    for _cluster in range(8):
        head = make()
        for _member in range(3):
            make(duplicate_of=head)
    with django_assert_max_num_queries(few):
        client.get(LIST)
