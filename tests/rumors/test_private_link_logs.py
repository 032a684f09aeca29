"""Tracking codes stay out of the request log, gunicorn's access log and nginx's (issue 12)."""

import logging
import runpy
import shutil
import socket
import subprocess
import time
import types
import urllib.request
from datetime import timedelta

import pytest
from gunicorn.config import Config

from tests.support import REPO_ROOT
from wenzhou_portal.gunicorn_logging import RedactingLogger
from wenzhou_portal.log_redaction import redact

CODE = "ABCD2345EFGH6789"


@pytest.mark.parametrize(
    ("logged", "expected"),
    [
        (f"/reports/track/{CODE}/", "/reports/track/[code]/"),
        (f"/reports/track/{CODE.lower()}", "/reports/track/[code]"),
        ("/reports/track/abcd-2345-efgh-6789/", "/reports/track/[code]/"),
        ("/reports/track/ＡＢＣＤ２３４５/", "/reports/track/[code]/"),
        (f"/api/v1/reports/track/{CODE}/", "/api/v1/reports/track/[code]/"),
        (f"/REPORTS/TRACK/{CODE}/", "/REPORTS/TRACK/[code]/"),
        (f"/reports/%74rack/{CODE}/", "/reports/track/[code]/"),
        (f"GET /reports/track/{CODE}/?x=1 HTTP/1.1", "GET /reports/track/[code]/?x=1 HTTP/1.1"),
        (f"https://ql.example/reports/track/{CODE}/", "https://ql.example/reports/track/[code]/"),
        ("/reports/track/", "/reports/track/"),
        ("/reports/track/rate/", "/reports/track/rate/"),
        ("/reports/track/answer/", "/reports/track/answer/"),
        ("/reports/track/review/", "/reports/track/review/"),
        ("/reports/track/ratex/", "/reports/track/[code]/"),
        ("/debunks/some-slug/", "/debunks/some-slug/"),
        ("", ""),
    ],
)
def test_redaction_replaces_the_code_segment_only(logged, expected):
    assert redact(logged) == expected


@pytest.mark.django_db
def test_the_request_log_never_holds_a_tracking_code(
    client, submit, district_rules, lucheng_handler, caplog
):
    report = submit()
    services_code = report.tracking_code
    with caplog.at_level(logging.INFO, logger="wenzhou_portal.request"):
        client.get(f"/reports/track/{services_code}/")
        client.get(f"/reports/track/{services_code.lower()}/")
        client.get(f"/reports/track/{report.formatted_tracking_code}/")
        client.get(f"/api/v1/reports/track/{services_code}/")
        client.get("/reports/track/0000000000000000/")  # a miss is somebody's mistyped code
        client.post("/reports/track/answer/", {"code": services_code, "text": "补充"})
    records = [r for r in caplog.records if r.name == "wenzhou_portal.request"]
    assert [r.path for r in records] == [
        "/reports/track/[code]/",
        "/reports/track/[code]/",
        "/reports/track/[code]/",
        "/api/v1/reports/track/[code]/",
        "/reports/track/[code]/",
        "/reports/track/answer/",
    ]
    everything = " ".join(str(value) for r in records for value in vars(r).values())
    for shown in (services_code, services_code.lower(), report.formatted_tracking_code):
        assert shown not in everything
    assert "0000000000000000" not in everything


def test_other_paths_are_logged_as_they_are(client, caplog, db):
    with caplog.at_level(logging.INFO, logger="wenzhou_portal.request"):
        client.get("/reports/track/")
        client.get("/debunks/?q=停水")
    assert [r.path for r in caplog.records if r.name == "wenzhou_portal.request"] == [
        "/reports/track/",
        "/debunks/",
    ]


def _gunicorn_config(tmp_path) -> Config:
    """The repository's gunicorn.conf.py, as gunicorn reads it, with an access log on."""
    settings = runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))
    config = Config()
    for name, value in settings.items():
        if name in config.settings:
            config.set(name, value)
    config.set("accesslog", str(tmp_path / "access.log"))
    return config


def test_gunicorn_uses_the_redacting_logger_from_its_config_file(tmp_path):
    assert _gunicorn_config(tmp_path).logger_class is RedactingLogger


def test_gunicorns_access_log_writes_code_as_a_placeholder(tmp_path):
    config = _gunicorn_config(tmp_path)
    logger = config.logger_class(config)
    response = types.SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = types.SimpleNamespace(
        headers=[("REFERER", f"https://ql.example/reports/track/{CODE}/")]
    )
    environ = {
        "REQUEST_METHOD": "GET",
        # gunicorn logs the raw request line: percent-encoding must not hide the code.
        "RAW_URI": f"/reports/%74rack/{CODE.lower()}/?from=sms",
        "PATH_INFO": f"/reports/track/{CODE.lower()}/",
        "QUERY_STRING": "from=sms",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": f"https://ql.example/reports/track/{CODE}/",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    logger.access(response, request, environ, timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = (tmp_path / "access.log").read_text()
    assert '"GET /reports/track/[code]/?from=sms HTTP/1.1" 200 512' in line
    assert '"https://ql.example/reports/track/[code]/"' in line
    assert CODE not in line
    assert CODE.lower() not in line


# --- nginx ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx_with_our_log_format(tmp_path):
    """nginx with deploy/nginx/qinglang-log.conf, answering 204 to everything."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not shutil.which(nginx):
        # Not require_service: the deployment's proxy is not a service the tests run on.
        pytest.skip("nginx is not installed: the documented log format was not run")
    port = _free_port()
    temp = tmp_path / "temp"
    temp.mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
  client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
  uwsgi_temp_path {temp}; scgi_temp_path {temp};
  include {REPO_ROOT}/deploy/nginx/qinglang-log.conf;
  server {{
    listen 127.0.0.1:{port};
    access_log {tmp_path}/access.log qinglang;
    location / {{ return 204; }}
  }}
}}
"""
    )
    process = subprocess.Popen(  # noqa: S603  our own nginx on a free port, stopped below
        [nginx, "-c", str(conf), "-p", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", tmp_path / "access.log"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_nginxs_documented_format_writes_code_as_a_placeholder(nginx_with_our_log_format):
    base, log = nginx_with_our_log_format
    paths = [
        f"/reports/track/{CODE}/",
        f"/reports/%74rack/{CODE.lower()}/?from=qr",
        f"//reports//track/{CODE}/",
        f"/api/v1/reports/track/{CODE}/",
        "/reports/track/rate/",
        "/debunks/?q=1",
    ]
    for path in paths:
        request = urllib.request.Request(  # noqa: S310  our own nginx on localhost
            base + path, headers={"Referer": f"https://ql.example/reports/track/{CODE}/"}
        )
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(log.read_text().splitlines()) < len(paths):
        time.sleep(0.05)
    lines = log.read_text().splitlines()
    assert [line.split('"')[1] for line in lines] == [
        "GET /reports/track/[code]/ HTTP/1.1",
        "GET /reports/track/[code]/ HTTP/1.1",
        "GET /reports/track/[code]/ HTTP/1.1",
        "GET /api/v1/reports/track/[code]/ HTTP/1.1",
        "GET /reports/track/rate/ HTTP/1.1",
        "GET /debunks/?q=1 HTTP/1.1",
    ]
    text = "\n".join(lines)
    assert CODE not in text
    assert CODE.lower() not in text
    assert text.count('"https://ql.example/reports/track/[code]/"') == len(paths)


def test_djangos_own_error_line_for_a_private_link_is_redacted():
    """A 500 on a private link: "Internal Server Error: /reports/track/<code>/" and the
    request Django attaches both reach stdout without the code."""
    from django.test import RequestFactory

    from wenzhou_portal.log_redaction import RedactingFilter

    code = "K7QH3M9XTR2PZ8WD"
    request = RequestFactory().get(f"/reports/track/{code}/")
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        (request.path,),
        None,
    )
    record.request = request
    assert RedactingFilter().filter(record) is True
    assert code not in record.getMessage()
    assert "/reports/track/[code]/" in record.getMessage()
    assert code not in record.request


def test_the_stdout_handler_is_wired_with_the_filter():
    from django.conf import settings

    assert "redact_codes" in settings.LOGGING["handlers"]["stdout"]["filters"]
