"""A NUL byte in a path, query string or form field is a clear 400 before any view runs.

PostgreSQL refuses NUL in strings, so without the guard "/api/v1/campaigns/a%00b/" was a 500.
"""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import RequestFactory

from wenzhou_portal.input_guard import InputGuardMiddleware, nul_byte_field

GUARD = "wenzhou_portal.input_guard.InputGuardMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
PAGE_HEADING = "无法处理这个请求"


def _with_guard(middleware: list[str]) -> list[str]:
    """The portal's middleware with the guard where it belongs: just before the session."""
    others = [name for name in middleware if name != GUARD]
    at = others.index(SESSION)
    return [*others[:at], GUARD, *others[at:]]


@pytest.fixture
def guarded(settings):
    settings.MIDDLEWARE = _with_guard(settings.MIDDLEWARE)


class _View:
    """Stands in for everything after the guard and remembers whether it was reached."""

    def __init__(self) -> None:
        self.requests = []

    def __call__(self, request) -> HttpResponse:
        self.requests.append(request)
        return HttpResponse("served")


@pytest.fixture
def view() -> _View:
    return _View()


@pytest.fixture
def guard(view) -> InputGuardMiddleware:
    return InputGuardMiddleware(view)


factory = RequestFactory()


# --- What is refused -----------------------------------------------------------------------


def test_a_clean_request_reaches_the_view_untouched(guard, view):
    request = factory.post(
        "/reports/new/?from=home", {"content": "正常的文字 %00 不是空字符", "district": "330302"}
    )
    response = guard(request)
    assert response.content == b"served"
    assert view.requests == [request]


def test_an_encoded_percent_sign_followed_by_00_is_text_not_a_nul(guard, view):
    response = guard(factory.get("/campaigns/a%2500b/", {"q": "%00"}))
    assert response.status_code == 200
    assert len(view.requests) == 1


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (factory.get("/campaigns/a%00b/"), "path"),
        (factory.get("/campaigns/cancel/token%00/"), "path"),
        (factory.get("/debunks/", {"q": "谣言\x00"}), "q"),
        (factory.get("/debunks/", {"ok": "1", "q": ["fine", "bad\x00"]}), "q"),
        (factory.get("/debunks/?a%00b=1"), "non_field"),
        (factory.post("/reports/new/", {"content": "举报\x00内容"}), "content"),
        (
            factory.post(
                "/reports/new/",
                "account=a%00b",
                content_type="application/x-www-form-urlencoded",
            ),
            "account",
        ),
    ],
    ids=["path", "token-path", "query", "query-list", "query-name", "multipart", "urlencoded"],
)
def test_a_nul_byte_is_refused_before_the_view_runs(guard, view, request_, field):
    assert nul_byte_field(request_) == field
    response = guard(request_)
    assert response.status_code == 400
    assert view.requests == []


def test_a_json_body_is_left_to_the_serializers(guard, view):
    request = factory.post(
        "/api/v1/reports/", json.dumps({"account": "a\u0000b"}), content_type="application/json"
    )
    assert guard(request).status_code == 200
    assert len(view.requests) == 1


def test_a_cookie_holding_a_nul_is_dropped_and_the_request_served(guard, view):
    request = factory.get("/", HTTP_COOKIE='sessionid="abcdefghij\\000klmnop"; elder_mode=1')
    assert request.COOKIES["sessionid"] == "abcdefghij\x00klmnop"
    response = guard(request)
    assert response.status_code == 200
    assert view.requests[0].COOKIES == {"elder_mode": "1"}


# --- How it is answered --------------------------------------------------------------------


def test_the_api_is_answered_in_its_error_shape_naming_the_field(guard):
    response = guard(factory.get("/api/v1/reports/", {"created_after": "2026\x00"}))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    [error] = json.loads(response.content)["errors"]
    assert error["field"] == "created_after"
    assert "created_after" in error["message"]
    assert "NUL" in error["message"]


def test_open311_json_is_answered_in_the_spec_error_shape(guard):
    response = guard(factory.get("/open311/v2/requests.json", {"service_code": "rumor\x00"}))
    assert response.status_code == 400
    [error] = json.loads(response.content)
    assert error["code"] == 400
    assert "service_code" in error["description"]


def test_open311_xml_is_answered_in_the_spec_error_shape(guard):
    response = guard(factory.get("/open311/v2/requests/a%00b.xml"))
    assert response.status_code == 400
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    [error] = root
    assert error.findtext("code") == "400"
    assert "path" in error.findtext("description")


def test_pages_are_answered_with_the_plain_400_page_in_chinese(guard):
    response = guard(factory.get("/campaigns/a%00b/"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert PAGE_HEADING in html
    assert 'href="/"' in html
    assert "\x00" not in html


def test_the_refusal_follows_the_visitors_language_choice(guard):
    page = factory.get("/campaigns/a%00b/", HTTP_COOKIE="django_language=en")
    api = factory.get("/api/v1/campaigns/a%00b/", HTTP_COOKIE="django_language=en")
    html = guard(page).content.decode()
    assert '<html lang="en">' in html
    assert not re.findall(r"[\u4e00-\u9fff]+", html)
    [error] = json.loads(guard(api).content)["errors"]
    assert error["message"] == "path contains a NUL character and cannot be processed."


def test_an_unknown_language_cookie_falls_back_to_chinese(guard):
    request = factory.get("/campaigns/a%00b/", HTTP_COOKIE="django_language=xx")
    assert PAGE_HEADING in guard(request).content.decode()


# --- Through the whole stack ---------------------------------------------------------------


def test_the_guard_runs_after_the_request_log_and_before_the_session():
    middleware = list(django_settings.MIDDLEWARE)
    assert GUARD in middleware
    assert middleware.index("wenzhou_portal.middleware.RequestLogMiddleware") < middleware.index(
        GUARD
    )
    assert middleware.index(GUARD) < middleware.index(SESSION)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/campaigns/a%00b/", "/campaigns/cancel/a%00b/", "/campaigns/entries/a%00b/"],
)
def test_a_campaign_address_with_a_nul_is_a_400_page(client, guarded, path):
    response = client.get(path)
    assert response.status_code == 400
    assert PAGE_HEADING in response.content.decode()
    # The refusal still carries the site's security headers.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_a_campaign_slug_with_a_nul_in_the_api_is_a_400_naming_the_path(client, guarded):
    response = client.get("/api/v1/campaigns/a%00b/")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["path"]


@pytest.mark.django_db
def test_an_open311_service_code_with_a_nul_is_a_400_in_the_spec_shape(client, guarded):
    response = client.get("/open311/v2/requests.json?service_code=rumor%00")
    assert response.status_code == 400
    [error] = json.loads(response.content)
    assert error["code"] == 400


@pytest.mark.django_db
def test_a_session_cookie_with_a_nul_starts_a_fresh_session_instead_of_a_500(client, guarded):
    response = client.get("/reports/submitted/", HTTP_COOKIE='sessionid="abcdefghij\\000klmnop"')
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_a_report_with_a_nul_in_a_form_field_is_refused_and_not_saved(client, guarded):
    from rumors.models import Report

    response = client.post(
        "/api/v1/reports/",
        {
            "category": "fraud",
            "platform": "douyin",
            "account": "骗子\x00账号",
            "content": "直播间冒充客服，要求观众加微信退款并提供验证码。",
        },
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["account"]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_a_multipart_report_with_a_screenshot_still_goes_through_the_guard(
    client, guarded, settings, tmp_path
):
    from django.core.cache import cache

    from rumors.models import Report
    from tests.rumors.images import image_bytes, upload

    cache.clear()
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    response = client.post(
        "/api/v1/reports/",
        {
            "category": "fraud",
            "platform": "douyin",
            "account": "骗子账号",
            "content": "直播间冒充客服，要求观众加微信退款并提供验证码。",
            "images": [upload("a.png", image_bytes())],
        },
    )
    assert response.status_code == 201, response.content
    assert Report.objects.get().evidence.count() == 1
