"""A staff session without its second factor opens nothing outside admin's own sign-in."""

import pytest
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from wenzhou_portal.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(make_staff):
    return make_staff("chen_li", Role.DEPARTMENT_HANDLER, first_name="陈丽")


def _verified(client, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_password_only_staff_session_cannot_use_the_staff_api(client, handler):
    client.force_login(handler)
    assert client.get("/api/v1/reports/").status_code in (401, 403)


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_verified_staff_session_uses_the_staff_api(client, handler):
    _verified(client, handler)
    assert client.get("/api/v1/reports/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_password_only_staff_session_still_reaches_enrolment(client, handler):
    client.force_login(handler)
    assert client.get("/staff/2fa/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=False)
def test_without_the_setting_the_password_session_is_enough(client, handler):
    client.force_login(handler)
    assert client.get("/api/v1/reports/").status_code == 200
