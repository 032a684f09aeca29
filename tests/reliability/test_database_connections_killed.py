"""Database connections terminated under load (pg_terminate_backend): at most the requests
in flight fail, and the next ones succeed without restarting anything."""

import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.reliability.processes import gunicorn, service_env

pytestmark = pytest.mark.reliability

WORKERS, THREADS = 2, 2
CLIENTS = 4  # at most this many requests are in flight at any moment
PATHS = ["/debunks/", "/reports/stats/", "/campaigns/", "/readyz"]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  localhost
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _terminate_portal_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_killed_database_connections_fail_only_the_requests_in_flight(
    database, throwaway_redis, tmp_path
):
    env = service_env(database, throwaway_redis.url, DB_CONN_MAX_AGE="600")
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 3600

    with gunicorn(env, tmp_path, workers=WORKERS, threads=THREADS) as base:

        def client(index: int) -> None:
            n = index
            while time.monotonic() < stop_at:
                status = _get(base + PATHS[n % len(PATHS)])
                with lock:
                    results.append((time.monotonic(), status))
                n += 1

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(3)  # warm: every worker thread holds a persistent connection
        kills = []
        for _round in range(3):
            kills.append((time.monotonic(), _terminate_portal_connections()))
            time.sleep(2)
        stop_at = time.monotonic()
        for thread in threads:
            thread.join(timeout=15)

    assert all(killed > 0 for _at, killed in kills), "no portal connection was terminated"
    failures = [status for _at, status in results if status != 200]
    # Each kill can fail at most the requests in flight at that moment.
    assert len(failures) <= CLIENTS * len(kills), failures
    # And after the last kill everything succeeds again, without a restart.
    last_kill = kills[-1][0]
    after = [status for at, status in results if at > last_kill + 1.0]
    assert len(after) >= 10
    assert set(after) == {200}
    print(f"{len(results)} requests, {len(failures)} failed around {len(kills)} kills")
