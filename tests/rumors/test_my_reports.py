"""我的举报: a signed-in citizen sees their own reports and claims old ones by code."""

import re

import pytest
from django.contrib.auth import get_user_model

from rumors import selectors
from rumors.models import Report
from wenzhou_portal.phone_verification import phone_hash

from .conftest import report_input

pytestmark = pytest.mark.django_db

VALID = {
    "category": "fraud",
    "platform": "douyin",
    "url": "https://www.douyin.com/video/123",
    "content": "直播间冒充客服，要求观众加微信退款并提供验证码。",
    "district": "330302",
}


def _citizen(number: str, masked: str):
    return get_user_model().objects.create(
        username=f"citizen-{number}", mobile_hash=phone_hash(number), mobile_masked=masked
    )


@pytest.fixture
def li_ayi(db):
    """李阿姨 signs in with her mobile number."""
    return _citizen("13800138000", "138****8000")


@pytest.fixture
def wang_bo(db):
    """王伯, another signed-in citizen."""
    return _citizen("13900139000", "139****9000")


@pytest.fixture
def filed(submit):
    def run(reporter=None):
        return submit(route=False) if reporter is None else _filed_by(reporter)

    return run


def _without_echo(response) -> str:
    """The page without what differs between any two answers: CSRF tokens, the typed code."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'name="code" value="[^"]*"', "", page)


def _filed_by(reporter):
    from rumors import services

    return services.report_submit(data=report_input(), reporter=reporter, queue_routing=False)


def test_a_report_filed_while_signed_in_appears_with_its_timeline_link(client, li_ayi):
    client.force_login(li_ayi)
    assert client.post("/reports/new/", VALID).status_code == 302
    report = Report.objects.get()
    assert report.reporter == li_ayi
    page = client.get("/reports/mine/")
    assert page.status_code == 200
    assert f'href="/reports/track/{report.tracking_code}/"' in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(f"/reports/track/{report.tracking_code}/").status_code == 200


def test_one_citizen_never_sees_anothers_report(client, li_ayi, wang_bo):
    hers = _filed_by(li_ayi)
    his = _filed_by(wang_bo)
    assert list(selectors.reports_of_citizen(li_ayi)) == [hers]
    client.force_login(li_ayi)
    page = client.get("/reports/mine/").content.decode()
    assert hers.tracking_code in page
    assert his.tracking_code not in page


def test_staff_and_anonymous_have_no_citizen_reports(office_admin, li_ayi):
    _filed_by(li_ayi)
    assert not selectors.reports_of_citizen(office_admin).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.reports_of_citizen(AnonymousUser()).exists()


def test_the_page_asks_for_sign_in_first(client):
    response = client.get("/reports/mine/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=%2Freports%2Fmine%2F"


def test_an_anonymous_report_is_claimed_with_its_code(client, li_ayi, filed):
    report = filed()
    client.force_login(li_ayi)
    response = client.post("/reports/mine/claim/", {"code": report.formatted_tracking_code})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.reporter == li_ayi
    assert report.tracking_code in client.get("/reports/mine/").content.decode()


def test_claiming_someone_elses_report_answers_as_a_miss_and_changes_nothing(
    client, li_ayi, wang_bo
):
    his = _filed_by(wang_bo)
    client.force_login(li_ayi)
    theirs = client.post("/reports/mine/claim/", {"code": his.tracking_code})
    miss = client.post("/reports/mine/claim/", {"code": "ABCD-EFGH-JKMN-PQRS"})
    assert theirs.status_code == miss.status_code == 404
    assert _without_echo(theirs) == _without_echo(miss)
    assert "没有找到可以认领的举报" in miss.content.decode()
    his.refresh_from_db()
    assert his.reporter == wang_bo


@pytest.mark.parametrize("code", ["", "x" * 100])
def test_a_bad_claim_code_is_a_form_error(client, li_ayi, code):
    client.force_login(li_ayi)
    assert client.post("/reports/mine/claim/", {"code": code}).status_code == 400


def test_anonymous_reporting_is_unchanged(client):
    assert client.post("/reports/new/", VALID).status_code == 302
    assert Report.objects.get().reporter is None
