"""Query budgets: a page or API list costs the same number of queries with 1 row as with 50.

Each test shows the page once with one row and records its query count, adds 49 more rows
(with what the page shows of each: departments, events, tags, organisations…), and shows it
again under ``django_assert_max_num_queries`` with the first count. A page that reads
something per row fails here before it is slow on the city's worst day.
"""

from collections.abc import Callable

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

# The counts each budget test measured ((test, URL) -> (one row, fifty rows)), for the
# summary at the end of the run.
MEASURED: dict[tuple[str, str], tuple[int, int]] = {}


def _clear_caches() -> None:
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _pages_rendered(settings, tmp_path):
    """Each page is really rendered (no page cache in front), and uploads stay in tmp."""
    settings.PUBLIC_PAGE_CACHE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    _clear_caches()
    yield
    _clear_caches()


@pytest.fixture
def query_budget(request, django_assert_max_num_queries):
    """``check(client, url, add_rows, shows=...)``: the count with 50 rows ≤ with 1 row.

    ``add_rows(n)`` creates n more rows; ``shows(response)`` (optional) asserts the later
    rows are really on the page, so a budget is never met by showing nothing.
    """

    def check(
        client,
        url: str,
        add_rows: Callable[[int], object],
        *,
        shows: Callable[[object], None] | None = None,
        status: int = 200,
    ) -> tuple[int, int]:
        # Once before counting: what a process reads once (content types, the method)
        # is not what a page costs per request.
        assert client.get(url).status_code == status
        _clear_caches()
        with CaptureQueriesContext(connection) as one_row:
            first = client.get(url)
        assert first.status_code == status, first.content[:500]
        add_rows(49)
        _clear_caches()
        with django_assert_max_num_queries(len(one_row), info=url) as fifty_rows:
            second = client.get(url)
        assert second.status_code == status, second.content[:500]
        if shows is not None:
            shows(second)
        MEASURED[request.node.name, url] = (len(one_row), len(fifty_rows))
        return len(one_row), len(fifty_rows)

    return check


def pytest_terminal_summary(terminalreporter):
    if not MEASURED:
        return
    terminalreporter.section("query budgets (1 row / 50 rows)")
    for (test, url), (one, fifty) in sorted(MEASURED.items(), key=lambda item: item[0][1]):
        terminalreporter.write_line(f"{one:4d} {fifty:4d}  {url}  ({test})")


# The named people and places of the apps' own tests.
from tests.campaigns.conftest import campaign_editor  # noqa: E402, F401
from tests.charity.donation_support import reviewers  # noqa: E402, F401
from tests.civility_index.conftest import index_editor  # noqa: E402, F401
from tests.rumors.conftest import (  # noqa: E402, F401
    lucheng_handler,
    lucheng_office,
    office,
)
