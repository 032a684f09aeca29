"""The OpenAPI schema tells the truth: schemathesis checks every operation against the app.

Every operation of /api/schema/ is called through the real WSGI application (middleware
included) with generated input, valid and invalid, anonymously and as the office admin;
each answer must be no 5xx, a documented status with its documented content type, body and
headers. A second test calls the seeded rows once each, so the success and state answers
(200, 304, 409, 410) are checked too, not only what random input happens to reach.
"""

from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from campaigns.models import Candidate
from civility_index import services as index_services
from civility_index.models import MethodSettings
from rumors import services as desk
from rumors.models import Debunk, Department, DepartmentKind, RoutingRule
from tests.campaigns.test_campaigns import make_campaign
from wenzhou_portal.districts import District

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _config(*, coverage: bool) -> SchemathesisConfig:
    """Valid and invalid input, the same every run; stateful runs off (each operation alone).

    The coverage phase adds, deterministically, each field's boundaries, wrong types and
    missing required fields: most of the requests, and most of the run time.
    """
    return SchemathesisConfig.from_dict(
        {
            "seed": 20261129,
            "generation": {"mode": "all", "max-examples": 20},
            "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
        }
    )


APP = get_wsgi_application()
THOROUGH = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", APP, config=_config(coverage=True)
)
QUICK = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", APP, config=_config(coverage=False)
)


def _staff_only(ctx) -> bool:
    """No anonymous alternative in its security: refused before any input is read."""
    return {} not in ctx.operation.definition.raw.get("security", [{}])


def _session_matters(ctx) -> bool:
    """Staff only, or a change a signed-in session makes (with its CSRF token)."""
    security = ctx.operation.definition.raw.get("security", [])
    return _staff_only(ctx) or (
        ctx.operation.method.upper() != "GET" and {"cookieAuth": []} in security
    )


HYPOTHESIS = hypothesis.settings(
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,  # the same examples every run, nothing kept between runs
)

# Filled by the `rows` fixture: the path parameters of rows that exist, per operation.
SEEDED: dict[str, dict[str, object]] = {}


def _seeded_parameters(path: str) -> dict[str, object]:
    for prefix, parameters in SEEDED.items():
        if path.startswith(prefix):
            return parameters
    return {}


def before_generate_path_parameters(context, strategy):
    """Some generated paths name a seeded row, so detail answers are reached too."""
    path = context.operation.path
    real = st.just(path).map(_seeded_parameters).filter(bool)
    return st.one_of(strategy, real)


def filter_case(context, case):
    """In the coverage phase a body goes as JSON where JSON is documented.

    The report actions and campaign steps take JSON, form and multipart bodies alike; DRF's
    parsers turn each into the same serializer input, so the field-by-field boundaries are
    checked once, in JSON (a third of the requests). Random bodies (fuzzing) still come in
    every documented media type.
    """
    if case.meta is None or case.meta.phase.name.value != "coverage":
        return True
    if case.media_type in (None, "application/json"):
        return True
    documented = context.operation.definition.raw.get("requestBody", {}).get("content", {})
    return "application/json" not in documented


for generated in (THOROUGH, QUICK):
    generated.hook(before_generate_path_parameters)
    generated.hook(filter_case)


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction():
    """The WSGI handler closes the connection after each request, as it should in production.

    Here that would end the test's transaction (and its rows) after the first request, so,
    as Django's own test client does, the connection is left open between requests.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _room_for_generated_requests(settings, tmp_path):
    """Hundreds of requests from one client: limits that would answer them all with 429.

    429 stays documented (and is tested in tests/rumors/test_api.py and
    tests/campaigns/test_api.py); here the limits are raised so the rest can be reached.
    """
    for name in (
        "REPORT_RATE_LIMIT_MINUTE",
        "REPORT_FLOOD_LIMIT",
        "TRACK_RATE_LIMIT",
        "PHONE_CODE_LIMIT_PER_CLIENT",
        "VOTE_LIMIT_PER_CLIENT",
        "CAMPAIGN_FORM_LIMIT",
    ):
        setattr(settings, name, "100000/m")
    settings.REPORT_RATE_LIMIT_DAY = "100000/d"
    settings.PHONE_CODE_LIMIT_PER_NUMBER = "100000/d"
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    # The second factor has its own tests; here a password session is the office admin.
    settings.OTP_REQUIRED_FOR_STAFF = False
    # A person per test hashes a password; the production hasher's cost buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rows(office_admin):
    """One of everything a path can name: a routed report, debunks, campaigns, a snapshot."""
    lucheng = Department.objects.create(
        name="鹿城区委网信办",
        kind=DepartmentKind.DISTRICT_OFFICE,
        district=District.LUCHENG,
        email="lc@e.org",
    )
    RoutingRule.objects.create(district=District.LUCHENG, lead_department=lucheng)
    report = desk.report_submit(
        data=desk.ReportInput(
            category="rumor",
            platform="wechat",
            content="有人在微信群里说鹿城区自来水被污染了，不能喝。",
            place_description="微信群",
            district=District.LUCHENG,
        ),
        queue_routing=False,
    )
    desk.report_route(report_id=report.pk)
    published = _debunk("water-cut-rumor", office_admin)
    withdrawn = _debunk("bridge-closed-rumor", office_admin)
    desk.debunk_withdraw(
        debunk_id=withdrawn.pk, actor=office_admin, reason="经进一步核实，原结论有误，现撤回。"
    )
    pledge = make_campaign("pledge")
    vote = make_campaign("vote")
    Candidate.objects.create(campaign=vote, name="甲", story="s", status="approved")
    MethodSettings.objects.update(robustness_draws=20)  # enough to fill the document
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    snapshot = index_services.snapshot_compute(period=last_month)
    report.refresh_from_db()
    SEEDED.clear()
    SEEDED.update(
        {
            "/api/v1/reports/track/": {"code": report.formatted_tracking_code},
            "/api/v1/reports/": {"id": report.pk},
            "/api/v1/debunks/": {"slug": published.slug},
            "/api/v1/campaigns/": {"slug": pledge.slug},
        }
    )
    yield {
        "report": report,
        "published": published,
        "withdrawn": withdrawn,
        "pledge": pledge,
        "vote": vote,
        "snapshot": snapshot,
    }
    SEEDED.clear()


def _debunk(slug: str, office_admin) -> Debunk:
    debunk = Debunk.objects.create(
        slug=slug,
        title=f"“{slug}”系谣言",
        claim="微信群流传鹿城区下周全面停水三天。",
        verdict="false",
        summary="温州水务：鹿城区没有停水计划。",
        body="## 核实\n\n供水正常。",
        authority=desk.office_department(),
        keywords="停水",
    )
    desk.debunk_codes_set(
        debunk=debunk, districts=["330302"], categories=["rumor"], tags=["民生", "供水"]
    )
    return desk.debunk_publish(debunk_id=debunk.pk, actor=office_admin)


@pytest.fixture
def staff_session(office_admin):
    """王晓明's session cookie and a CSRF token, as his browser would send them."""
    client = Client()
    client.force_login(office_admin)
    token = get_random_string(32)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token},
    }


def test_the_portal_schema_class_documents_the_errors():
    # Without REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "wenzhou_portal.api.PortalAutoSchema"
    # the errors below are undocumented and every generated test fails on them.
    responses = THOROUGH["/api/v1/reports/{id}/"]["GET"].definition.raw["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404"}


# Every operation is called both anonymously and as the office admin. The coverage phase
# (hundreds of requests per operation) runs once per code path: anonymously on what anyone
# may call, as staff where the session changes the answer. The other pairings answer exactly
# as the first (a 403 before any input is read; public operations ignore a session on a
# GET), and get the random examples only.


@THOROUGH.exclude(func=_staff_only).parametrize()
@HYPOTHESIS
def test_anonymous_requests_to_public_operations_get_documented_answers(case, rows):
    case.call_and_validate(checks=CHECKS)


@QUICK.include(func=_staff_only).parametrize()
@HYPOTHESIS
def test_anonymous_requests_to_staff_operations_get_documented_answers(case, rows):
    case.call_and_validate(checks=CHECKS)


@THOROUGH.include(func=_session_matters).parametrize()
@HYPOTHESIS
def test_office_admin_requests_get_documented_answers(case, rows, staff_session):
    case.call_and_validate(checks=CHECKS, **staff_session)


@QUICK.exclude(func=_session_matters).parametrize()
@HYPOTHESIS
def test_office_admin_requests_to_public_reads_get_documented_answers(case, rows, staff_session):
    case.call_and_validate(checks=CHECKS, **staff_session)


def _call(method: str, path: str, *, expect: int, session=None, **parts):
    case = THOROUGH[path][method].Case(**parts)
    response = case.call_and_validate(checks=CHECKS, **(session or {}))
    assert response.status_code == expect, response.text
    return response


def test_seeded_rows_answer_as_documented(rows, staff_session):
    report = rows["report"]
    track = {"code": report.formatted_tracking_code}
    _call("GET", "/api/v1/reports/track/{code}/", path_parameters=track, expect=200)
    _call("GET", "/api/v1/reports/stats/", expect=200)
    _call("GET", "/api/v1/reports/", expect=403)
    _call("GET", "/api/v1/reports/", expect=200, session=staff_session)
    detail = {"id": report.pk}
    _call("GET", "/api/v1/reports/{id}/", path_parameters=detail, expect=200, session=staff_session)
    note = {"text": "请核实来源。"}
    for action, body, expect in [
        ("accept", {}, 200),
        ("accept", {}, 409),
        ("note", note, 200),
        ("pause", {"request_text": "请补充截图。"}, 200),
        ("resume", {"text": "已补充。"}, 200),
        ("resolve", {"feedback": "已核实并处置。"}, 200),
        ("reject", {"reason": "insufficient", "text": "线索不足。"}, 409),
    ]:
        _call(
            "POST",
            f"/api/v1/reports/{{id}}/{action.replace('_', '-')}/",
            path_parameters=detail,
            body=body,
            media_type="application/json",
            expect=expect,
            session=staff_session,
        )

    _call("GET", "/api/v1/debunks/", expect=200)
    slug = {"slug": rows["published"].slug}
    _call("GET", "/api/v1/debunks/{slug}/", path_parameters=slug, expect=200)
    gone = {"slug": rows["withdrawn"].slug}
    _call("GET", "/api/v1/debunks/{slug}/", path_parameters=gone, expect=410)
    labels = _call("GET", "/api/v1/debunks/labels/", expect=200)
    assert {label["status"] for label in labels.json()} == {"active", "withdrawn"}
    unchanged = {"If-None-Match": labels.headers["etag"][0]}
    _call("GET", "/api/v1/debunks/labels/", headers=unchanged, expect=304)

    _call("GET", "/api/v1/campaigns/", expect=200)
    pledge = {"slug": rows["pledge"].slug}
    _call("GET", "/api/v1/campaigns/{slug}/", path_parameters=pledge, expect=200)
    sent = _call(
        "POST",
        "/api/v1/campaigns/{slug}/phone-code/",
        path_parameters=pledge,
        body={"phone": "13812345678"},
        media_type="application/json",
        expect=201,
    )
    _call(
        "POST",
        "/api/v1/campaigns/{slug}/pledge/",
        path_parameters=pledge,
        body={**sent.json(), "code": "000000", "display_name": "王"},
        media_type="application/json",
        expect=400,
    )

    period = rows["snapshot"].period.strftime("%Y-%m")
    snapshots = _call("GET", "/api/v1/index/snapshots/", query={"period": period}, expect=200)
    assert [document["period"] for document in snapshots.json()] == [period]
    _call("GET", "/api/v1/index/snapshots/", expect=200)
    _call("GET", "/api/v1/index/snapshots/", query={"period": "0000-01"}, expect=400)
    _call("GET", "/api/v1/index/latest/", expect=200)


def test_reports_need_a_url_an_account_or_a_place(rows):
    body = THOROUGH["/api/v1/reports/"]["POST"].definition.raw["requestBody"]
    component = body["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    any_of = THOROUGH.raw_schema["components"]["schemas"][component]["anyOf"]
    assert [branch["required"] for branch in any_of] == [
        ["url"],
        ["account"],
        ["place_description"],
    ]
    # None of the three, or only blanks: refused, naming the first.
    case = THOROUGH["/api/v1/reports/"]["POST"].Case(
        body={
            "category": "rumor",
            "platform": "wechat",
            "content": "有人在微信群里说鹿城区自来水被污染了。",
            "account": "   ",
        },
        media_type="multipart/form-data",
    )
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"
