"""The dashboard on a phone: charts render, a district opens, the CSV downloads."""

import pytest
from django.utils import timezone

from civility_index import services
from civility_index.models import MethodSettings
from tests.browser import run_axe
from tests.support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_charts_drill_down_and_csv(
    live_server, phone_page, submit, district_rules, default_method
):
    for i in range(3):
        submit(
            district="330302",
            content=f"鹿城区举报{i}：群里传谣，说自来水有毒。",
            url=f"https://example.org/{i}",
        )
    # Charts are drawn only when there are scores: let three reports give Lucheng a total.
    MethodSettings.objects.update(max_missing_share=0.9)
    current = services.month_start(timezone.localdate())
    services.snapshot_compute(period=services.previous_month(current))
    services.snapshot_compute(period=current)

    page = phone_page
    page.goto(live_server.url + "/index/")
    page.wait_for_selector("#chart-trend[data-rendered=true]")
    page.wait_for_selector("#chart-ranking[data-rendered=true]")
    page.wait_for_selector("#chart-radar[data-rendered=true]")
    assert page.locator("#chart-trend svg").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "index-dashboard-360.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert text.startswith("district_code,district,overall")

    page.get_by_role("link", name="鹿城区").first.click()
    page.wait_for_url("**/index/districts/330302/")
    assert "鹿城区" in page.locator("h1").inner_text()
    assert "举报办结率" in page.content()
    assert run_axe(page) == []
