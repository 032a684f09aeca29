"""Shared fixtures: the named people of the portal, service guards and a live worker."""

import importlib
import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from tests.support import REPO_ROOT, require_service
from wenzhou_portal.celery import app
from wenzhou_portal.roles import Role


@pytest.fixture(autouse=True)
def _celery_eager_by_default():
    """Tasks run in-process unless a test asks for a live worker (eager is no test of a task)."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the site's language: a test client's English request leaves English
    active in the thread, and the next test would read English messages."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_limits_and_cache():
    """Each test starts with empty limit counters, a closed circuit breaker, an empty cache."""
    from django.core.cache import cache

    from wenzhou_portal import breaker, limits

    breaker.reset_all()
    limits.reset_local_counters()
    cache.clear()
    yield
    breaker.reset_all()
    limits.reset_local_counters()


@pytest.fixture
def make_staff(django_user_model):
    def make(username: str, role: Role, **extra):
        user = django_user_model.objects.create_user(
            username=username, password="correct horse battery staple", is_staff=True, **extra
        )
        user.groups.add(Group.objects.get(name=role.value))
        return user

    return make


@pytest.fixture
def office_admin(make_staff):
    """王晓明 runs triage at the office."""
    return make_staff("wang_xiaoming", Role.OFFICE_ADMIN, first_name="王晓明")


@pytest.fixture
def auditor(make_staff):
    """黄建国 audits: reads everything, changes nothing."""
    return make_staff("huang_jianguo", Role.AUDITOR, first_name="黄建国")


@pytest.fixture
def citizen(django_user_model):
    """李阿姨, 68, reports from her phone."""
    return django_user_model.objects.create_user(username="li_ayi", password="x" * 16)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = settings.REDIS_URL
    require_service(bool(url), "REDIS_URL is not set: this test needs Redis")
    return url


@pytest.fixture
def live_celery_worker(redis_url, transactional_db, django_db_blocker):
    """A real Celery worker process on Redis, using the test database.

    The test must commit its data (transactional_db) for the worker to see it.
    """
    from django.db import connection

    require_service(
        connection.vendor == "postgresql",
        "a live worker shares the test database over the network: needs DATABASE_URL (PostgreSQL)",
    )
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["REDIS_URL"] = redis_url
    # Queues of its own, so no other worker on this Redis takes the test's tasks: the
    # default queue, and every queue of CELERY_TASK_QUEUES under this run's prefix (tasks
    # are routed by kind; the worker publishes to the same prefixed queues).
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    prefix = f"{queue}."
    env["CELERY_QUEUE"] = queue
    env["CELERY_QUEUE_PREFIX"] = prefix + settings.CELERY_QUEUE_PREFIX
    queues = [
        queue if declared.name == settings.CELERY_TASK_DEFAULT_QUEUE else prefix + declared.name
        for declared in settings.CELERY_TASK_QUEUES
    ]
    proc = subprocess.Popen(  # noqa: S603  fixed argv, our own worker
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "wenzhou_portal",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"{queue}@%h",
            "--queues",
            ",".join(queues),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    hostname = f"{queue}@{socket.gethostname()}"
    app.conf.task_default_queue = queue
    # update(), not assignment: only an update makes Celery rebuild its cached router.
    app.conf.update(
        task_routes={
            name: {**route, "queue": prefix + route["queue"]}
            for name, route in settings.CELERY_TASK_ROUTES.items()
        }
    )
    app.conf.task_always_eager = False
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"Celery worker exited early:\n{proc.stdout.read()}")
            replies = app.control.ping(destination=[hostname], timeout=1)
            if replies:
                break
        else:
            pytest.fail("Celery worker did not answer a ping within 30 s")
        yield proc
    finally:
        app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
        app.conf.update(task_routes=settings.CELERY_TASK_ROUTES)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    """Let the flush after a transactional test empty the append-only tables on SQLite.

    Runs before the fixtures' teardown, so before pytest-django's flush. SQLite's flush
    deletes row by row, which the hand-written append-only triggers refuse (PostgreSQL's
    flush truncates, which pgtrigger's row triggers never see): the rows a test wrote go
    with the triggers lifted for a moment, and the triggers are back for the next test.
    """
    marker = item.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server", "live_celery_worker"} & set(item.fixturenames)
    )
    # Only where the test database was actually set up (a skipped test never got one).
    funcargs = getattr(item, "funcargs", {})
    set_up = "transactional_db" in funcargs or (
        marker is not None and "_django_db_marker" in funcargs
    )
    if not transactional or not set_up:
        return
    from django.db import connection

    if connection.vendor != "sqlite" or connection.connection is None:
        return
    tables = set(connection.introspection.table_names())
    if not {"charity_ledgerentry", "charity_allocation"} <= tables:
        return
    money = importlib.import_module("charity.migrations.0004_money")
    with connection.schema_editor() as editor:
        money.sqlite_append_only_reverse(None, editor)
        for table in money.SQLITE_APPEND_ONLY:
            editor.execute(f"DELETE FROM {table}")  # noqa: S608  (fixed table names)
        money.sqlite_append_only(None, editor)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets fixtures see whether the test failed (browser tests keep a screenshot then).
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


from tests.browser import browser, phone_page  # noqa: E402, F401  (shared fixtures)
