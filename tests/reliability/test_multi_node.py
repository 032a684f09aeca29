"""Stateless web nodes: two gunicorn processes on different ports share one PostgreSQL, one
Redis and one object store, and a visitor sent to either by the proxy meets one portal.

What a node could keep to itself, and where it lives instead:
- the staff session: the database (django.contrib.sessions' default engine);
- per-client limits: Redis (one Lua script per check, wenzhou_portal/limits.py);
- uploaded files: the object store (moto's S3 server here, MinIO in compose);
- the cache: Redis. Public pages for anonymous visitors are served from it
  (wenzhou_portal/page_cache.py), and each process trusts its own copy of a page for
  PUBLIC_PAGE_CACHE_LOCAL_SECONDS (5 s) before it asks again whether what the page shows
  changed. That is the stated staleness bound, and what is tested here: a snapshot made or
  published, or a debunk corrected, through one node is served by the other within 5 s
  (and not a moment before it is committed).

The test plays the TLS proxy: each request carries the X-Forwarded-For entry nginx would
append (PROXY_COUNT=1), and one visitor's cookies go to whichever node it picks.
"""

import hashlib
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
import redis
import requests
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from civility_index.defaults import ensure_default_method
from civility_index.models import Snapshot
from civility_index.services import month_start, previous_month, snapshot_compute
from rumors.models import Evidence
from tests.reliability.processes import (
    ThrowawayRedis,
    gunicorn,
    moto_s3,
    object_storage_env,
    s3_client,
    service_env,
)
from tests.rumors.images import image_bytes
from tests.support import require_service
from wenzhou_portal.models import AuditEvent
from wenzhou_portal.roles import Role

pytestmark = pytest.mark.reliability

PUBLIC_BUCKET = "multi-node-public"
PRIVATE_BUCKET = "multi-node-private"
PASSWORD = "correct horse battery staple"
# A citizen may file three reports a day here, so that a fourth shows the shared count.
DAILY_REPORTS = 3
BUDGET_SECONDS = 90
REPORT = {
    "category": "fraud",
    "platform": "douyin",
    "url": "https://www.douyin.com/video/7301",
    "content": "直播间冒充客服，要求观众加微信退款并提供验证码。",
    "district": "330302",
}


class Node:
    def __init__(self, name: str, base: str, var_dir: Path):
        self.name, self.base, self.var_dir = name, base, var_dir

    def local_files(self) -> list[Path]:
        return [path for path in self.var_dir.rglob("*") if path.is_file()]


class Visitor:
    """One browser behind the proxy: the proxy appends its address, and its cookies go to
    whichever node answers (cookies are per host, not per port)."""

    def __init__(self, address: str):
        self.address = address
        self.session = requests.Session()

    def get(self, node: Node, path: str) -> requests.Response:
        return self.session.get(
            node.base + path,
            headers={"X-Forwarded-For": self.address},
            allow_redirects=False,
            timeout=20,
        )

    def post(self, node: Node, path: str, data: dict, files=None) -> requests.Response:
        # The CSRF cookie was set by an earlier page; the form sends it back as the token.
        token = self.session.cookies.get("csrftoken")
        assert token, "no CSRF cookie: GET the form's page first"
        return self.session.post(
            node.base + path,
            data={**data, "csrfmiddlewaretoken": token},
            files=files,
            headers={"X-Forwarded-For": self.address},
            allow_redirects=False,
            timeout=20,
        )

    def sign_in(self, node: Node, username: str) -> None:
        assert self.get(node, "/admin/login/").status_code == 200
        answer = self.post(
            node, "/admin/login/", {"username": username, "password": PASSWORD, "next": "/admin/"}
        )
        assert answer.status_code == 302, answer.text[:2000]
        assert answer.headers["Location"] == "/admin/"


@pytest.fixture(scope="module")
def cluster(django_db_setup, tmp_path_factory):
    """Two web nodes (A, B) on one PostgreSQL test database, one Redis, one object store."""
    require_service(
        connection.vendor == "postgresql",
        "web nodes share the test database with the test: needs PostgreSQL",
    )
    started = time.monotonic()
    workdir = tmp_path_factory.mktemp("multi-node")
    with ExitStack() as stack:
        shared_redis = ThrowawayRedis(workdir)
        shared_redis.start()
        stack.callback(shared_redis.close)
        s3_url = stack.enter_context(moto_s3(workdir))
        for bucket in (PUBLIC_BUCKET, PRIVATE_BUCKET):
            s3_client(s3_url).create_bucket(Bucket=bucket)
        nodes = {}
        for name in ("A", "B"):
            var_dir = workdir / f"node-{name}-var"
            var_dir.mkdir()
            env = service_env(
                connection.settings_dict,
                shared_redis.url,
                **object_storage_env(s3_url, PUBLIC_BUCKET, PRIVATE_BUCKET),
                PROXY_COUNT="1",
                DJANGO_DEBUG="0",
                # Anything a node wrote to its own disk would land here, and be found.
                VAR_DIR=str(var_dir),
                REPORT_RATE_LIMIT_MINUTE="100/m",
                REPORT_RATE_LIMIT_DAY=f"{DAILY_REPORTS}/d",
                # Node A runs tasks in its own process, standing in for the index worker
                # that would compute a snapshot an editor asked for through it.
                CELERY_EAGER="1" if name == "A" else "0",
            )
            base = stack.enter_context(gunicorn(env, workdir, workers=2, threads=2))
            nodes[name] = Node(name, base, var_dir)
        print(f"two nodes up in {time.monotonic() - started:.1f} s")
        yield {
            "A": nodes["A"],
            "B": nodes["B"],
            "redis": redis.Redis.from_url(shared_redis.url),
            "s3": s3_client(s3_url),
            "started": started,
        }
        assert time.monotonic() - started < BUDGET_SECONDS


@pytest.fixture
def people(transactional_db, make_staff):
    """王晓明 runs triage at the office; 周敏 keeps the index. Committed: the nodes read them."""
    return {
        "office_admin": make_staff("wang_xiaoming", Role.OFFICE_ADMIN, first_name="王晓明"),
        "index_editor": make_staff("zhou_min", Role.INDEX_EDITOR, first_name="周敏"),
    }


def test_a_staff_session_made_on_one_node_is_valid_on_the_other(cluster, people):
    a, b = cluster["A"], cluster["B"]
    staff = Visitor("198.51.100.10")
    staff.sign_in(a, "wang_xiaoming")
    assert staff.session.cookies.get("sessionid")

    on_b = staff.get(b, "/admin/")
    assert on_b.status_code == 200
    assert "王晓明" in on_b.text
    # A visitor without the cookie is sent to sign in, so it was the session that counted.
    assert Visitor("198.51.100.11").get(b, "/admin/").status_code == 302

    # Signing out through B ends the session on A too.
    assert staff.post(b, "/admin/logout/", {}).status_code == 200
    assert staff.get(a, "/admin/").status_code == 302


def _submit(visitor: Visitor, node: Node, n: int) -> requests.Response:
    return visitor.session.post(
        node.base + "/api/v1/reports/",
        json={
            "category": "rumor",
            "platform": "wechat",
            "place_description": "微信群",
            "content": f"群里流传本地学校停课的消息，未见官方通知（第{n}次）。",
        },
        headers={"X-Forwarded-For": visitor.address},
        timeout=20,
    )


def test_a_rate_limit_counted_on_one_node_is_enforced_on_the_other(cluster, people):
    a, b = cluster["A"], cluster["B"]
    citizen = Visitor("203.0.113.40")
    for n in range(DAILY_REPORTS):
        assert _submit(citizen, a, n).status_code == 201

    refused = _submit(citizen, b, DAILY_REPORTS)
    assert refused.status_code == 429, refused.text[:500]
    # The budget is the citizen's, not the node's: someone else is still heard on B.
    assert _submit(Visitor("203.0.113.41"), b, 0).status_code == 201


def test_a_screenshot_uploaded_through_one_node_is_streamed_to_staff_by_the_other(cluster, people):
    a, b = cluster["A"], cluster["B"]
    screenshot = image_bytes("PNG", size=(90, 60))
    citizen = Visitor("203.0.113.50")
    assert citizen.get(a, "/reports/new/").status_code == 200
    filed = citizen.post(
        a, "/reports/new/", REPORT, files={"images": ("screen.png", screenshot, "image/png")}
    )
    assert filed.status_code == 302, filed.text[:2000]
    item = Evidence.objects.get()
    keys = {
        entry["Key"]
        for entry in cluster["s3"].list_objects_v2(Bucket=PRIVATE_BUCKET).get("Contents", ())
    }
    assert {item.original_path, item.redacted_path} <= keys

    staff = Visitor("198.51.100.20")
    staff.sign_in(b, "wang_xiaoming")
    original = staff.get(b, f"/reports/evidence/{item.pk}/original/")
    assert original.status_code == 200
    assert "Location" not in original.headers  # streamed by the node, not a URL to the store
    assert hashlib.sha256(original.content).hexdigest() == item.original_sha256
    assert original.content == screenshot
    assert staff.get(b, f"/reports/evidence/{item.pk}/redacted/").status_code == 200
    looked = AuditEvent.objects.get(action="rumors.evidence_original_viewed")
    assert looked.actor == people["office_admin"]
    # Neither node kept a file of its own.
    assert a.local_files() == []
    assert b.local_files() == []


# The per-process layer's bound (settings.PUBLIC_PAGE_CACHE_LOCAL_SECONDS), and the time a
# poll and a page may take on a loaded two-core machine.
STALENESS_BOUND = 5.0
SLACK = 2.0


def _served_within(visitor: "Visitor", node: Node, path: str, text: str) -> float:
    """Seconds until ``node`` serves ``path`` with ``text``; fails past the bound."""
    changed = time.monotonic()
    while True:
        page = visitor.get(node, path)
        assert page.status_code == 200
        waited = time.monotonic() - changed
        if text in page.text:
            return waited
        assert waited < STALENESS_BOUND + SLACK, f"{path} still stale after {waited:.1f} s"
        time.sleep(0.25)


def _provisional_notice(period: date) -> str:
    return f"{period:%Y-%m} 的数据尚未完整"


def test_a_new_index_snapshot_made_through_one_node_is_served_by_the_other_within_5_s(
    cluster, people
):
    a, b = cluster["A"], cluster["B"]
    ensure_default_method()  # a transactional test's flush took the data migration's rows
    current = month_start(timezone.localdate())
    snapshot_compute(period=previous_month(current))
    reader = Visitor("203.0.113.60")
    for node in (a, b):
        page = reader.get(node, "/index/")
        assert page.status_code == 200
        assert _provisional_notice(current) not in page.text
    assert cluster["redis"].keys("wz:*index:dashboard*"), "the dashboard is cached in Redis"

    editor = Visitor("198.51.100.30")
    editor.sign_in(a, "zhou_min")
    editor.get(a, reverse("admin:civility_index_snapshot_changelist"))
    asked = editor.post(a, reverse("admin:civility_index_snapshot_recompute"), {})
    assert asked.status_code == 302
    assert Snapshot.objects.filter(period=current).exists()

    # Every process of B serves it within the bound (a process that never held the page
    # at once; one that did within 5 s).
    _served_within(reader, b, "/index/", _provisional_notice(current))
    _served_within(Visitor("203.0.113.61"), b, "/index/", _provisional_notice(current))


def test_a_restatement_published_through_one_node_is_served_by_the_other_within_5_s(
    cluster, people
):
    a, b = cluster["A"], cluster["B"]
    ensure_default_method()
    period = previous_month(month_start(timezone.localdate()))
    published = snapshot_compute(period=period)
    restatement = Snapshot.objects.create(
        period=period,
        version=published.version + 1,
        method_version=published.method_version,
        is_published=False,
        city_score=42.5,
        results={**published.results, "city": {**published.results["city"], "overall": 42.5}},
        method=published.method,
        input_digest="restated",
    )
    reader = Visitor("203.0.113.70")
    assert "42.5" not in reader.get(b, "/index/").text

    editor = Visitor("198.51.100.40")
    editor.sign_in(a, "zhou_min")
    changelist = reverse("admin:civility_index_snapshot_changelist")
    editor.get(a, changelist)
    done = editor.post(
        a,
        changelist,
        {"action": "publish", "_selected_action": str(restatement.pk), "index": "0"},
    )
    assert done.status_code == 302
    restatement.refresh_from_db()
    assert restatement.is_published

    # Published through A, seen through B within the bound: the page's version moves with
    # every publication, not only with a new snapshot.
    _served_within(reader, b, "/index/", "42.5")


def test_a_corrected_debunk_is_served_by_every_node_within_5_s_and_cached_until_then(
    cluster, people
):
    from rumors import services as rumor_services
    from rumors.models import Debunk

    a, b = cluster["A"], cluster["B"]
    debunk = Debunk.objects.create(
        slug="multi-node-water",
        title="“鹿城区全面停水三天”系谣言",
        claim="微信群流传鹿城区下周全面停水三天。",
        verdict="false",
        summary="温州水务：鹿城区没有停水计划。",
        body="供水正常。",
        authority=rumor_services.office_department(),
    )
    rumor_services.debunk_publish(debunk_id=debunk.pk, actor=people["office_admin"])
    path = f"/debunks/{debunk.slug}/"
    reader = Visitor("203.0.113.80")
    for node in (a, b):
        first = reader.get(node, path)
        assert first.status_code == 200
        assert "全面停水三天" in first.text
    again = reader.get(b, path)
    assert again.headers.get("X-Page-Cache") == "hit", "an anonymous reader is served the copy"
    assert "csrfmiddlewaretoken" not in again.text
    assert "csrftoken" not in again.cookies

    debunk.refresh_from_db()
    debunk.summary = "更正：温州水务确认鹿城区仅两个小区短时检修停水。"
    debunk.save()
    for node in (a, b):
        _served_within(reader, node, path, "仅两个小区短时检修停水")
