"""The one settings module switches shape with the environment alone."""

import json
import os
import subprocess
import sys

import pytest

from tests.support import REPO_ROOT

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    "health_checks": settings.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "reject_on_lost": settings.CELERY_TASK_REJECT_ON_WORKER_LOST,
    "prefetch": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
    "visibility": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "accept": settings.CELERY_ACCEPT_CONTENT,
}))
"""

SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "CACHE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests; never in a deployment
)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    clean["DJANGO_SETTINGS_MODULE"] = "wenzhou_portal.settings"
    clean.update(env)
    return subprocess.run(  # noqa: S603  our own interpreter and code
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def probe(**env: str) -> dict:
    result = run_python(PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_variables_gives_the_embedded_default():
    shape = probe()
    assert shape["engine"] == "django.db.backends.sqlite3"
    assert shape["db_name"].endswith("var/portal.sqlite3")
    # A worker runs the tasks from a broker in files, sharing a cache in files with the web
    # server (`make run`; tests/portal/test_embedded_run.py).
    assert shape["eager"] is False
    assert shape["broker"] == "filesystem://"
    assert shape["cache"].endswith("SharedFileCache")
    assert shape["email"].endswith("console.EmailBackend")


def test_database_url_selects_postgresql_with_persistent_checked_connections():
    shape = probe(DATABASE_URL="postgres://portal:pw@db.example:5432/portal")
    assert shape["engine"] == "django.db.backends.postgresql"
    assert shape["db_name"] == "portal"
    assert shape["conn_max_age"] > 0
    assert shape["health_checks"] is True


def test_redis_url_makes_redis_the_broker_and_cache_and_turns_eager_off():
    shape = probe(REDIS_URL="redis://cache.example:6379/0")
    assert shape["broker"] == "redis://cache.example:6379/0"
    assert shape["eager"] is False
    assert shape["cache"] == "wenzhou_portal.cache.ResilientRedisCache"


def test_celery_is_configured_not_to_lose_tasks():
    shape = probe(REDIS_URL="redis://cache.example:6379/0")
    assert shape["acks_late"] is True
    assert shape["reject_on_lost"] is True
    assert shape["prefetch"] == 1
    assert shape["visibility"] > shape["time_limit"]
    assert shape["accept"] == ["json"]


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"ALLOWED_HOSTS": "portal.example", "SITE_URL": "https://portal.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 60, "SITE_URL": "https://portal.example"}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "portal.example"}, "SITE_URL"),
        (
            {
                "SECRET_KEY": "x" * 60,
                "ALLOWED_HOSTS": "portal.example",
                "SITE_URL": "portal.example/no-scheme",
            },
            "SITE_URL",
        ),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env, missing):
    result = run_python(PROBE, DJANGO_ENV="production", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3Y-" + "q9Zx7Lm2Vb8Nc4Rt6Yw1Ue5Io3Pa0Sd" * 2,
    "ALLOWED_HOSTS": "qinglang.example.gov.cn",
    "SITE_URL": "https://qinglang.example.gov.cn",
}


def test_production_check_deploy_reports_no_issues_at_all():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=REPO_ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in SERVICE_VARS}, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The one silenced check is axes.W006, on purpose: staff lockout is per account.
    assert "System check identified no issues (1 silenced)." in result.stdout


HEADERS_PROBE = """
import json, django
django.setup()
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/", secure=True, headers={"host": "qinglang.example.gov.cn"})
insecure = Client().get("/", headers={"host": "qinglang.example.gov.cn"})
print(json.dumps({
    "status": response.status_code,
    "csp": response.headers.get("Content-Security-Policy"),
    "hsts": response.headers.get("Strict-Transport-Security"),
    "nosniff": response.headers.get("X-Content-Type-Options"),
    "referrer": response.headers.get("Referrer-Policy"),
    "insecure_status": insecure.status_code,
    "insecure_location": insecure.headers.get("Location"),
    "insecure_csp": insecure.headers.get("Content-Security-Policy"),
}))
"""


def test_production_responses_carry_security_headers_and_a_same_origin_csp(tmp_path):
    result = run_python(HEADERS_PROBE, **PRODUCTION_ENV, VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["insecure_status"] == 301
    assert headers["insecure_location"].startswith("https://")
    assert headers["insecure_csp"]
    assert "max-age=31536000" in headers["hsts"]
    assert headers["nosniff"] == "nosniff"
    assert headers["referrer"] == "same-origin"
    directives = dict(
        part.strip().split(" ", 1) for part in headers["csp"].split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    for name in ("script-src", "style-src", "img-src", "font-src", "connect-src"):
        sources = set(directives[name].split())
        # Our own origin (plus data: images for tiny inline icons), nothing else.
        assert sources <= {"'self'", "data:"}, (name, sources)
    assert "'unsafe-inline'" not in headers["csp"]
    assert directives["frame-ancestors"] == "'none'"


ADMIN_LOGIN_PROBE = """
import django
django.setup()
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
html = Client().get("/admin/login/", secure=True, headers={"host": "qinglang.example.gov.cn"})
print("OTP_FIELD" if 'name="otp_token"' in html.content.decode() else "NO_OTP_FIELD")
"""


@pytest.mark.parametrize(
    ("env", "expected"),
    [(PRODUCTION_ENV, "OTP_FIELD"), ({}, "NO_OTP_FIELD")],
    ids=["production", "embedded-default"],
)
def test_staff_sign_in_asks_for_a_totp_code_in_production_only(tmp_path, env, expected):
    result = run_python(ADMIN_LOGIN_PROBE, **env, VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
