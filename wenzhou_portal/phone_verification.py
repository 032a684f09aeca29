"""Proving a mobile number by a text-message code, for every app that needs it.

A six-digit code is sent to the number; only a keyed hash of the number (and its last
four digits, which staff may see) is stored. Limits per number and per client keep the
gateway from being used to spam, and five wrong codes lock a verification. Campaigns use
it for pledges, votes and event sign-ups; citizen sign-in will use it too.
"""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from .limits import Limit, limit_hit
from .models import PhoneVerification
from .phones import mobile_normalise
from .sms import send_sms

# The hash key of the stored numbers. It keeps the name it had when the campaigns app
# introduced it, so that pledges signed since then still match the same number.
PHONE_HASH_KEY = "campaigns.phone"
PHONE_CODE_PER_NUMBER = Limit("phone-code-number", ("PHONE_CODE_LIMIT_PER_NUMBER",))
PHONE_CODE_PER_CLIENT = Limit("phone-code-client", ("PHONE_CODE_LIMIT_PER_CLIENT",))


class PhoneVerificationRefused(ValidationError):
    """A code cannot be sent or accepted (its ``code`` says why: too_many_codes…)."""


def phone_hash(phone: str) -> str:
    """A keyed hash of a mobile number: enough to recognise it again, no more."""
    return salted_hmac(PHONE_HASH_KEY, phone, algorithm="sha256").hexdigest()


def _code_hash(verification_salt: str, code: str) -> str:
    return salted_hmac("campaigns.code." + verification_salt, code, algorithm="sha256").hexdigest()


def phone_code_send(*, phone: str, client: str) -> PhoneVerification:
    """Send a six-digit code to a mobile number, within per-number and per-client limits.

    ``phone`` may be typed any usual way ("138 0013 8000", "+86…"); ``client`` is
    ``wenzhou_portal.clients.client_hash`` of the request.
    """
    phone = mobile_normalise(phone)
    hashed = phone_hash(phone)
    if (
        not limit_hit(PHONE_CODE_PER_NUMBER, hashed).allowed
        or not limit_hit(PHONE_CODE_PER_CLIENT, client).allowed
    ):
        raise PhoneVerificationRefused(
            gettext("验证码发送次数过多，请稍后再试。"), code="too_many_codes"
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(8)
    verification = PhoneVerification.objects.create(
        phone_hash=hashed, phone_tail=phone[-4:], code_hash=f"{salt}${_code_hash(salt, code)}"
    )
    send_sms(phone, gettext("【清朗温州】您的验证码是 %(code)s，10 分钟内有效。") % {"code": code})
    return verification


def phone_code_verify(*, verification_id: int, code: str) -> PhoneVerification:
    """Check a code; returns the verification it proves. Locks after too many wrong tries."""
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update().filter(pk=verification_id).first()
        )
        if verification is None:
            raise PhoneVerificationRefused(gettext("请先获取验证码。"), code="no_code")
        if verification.attempts >= settings.PHONE_CODE_MAX_ATTEMPTS:
            raise PhoneVerificationRefused(
                gettext("验证码错误次数过多，请重新获取。"), code="locked"
            )
        age = timezone.now() - verification.created_at
        if age > timedelta(seconds=settings.PHONE_CODE_TTL_SECONDS):
            raise PhoneVerificationRefused(gettext("验证码已过期，请重新获取。"), code="expired")
        salt, expected = verification.code_hash.split("$", 1)
        typed = "".join(str(code).split())  # "123 456" is 123456
        correct = hmac.compare_digest(expected, _code_hash(salt, typed))
        if correct:
            verification.verified_at = timezone.now()
            verification.save(update_fields=["verified_at"])
        else:
            # Counted and committed before refusing, so wrong guesses add up to a lockout.
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
    if not correct:
        raise PhoneVerificationRefused(gettext("验证码不正确。"), code="wrong_code")
    return verification


def phone_code_check(*, verification_id: int, code: str) -> str:
    """Check a code; returns the hash of the number it proves."""
    return phone_code_verify(verification_id=verification_id, code=code).phone_hash
