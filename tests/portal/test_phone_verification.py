"""Proving a number by a text-message code: the one service every app uses."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from wenzhou_portal.models import PhoneVerification
from wenzhou_portal.phone_verification import (
    PhoneVerificationRefused,
    phone_code_send,
    phone_code_verify,
    phone_hash,
)
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()


def _code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


def test_the_code_proves_the_number_and_only_its_hash_and_tail_are_stored():
    verification = phone_code_send(phone="138 0013 8000", client="c")
    assert LocmemSMSBackend.outbox[-1][0] == "13800138000"
    proven = phone_code_verify(verification_id=verification.pk, code=_code())
    assert proven.verified_at is not None
    assert (proven.phone_hash, proven.phone_tail) == (phone_hash("13800138000"), "8000")
    stored = " ".join(str(value) for value in vars(PhoneVerification.objects.get()).values())
    assert "13800138000" not in stored


def test_a_code_typed_with_a_space_is_accepted():
    verification = phone_code_send(phone="13800138000", client="c")
    code = _code()
    assert phone_code_verify(verification_id=verification.pk, code=f"{code[:3]} {code[3:]}")


def test_five_wrong_codes_lock_the_verification(settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 5
    verification = phone_code_send(phone="13800138000", client="c")
    right = _code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(PhoneVerificationRefused) as refused:
            phone_code_verify(verification_id=verification.pk, code=wrong)
        assert refused.value.code == "wrong_code"
    with pytest.raises(PhoneVerificationRefused) as locked:
        phone_code_verify(verification_id=verification.pk, code=right)
    assert locked.value.code == "locked"


def test_an_old_code_has_expired():
    verification = phone_code_send(phone="13800138000", client="c")
    PhoneVerification.objects.filter(pk=verification.pk).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    with pytest.raises(PhoneVerificationRefused) as refused:
        phone_code_verify(verification_id=verification.pk, code=_code())
    assert refused.value.code == "expired"


def test_codes_per_number_are_limited(settings):
    settings.PHONE_CODE_LIMIT_PER_NUMBER = "2/d"
    phone_code_send(phone="13800138000", client="a")
    phone_code_send(phone="+86 138 0013 8000", client="b")  # the same number, typed otherwise
    with pytest.raises(PhoneVerificationRefused) as refused:
        phone_code_send(phone="13800138000", client="c")
    assert refused.value.code == "too_many_codes"
    assert len(LocmemSMSBackend.outbox) == 2


def test_a_landline_gets_no_code():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        phone_code_send(phone="0577-88888888", client="c")
    assert LocmemSMSBackend.outbox == []
