"""`make run` runs every job: a worker with beat on a broker in files, a cache both share."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings

from tests.portal.test_settings import SERVICE_VARS, run_python
from tests.support import REPO_ROOT
from wenzhou_portal.celery import app, enqueue
from wenzhou_portal.jobs import job_deadline, job_report
from wenzhou_portal.models import ScheduledJobRun

SWEEPER = "rumors-requeue-pending-routing"

SHAPE = """
import json, django
from django.conf import settings
django.setup()
from wenzhou_portal.celery import app, enqueue
print(json.dumps({
    "broker": settings.CELERY_BROKER_URL,
    "eager": app.conf.task_always_eager,
    "folders": {key: settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key) for key in (
        "data_folder_in", "data_folder_out", "processed_folder", "control_folder")},
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_dir": settings.CACHES["default"].get("LOCATION"),
    "schedule_file": settings.CELERY_BEAT_SCHEDULE_FILENAME,
}))
"""


def shape(**env: str) -> dict:
    result = run_python(SHAPE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_redis_tasks_go_through_a_broker_in_files_to_a_worker(tmp_path):
    found = shape(VAR_DIR=str(tmp_path))
    assert found["broker"] == "filesystem://"
    assert found["eager"] is False
    broker = tmp_path / "broker"
    assert found["folders"] == {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
    }
    assert found["schedule_file"] == str(tmp_path / "celerybeat-schedule")


def test_without_redis_the_web_server_and_the_worker_share_a_cache_in_files(tmp_path):
    found = shape(VAR_DIR=str(tmp_path))
    assert found["cache"] == "wenzhou_portal.file_cache.SharedFileCache"
    assert found["cache_dir"] == str(tmp_path / "cache")


def test_celery_eager_runs_tasks_in_the_web_process_for_a_bare_runserver(tmp_path):
    assert shape(VAR_DIR=str(tmp_path), CELERY_EAGER="1")["eager"] is True


def test_the_test_suite_stays_eager_and_never_touches_the_developers_var_folders():
    assert app.conf.task_always_eager is True
    assert not settings.CELERY_BROKER_URL.startswith("filesystem:")
    assert settings.CACHES["default"]["BACKEND"] != "wenzhou_portal.file_cache.SharedFileCache"


@pytest.fixture
def filesystem_broker(tmp_path):
    """This process publishing to a broker in files, as `make run`'s web server does."""
    from tests.outage import _reset_pools

    saved = app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager
    folders = {
        "data_folder_in": str(tmp_path / "queue"),
        "data_folder_out": str(tmp_path / "queue"),
        "control_folder": str(tmp_path / "control"),
    }
    app.conf.broker_url, app.conf.broker_transport_options = "filesystem://", folders
    app.conf.task_always_eager = False
    _reset_pools()
    try:
        yield tmp_path
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager = saved
        _reset_pools()


def test_a_task_queued_by_the_web_server_waits_in_the_broker_folder(filesystem_broker):
    for folder in ("queue", "control"):
        (filesystem_broker / folder).mkdir()
    assert enqueue("campaigns.tasks.flush_page_views") is True
    assert len(list((filesystem_broker / "queue").iterdir())) == 1


def test_a_broker_folder_that_is_gone_never_fails_the_request(filesystem_broker):
    started = time.monotonic()
    assert enqueue("campaigns.tasks.flush_page_views") is False
    assert time.monotonic() - started < 1.0


COUNTER = """
import sys
from wenzhou_portal.file_cache import SharedFileCache
cache = SharedFileCache(sys.argv[1], {"TIMEOUT": 3600})
cache.add("views", 0, 3600)
for _ in range(int(sys.argv[2])):
    cache.incr("views")
"""


def test_the_shared_file_cache_counts_every_view_when_processes_count_at_once(tmp_path):
    processes = [
        subprocess.Popen(  # noqa: S603  our own interpreter and code
            [sys.executable, "-c", COUNTER, str(tmp_path), "150"], cwd=REPO_ROOT
        )
        for _ in range(4)
    ]
    assert [process.wait(timeout=60) for process in processes] == [0, 0, 0, 0]
    from wenzhou_portal.file_cache import SharedFileCache

    assert SharedFileCache(str(tmp_path), {}).get("views") == 600


def test_the_shared_file_cache_keeps_a_counters_expiry_when_counting(tmp_path):
    from wenzhou_portal.file_cache import SharedFileCache

    cache = SharedFileCache(str(tmp_path), {})
    assert cache.add("views", 0, 3 * 24 * 3600)
    assert not cache.add("views", 0, 3 * 24 * 3600)
    assert cache.incr("views") == 1
    with open(cache._key_to_file("views"), "rb") as entry:
        import pickle

        expiry = pickle.load(entry)  # noqa: S301  the file this test just wrote
    # Django's own incr would have reset it to the default five minutes.
    assert expiry - time.time() > 2 * 24 * 3600
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-added")
    cache.clear()
    assert (tmp_path / SharedFileCache.lock_name).exists()


# --- The lateness rule -----------------------------------------------------------------

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
GRACE = timedelta(minutes=10)


def report(schedule, *, succeeded=None, expected=None, now=NOW):
    return job_report(
        name="job",
        schedule=schedule,
        last_succeeded_at=succeeded,
        expected_since=expected,
        grace=GRACE,
        now=now,
    )


def test_an_interval_job_is_late_after_twice_its_interval_and_the_grace():
    # The sweeper runs every minute: late 2 min + 10 min after its last success.
    assert not report(60.0, succeeded=NOW - timedelta(minutes=11, seconds=59)).late
    assert report(60.0, succeeded=NOW - timedelta(minutes=12, seconds=1)).late


def test_a_daily_job_that_missed_one_run_is_not_yet_late():
    assert not report(24 * 3600.0, succeeded=NOW - timedelta(hours=40)).late
    assert report(24 * 3600.0, succeeded=NOW - timedelta(hours=48, minutes=11)).late


def test_a_job_that_never_succeeded_is_measured_from_when_beat_first_scheduled_it():
    assert not report(24 * 3600.0, expected=NOW - timedelta(hours=30)).late
    assert report(60.0, expected=NOW - timedelta(minutes=13)).late


def test_a_job_beat_never_scheduled_is_late():
    assert report(60.0).late


def test_a_failing_job_is_late_however_recently_it_ran():
    # Only successes count: failures leave last_succeeded_at where it was.
    assert report(60.0, succeeded=NOW - timedelta(hours=1)).late


def test_a_crontab_job_is_late_a_grace_after_the_time_it_was_due():
    nightly = crontab(hour=2, minute=30)  # Asia/Shanghai, 18:30 UTC the day before
    yesterday_run = datetime(2026, 3, 8, 18, 31, tzinfo=UTC)  # 02:31 on the 9th
    due = datetime(2026, 3, 9, 18, 30, tzinfo=UTC)  # 02:30 on the 10th
    assert job_deadline(schedule=nightly, since=yesterday_run, grace=GRACE) == due + GRACE
    assert not report(nightly, succeeded=yesterday_run, now=due + timedelta(minutes=9)).late
    assert report(nightly, succeeded=yesterday_run, now=due + timedelta(minutes=11)).late
    # Today's run came: on time until tomorrow night.
    today_run = due + timedelta(minutes=2)
    assert not report(nightly, succeeded=today_run, now=due + timedelta(hours=20)).late


def test_a_schedule_without_a_rhythm_is_never_judged():
    assert job_deadline(schedule=object(), since=NOW, grace=GRACE) is None


@pytest.mark.django_db
def test_a_job_run_in_process_is_not_the_schedulers_and_is_not_recorded():
    from rumors.tasks import requeue_pending_routing

    requeue_pending_routing.apply()
    assert not ScheduledJobRun.objects.exists()


# --- The real thing: `make run`'s worker ---------------------------------------------

PENDING_REPORT_AND_CAMPAIGN = """
from datetime import timedelta
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from campaigns.models import Campaign
from rumors import services
from rumors.models import Report
report = services.report_submit(
    data=services.ReportInput(
        category="rumor", platform="wechat", district="330302", place_description="微信群",
        content="家族群里转发“鹿城区停水三天”，请核实。",
    ),
    queue_routing=False,  # as after a broker outage: only the sweeper will route it
)
Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(hours=1))
Campaign.objects.create(
    title="网络文明承诺", slug="pledge", kind="pledge", summary="签下承诺。",
    starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() + timedelta(days=7),
    is_published=True,
)
print(report.pk)
"""

FLUSH_NOW = """
import django
django.setup()
from wenzhou_portal.celery import enqueue
assert enqueue("campaigns.tasks.flush_page_views")
"""


def procfile_command(name: str) -> str:
    for line in (REPO_ROOT / "Procfile.dev").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.partition(":")[2].strip()
    raise AssertionError(f"no {name} in Procfile.dev")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, *processes: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{what}: a process exited early (see the logs in the test's tmp)")
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout:.0f} s")


def query(database: Path, sql: str, *params):
    with sqlite3.connect(database, timeout=10) as connection:
        return connection.execute(sql, params).fetchone()


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  our own server
            return response.status, response.read()
    except OSError:
        return None, b""


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_group(process: subprocess.Popen) -> float:
    """Stop a process as honcho does (SIGTERM to its group); seconds until all of it exited."""
    started = time.monotonic()
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return 0.0
    deadline = started + 20
    while group_alive(process.pid) and time.monotonic() < deadline:
        process.poll()  # reaps the leader, so that it stops counting as alive
        time.sleep(0.05)
    if group_alive(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)
    return time.monotonic() - started


@pytest.mark.celery_worker
def test_make_runs_worker_routes_a_pending_report_counts_views_and_shows_its_jobs(tmp_path):
    """Procfile.dev's worker and web server on the embedded default (SQLite, the filesystem
    broker, the file cache) in a folder of their own; no Redis, no PostgreSQL."""
    var = tmp_path / "var"
    var.mkdir()  # as `make run` does before migrating
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARS}
    env |= {
        "DJANGO_SETTINGS_MODULE": "wenzhou_portal.settings",
        "VAR_DIR": str(var),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        # The sweeper every two seconds instead of every minute, to keep the test short.
        "REPORT_ROUTING_SWEEP_SECONDS": "2",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
    }
    setup = subprocess.run(  # noqa: S603  our own interpreter and code
        [sys.executable, "-c", PENDING_REPORT_AND_CAMPAIGN],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr[-4000:]
    report_id = int(setup.stdout.strip().splitlines()[-1])
    database = var / "portal.sqlite3"

    def start(name: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S602  Procfile.dev's own line, as honcho runs it
            procfile_command(name),
            shell=True,
            cwd=REPO_ROOT,
            env=env,
            stdout=(tmp_path / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    started = time.monotonic()
    worker, web = start("worker"), start("web")
    try:
        wait_for(
            lambda: (
                query(database, "SELECT routing_state FROM rumors_report WHERE id = ?", report_id)
                == ("done",)
            ),
            40,
            "the sweeper routing the pending report",
            worker,
        )
        routed_after = time.monotonic() - started
        last_success = wait_for(
            lambda: query(
                database,
                "SELECT last_succeeded_at FROM wenzhou_portal_scheduledjobrun WHERE name = ?",
                SWEEPER,
            ),
            10,
            "the sweeper's run recorded",
            worker,
        )
        assert last_success[0] is not None

        base = f"http://127.0.0.1:{env['PORT']}"
        wait_for(lambda: get(f"{base}/healthz")[0] == 200, 30, "the web server", web)
        status, body = get(f"{base}/readyz")
        assert status == 200
        ready = json.loads(body)
        assert ready["broker"] == "ok"
        assert ready["scheduler"] == "ok"
        assert ready["jobs"][SWEEPER]["late"] is False
        assert ready["jobs"][SWEEPER]["last_succeeded_at"] is not None

        # A view counted by the web server, flushed to the database by the worker.
        for _ in range(3):
            assert get(f"{base}/campaigns/pledge/")[0] == 200
        flush = subprocess.run(  # noqa: S603  our own interpreter and code
            [sys.executable, "-c", FLUSH_NOW],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert flush.returncode == 0, flush.stderr[-4000:]
        views = wait_for(
            lambda: query(database, "SELECT views FROM campaigns_pageviewday"),
            15,
            "the page views flushed by the worker",
            worker,
        )
        assert views == (3,)
    finally:
        stopped_in = {
            name: stop_group(process) for name, process in (("worker", worker), ("web", web))
        }
    print(f"routed {routed_after:.1f} s after the worker started; stopped in {stopped_in}")
    # Ctrl-C under honcho signals each group: the worker shuts down warm, never hangs.
    assert worker.returncode is not None
    assert stopped_in["worker"] < 15
