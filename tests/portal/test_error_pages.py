"""Django's own error answers keep each client's shape: API JSON, Open311's list, a page."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import RequestFactory

from wenzhou_portal import errors

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_answers_json_naming_the_path(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    (error,) = response.json()["errors"]
    assert error["field"] == "path"
    assert error["message"]


def test_an_unknown_open311_path_answers_the_spec_error_list(client):
    response = client.get("/open311/v2/no-such-thing.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": response.json()[0]["description"]}]
    xml = client.get("/open311/v2/no-such-thing.xml")
    assert xml.status_code == 404
    assert ET.fromstring(xml.content).find("error/code").text == "404"


def test_an_unknown_page_answers_a_page_with_the_way_back(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "找不到这个页面" in html
    assert 'href="/reports/track/"' in html


def test_an_api_server_error_answers_json_not_a_web_page():
    request = RequestFactory().get("/api/v1/reports/")
    response = errors.server_error(request)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.content.decode().count('"field": "non_field"') == 1


def test_a_page_server_error_renders_without_a_request_context():
    response = errors.server_error(RequestFactory().get("/campaigns/"))
    assert response.status_code == 500
    assert "系统暂时出了问题" in response.content.decode()


def test_an_api_permission_denial_from_django_answers_json():
    request = RequestFactory().get("/api/v1/reports/")
    response = errors.permission_denied(request, PermissionError())
    assert response.status_code == 403
    assert json.loads(response.content)["errors"][0]["field"] == "non_field"
