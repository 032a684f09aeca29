"""Second factor: a secret is shown once, to its owner, at enrolment, and never again."""

import re
import time

import pytest
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from wenzhou_portal.accounts import totp_key_base32
from wenzhou_portal.models import AuditEvent
from wenzhou_portal.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
ENROL_URL = "/staff/2fa/"
LOGIN_URL = "/admin/login/?next=/admin/"


@pytest.fixture
def superuser(django_user_model):
    """赵国强 manages the office admins."""
    return django_user_model.objects.create_superuser(
        username="zhao_guoqiang", password=PASSWORD, email="zhao@example.org"
    )


@pytest.fixture
def handler(make_staff):
    """陈丽 handles reports for Lucheng."""
    return make_staff("chen_li", Role.DEPARTMENT_HANDLER, first_name="陈丽")


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _wrong_code(device: TOTPDevice) -> str:
    accepted = {_code(device, steps) for steps in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """A user with a confirmed authenticator and backup codes, as enrolment leaves them."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(2)]
    for code in codes:
        StaticToken.objects.create(device=backup, token=code)
    return device, codes


def _secrets(device: TOTPDevice, codes: list[str]) -> list[str]:
    return [device.key, totp_key_base32(device), totp_key_base32(device).replace(" ", ""), *codes]


def _assert_shows_none(response, secrets: list[str]) -> None:
    page = response.content.decode()
    for secret in secrets:
        assert secret not in page


# --- What admin shows --------------------------------------------------------------------


def test_auditor_cannot_read_anyones_second_factor(client, auditor, office_admin):
    device, codes = _enrolled(office_admin)
    client.force_login(auditor)
    for url in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
        "/admin/otp_static/staticdevice/",
        f"/admin/otp_static/staticdevice/{device.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code in {302, 403, 404}, url
        _assert_shows_none(response, _secrets(device, codes))
    assert not any(
        permission.startswith(("otp_totp.", "otp_static."))
        for permission in auditor.get_all_permissions()
    )


def test_office_admin_sees_that_a_device_exists_but_never_its_secret(client, office_admin, handler):
    device, codes = _enrolled(handler)
    client.force_login(office_admin)
    listing = client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200
    assert handler.username in listing.content.decode()
    _assert_shows_none(listing, _secrets(device, codes))
    detail = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert detail.status_code == 200
    _assert_shows_none(detail, _secrets(device, codes))
    backup = StaticDevice.objects.get(user=handler)
    static_detail = client.get(f"/admin/otp_static/staticdevice/{backup.pk}/change/")
    assert static_detail.status_code == 200
    _assert_shows_none(static_detail, _secrets(device, codes))
    # django-otp's own key and QR code pages are gone.
    for url in (
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
    ):
        response = client.get(url)
        assert response.status_code in {302, 404}
        _assert_shows_none(response, _secrets(device, codes))


def test_nobody_adds_or_edits_a_device_in_admin(client, superuser, handler):
    device, _codes = _enrolled(handler)
    client.force_login(superuser)
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    response = client.post(
        "/admin/otp_totp/totpdevice/add/",
        {"user": handler.pk, "name": "mine", "key": "00" * 20, "confirmed": "on"},
    )
    assert response.status_code == 403
    response = client.post(
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        {"user": superuser.pk, "name": "stolen", "confirmed": "on"},
    )
    assert response.status_code == 403
    device.refresh_from_db()
    assert (device.user, device.name) == (handler, "authenticator")
    assert TOTPDevice.objects.count() == 1


def test_office_admin_removes_a_handlers_device_with_an_audit_record(client, office_admin, handler):
    device, _codes = _enrolled(handler)
    client.force_login(office_admin)
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=handler).exists()
    # The backup codes belong to that enrolment and go with it.
    assert not StaticDevice.objects.filter(user=handler).exists()
    event = AuditEvent.objects.get(action="otp_device_removed")
    assert event.actor == office_admin
    assert event.target == handler.username


def test_office_admin_cannot_remove_another_office_admins_or_its_own_device(
    client, office_admin, make_staff
):
    colleague = make_staff("liu_fang", Role.OFFICE_ADMIN)
    theirs, _codes = _enrolled(colleague)
    own = TOTPDevice.objects.create(user=office_admin, name="authenticator", confirmed=True)
    client.force_login(office_admin)
    for device in (theirs, own):
        response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
        assert response.status_code == 403
        assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEvent.objects.filter(action="otp_device_removed").exists()


def test_superuser_removes_an_office_admins_backup_codes(client, superuser, office_admin):
    _device, _codes = _enrolled(office_admin)
    backup = StaticDevice.objects.get(user=office_admin)
    client.force_login(superuser)
    response = client.post(f"/admin/otp_static/staticdevice/{backup.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not StaticDevice.objects.filter(user=office_admin).exists()
    assert TOTPDevice.objects.filter(user=office_admin).exists()
    assert AuditEvent.objects.filter(action="otp_device_removed", actor=superuser).count() == 1


# --- Enrolment ---------------------------------------------------------------------------


def test_enrolment_needs_a_signed_in_staff_member(client, citizen):
    response = client.get(ENROL_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(citizen)
    response = client.get(ENROL_URL)
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()


def test_staff_member_enrols_and_sees_the_key_and_backup_codes_once(client, handler):
    client.force_login(handler)
    page = client.get(ENROL_URL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=handler)
    assert not device.confirmed
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert totp_key_base32(device) in html
    assert "no-store" in page["Cache-Control"]

    done = client.post(ENROL_URL, {"token": _code(device)})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = list(StaticToken.objects.filter(device__user=handler).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    event = AuditEvent.objects.get(action="otp_enrolled")
    assert (event.actor, event.target) == (handler, handler.username)

    again = client.get(ENROL_URL)
    assert again.status_code == 200
    _assert_shows_none(again, _secrets(device, codes))
    assert "data:image/svg+xml" not in again.content.decode()
    assert TOTPDevice.objects.filter(user=handler).count() == 1


def test_a_wrong_or_malformed_code_does_not_confirm(client, handler):
    client.force_login(handler)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=handler)
    for token in (_wrong_code(device), "12ab56", "1234567", "12345", "", "１２３ab６"):
        response = client.post(ENROL_URL, {"token": token})
        assert response.status_code == 200
        assert response.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=handler).exists()
    assert not AuditEvent.objects.filter(action="otp_enrolled").exists()
    # Retrying, once the throttle's delay has passed, keeps the same key (the owner
    # already scanned it).
    device.throttle_reset()
    code = _code(device)
    response = client.post(ENROL_URL, {"token": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_code_typed_in_full_width_digits_confirms(client, handler):
    client.force_login(handler)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=handler)
    full_width = _code(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    client.post(ENROL_URL, {"token": full_width})
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_code_holds_off_the_next_try(client, handler):
    client.force_login(handler)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=handler)
    client.post(ENROL_URL, {"token": _wrong_code(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Until the delay has passed even the right code is refused.
    response = client.post(ENROL_URL, {"token": _code(device)})
    device.refresh_from_db()
    assert not device.confirmed
    assert response.context["form"].errors


def test_a_user_with_a_confirmed_device_cannot_enrol_another(client, handler):
    first, _codes = _enrolled(handler)
    # A pending device forged into the database must not get confirmed either.
    pending = TOTPDevice.objects.create(user=handler, name="second", confirmed=False)
    client.force_login(handler)
    response = client.post(ENROL_URL, {"token": _code(pending)})
    assert response.status_code == 200
    pending.refresh_from_db()
    assert not pending.confirmed
    assert "data:image/svg+xml" not in client.get(ENROL_URL).content.decode()
    assert TOTPDevice.objects.filter(user=handler, confirmed=True).get() == first


def test_removal_by_an_office_admin_reopens_enrolment(client, office_admin, handler):
    device, _codes = _enrolled(handler)
    admin_client = client.__class__()
    admin_client.force_login(office_admin)
    admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    client.force_login(handler)
    page = client.get(ENROL_URL)
    assert "data:image/svg+xml" in page.content.decode()


def test_enrolment_pages_have_no_inline_script_or_style(client, handler):
    client.force_login(handler)
    html = client.get(ENROL_URL).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    assert " style=" not in html


# --- Sign-in with OTP_REQUIRED_FOR_STAFF ------------------------------------------------


def _sign_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_staff_with_an_authenticator_must_give_its_code(client, handler):
    device, _codes = _enrolled(handler)
    response = _sign_in(client, handler.username)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    response = _sign_in(client, handler.username, otp_token=_wrong_code(device))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()  # as if the throttle's delay had passed
    response = _sign_in(client, handler.username, otp_token=_code(device))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_backup_code_signs_in_once(client, handler):
    _device, codes = _enrolled(handler)
    response = _sign_in(client, handler.username, otp_token=codes[0].upper())
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    other = client.__class__()
    response = _sign_in(other, handler.username, otp_token=codes[0])
    assert response.status_code == 200
    assert "_auth_user_id" not in other.session


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_someone_elses_code_does_not_sign_in(client, handler, make_staff):
    colleague = make_staff("lin_jing", Role.CAMPAIGN_EDITOR)
    theirs, their_codes = _enrolled(colleague)
    _enrolled(handler)
    for token in (_code(theirs), their_codes[1]):
        response = _sign_in(client, handler.username, otp_token=token)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_staff_without_a_device_are_sent_to_enrol_and_admin_stays_closed(client, handler):
    response = _sign_in(client, handler.username)
    assert response.status_code == 302
    assert response["Location"] == ENROL_URL
    for url in ("/admin/", "/admin/rumors/report/", "/admin/wenzhou_portal/user/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"] == ENROL_URL


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_enrolment_opens_admin_and_the_next_sign_in_asks_for_a_code(client, handler):
    _sign_in(client, handler.username)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=handler)
    client.post(ENROL_URL, {"token": _code(device)})
    assert client.get("/admin/").status_code == 200

    fresh = client.__class__()
    response = _sign_in(fresh, handler.username)
    assert response.status_code == 200
    assert "_auth_user_id" not in fresh.session
    response = _sign_in(fresh, handler.username, otp_token=_code(device, steps_ahead=1))
    assert response.status_code == 302
    assert fresh.get("/admin/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_password_only_session_does_not_open_admin_once_a_device_exists(client, handler):
    # Signed in before the authenticator existed (or a forced login): not verified.
    _enrolled(handler)
    client.force_login(handler)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_the_sign_in_page_asks_for_a_code_when_required(client):
    assert 'name="otp_token"' in client.get("/admin/login/").content.decode()


@override_settings(OTP_REQUIRED_FOR_STAFF=False)
def test_without_the_setting_staff_sign_in_with_the_password_alone(client, handler):
    _enrolled(handler)
    assert 'name="otp_token"' not in client.get("/admin/login/").content.decode()
    response = _sign_in(client, handler.username)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
