"""Citizens sign in with a mobile number and a text-message code; staff never do here."""

import re

import pytest
from django.contrib.auth import get_user_model

from wenzhou_portal.phone_verification import phone_hash
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db

NUMBER = "13800138000"


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    settings.PHONE_CODE_MAX_ATTEMPTS = 5
    LocmemSMSBackend.outbox.clear()


def _code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _sign_in(client, phone: str = NUMBER):
    response = client.post("/account/sign-in/", {"phone": phone})
    assert response.status_code == 302
    return client.post("/account/sign-in/code/", {"code": _code()})


def test_a_number_typed_with_plus86_and_spaces_signs_in_and_keeps_only_hash_and_mask(client):
    response = client.post("/account/sign-in/", {"phone": "+86 138 0013 8000"})
    assert response.status_code == 302
    assert LocmemSMSBackend.outbox[-1][0] == NUMBER
    response = client.post("/account/sign-in/code/", {"code": _code()})
    assert response.status_code == 302
    assert response["Location"] == "/reports/mine/"
    citizen = get_user_model().objects.get(mobile_hash=phone_hash(NUMBER))
    assert citizen.mobile_masked == "138****8000"
    assert not citizen.is_staff
    assert not citizen.has_usable_password()
    assert NUMBER not in " ".join(str(value) for value in vars(citizen).values())
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_signing_in_again_with_the_same_number_is_the_same_account(client):
    _sign_in(client)
    client.post("/account/sign-out/")
    _sign_in(client, "138-0013-8000")
    assert get_user_model().objects.filter(mobile_hash=phone_hash(NUMBER)).count() == 1


def test_a_wrong_code_is_a_form_error_and_signs_nobody_in(client):
    client.post("/account/sign-in/", {"phone": NUMBER})
    response = client.post("/account/sign-in/code/", {"code": _wrong(_code())})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_too_many_wrong_codes_lock_the_sign_in_even_for_the_right_code(client):
    client.post("/account/sign-in/", {"phone": NUMBER})
    right = _code()
    for _ in range(5):
        assert client.post("/account/sign-in/code/", {"code": _wrong(right)}).status_code == 400
    response = client.post("/account/sign-in/code/", {"code": right})
    assert response.status_code == 400
    assert "错误次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("phone", ["12345678901", "abc", "", "1" * 60])
def test_a_number_that_is_no_mobile_number_is_a_form_error(client, phone):
    response = client.post("/account/sign-in/", {"phone": phone})
    assert response.status_code == 400
    assert LocmemSMSBackend.outbox == []


def test_the_code_step_without_a_number_sends_back_to_the_first_step(client):
    response = client.post("/account/sign-in/code/", {"code": "123456"})
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/"


def test_a_staff_accounts_number_is_refused_with_a_clear_message(client, office_admin):
    office_admin.mobile_hash = phone_hash(NUMBER)
    office_admin.save(update_fields=["mobile_hash"])
    response = _sign_in(client)
    assert response.status_code == 403
    assert "工作人员账号" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_out_clears_the_session(client):
    _sign_in(client)
    client.session["something"] = "kept?"
    session = client.session
    session["elder_mode_marker"] = "x"
    session.save()
    old_key = client.session.session_key
    response = client.post("/account/sign-out/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "elder_mode_marker" not in client.session
    assert client.session.session_key != old_key


def test_sign_out_needs_a_post(client):
    _sign_in(client)
    assert client.get("/account/sign-out/").status_code == 405
    assert "_auth_user_id" in client.session


def test_a_citizen_cannot_open_admin(client):
    _sign_in(client)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert client.get("/admin/rumors/report/").status_code == 302


def test_the_header_offers_sign_in_then_my_reports_and_sign_out(client):
    page = client.get("/").content.decode()
    assert 'href="/account/sign-in/"' in page
    _sign_in(client)
    page = client.get("/").content.decode()
    assert 'href="/reports/mine/"' in page
    assert 'action="/account/sign-out/"' in page
    assert 'href="/account/sign-in/"' not in page


def test_a_citizen_chooses_how_to_be_told(client):
    _sign_in(client)
    citizen = get_user_model().objects.get(mobile_hash=phone_hash(NUMBER))
    response = client.post("/account/notify/", {"channel": "email", "email": ""})
    assert response.status_code == 400
    response = client.post("/account/notify/", {"channel": "email", "email": "li@example.org"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert (citizen.notify_channel, citizen.notification_address("email")) == (
        "email",
        "li@example.org",
    )
    client.post("/account/notify/", {"channel": "none"})
    citizen.refresh_from_db()
    assert citizen.notify_channel == "none"
    assert citizen.notification_address("email") == ""
    assert client.post("/account/notify/", {"channel": "pigeon"}).status_code == 400


def test_the_notification_choice_is_for_signed_in_citizens_only(client):
    response = client.post("/account/notify/", {"channel": "none"})
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
