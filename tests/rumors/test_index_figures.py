"""The index reads the report desk's month once: one grouped query for every district."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rumors import selectors
from wenzhou_portal.districts import District

pytestmark = pytest.mark.django_db


def test_district_report_figures_is_one_grouped_query_however_many_districts(
    submit, district_rules, django_assert_num_queries
):
    for district in (District.LUCHENG, District.LONGWAN, District.TAISHUN):
        submit(district=district, content=f"{district} 的一条举报内容，足够长的文字。")
    now = timezone.now()
    with django_assert_num_queries(1):
        figures = selectors.district_report_figures(
            start=now - timedelta(days=1), end=now + timedelta(days=1)
        )
    assert set(figures) == {District.LUCHENG, District.LONGWAN, District.TAISHUN}
    assert {row["received"] for row in figures.values()} == {1}
