"""Citizens sign in with a mobile number and a text-message code: no password.

The number is proven by the shared phone verification (its limits and lockout apply) and
kept on the account only as that keyed hash plus a masked form for display. Staff sign
in through admin only: a number that belongs to a staff account is refused here, and a
citizen account is never staff, so it never reaches admin.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .phone_verification import phone_code_verify
from .phones import MobileNumberField

SIGN_IN_SESSION_KEY = "citizen_sign_in"


class CitizenSignInRefused(ValidationError):
    """The proven number may not sign in here (its ``code`` says why: staff, inactive)."""


def is_citizen(user) -> bool:
    """A signed-in citizen: an account made by this sign-in, never staff."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and not user.is_staff
        and not user.is_superuser
        and getattr(user, "mobile_hash", None)
    )


def citizen_sign_in(*, verification_id: int, code: str, masked: str):
    """Check the code and return the citizen account of the number it proves (made on
    first sign-in). Raises PhoneVerificationRefused for a wrong, expired or locked code
    and CitizenSignInRefused for a staff or deactivated account's number."""
    verification = phone_code_verify(verification_id=verification_id, code=code)
    user = citizen_account_get_or_create(phone_hash=verification.phone_hash, masked=masked)
    if user.is_staff or user.is_superuser or hasattr(user, "api_token"):
        raise CitizenSignInRefused(
            gettext("该手机号属于工作人员账号，请从工作人员入口登录。"), code="staff"
        )
    if not user.is_active:
        raise CitizenSignInRefused(gettext("该账号已停用。"), code="inactive")
    audit_record(action="citizen.signed_in", actor=user, target=user.mobile_masked)
    return user


def citizen_account_get_or_create(*, phone_hash: str, masked: str):
    """The account of a proven number (made on first sign-in, with no usable password)."""
    users = get_user_model()._default_manager
    user = users.filter(mobile_hash=phone_hash).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = users.create(
                username=f"citizen-{phone_hash[:24]}", mobile_hash=phone_hash, mobile_masked=masked
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
    except IntegrityError:
        # The same number signing in twice at once: the other request made the account.
        user = users.get(mobile_hash=phone_hash)
    return user


def citizen_notify_set(*, citizen, channel: str, email: str = "") -> None:
    """Record how a citizen wants to be told about their reports."""
    if not is_citizen(citizen):
        raise ValidationError(gettext("请先登录。"), code="not_citizen")
    channels = get_user_model().NotifyChannel
    if channel not in channels.values:
        raise ValidationError(gettext("请选择通知方式。"), code="invalid_channel")
    if channel == channels.EMAIL and not email:
        raise ValidationError(gettext("选择电子邮件通知时请填写邮箱。"), code="email_required")
    citizen.notify_channel = channel
    citizen.email = email if channel == channels.EMAIL else citizen.email
    citizen.save(update_fields=["notify_channel", "email"])


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for signed-in citizens: anyone else goes to the citizen sign-in first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_citizen(request.user):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('citizen_sign_in')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


class PhoneForm(forms.Form):
    phone = MobileNumberField(label=_("手机号"))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class NotifyForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("通知方式"),
        choices=lambda: get_user_model().NotifyChannel.choices,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(label=_("电子邮箱"), required=False)
