"""The staff admin site: two-factor sign-in when OTP_REQUIRED_FOR_STAFF is on.

The setting is read on every request. With it on, staff who have a second factor give a
code from their authenticator (or a backup code) with their password; staff who have
none yet sign in with the password and are sent to /staff/2fa/ to enrol, and no admin
page opens for them until they have.
"""

import unicodedata

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .accounts import user_has_second_factor

ENROLMENT_URL_NAME = "staff:otp_enrol"


def otp_required_for(user) -> bool:
    """True if the setting is on and this is a staff account that must use a second factor."""
    return bool(
        settings.OTP_REQUIRED_FOR_STAFF
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
    )


def awaits_enrolment(user) -> bool:
    """A staff account that must use a second factor and has none yet."""
    return otp_required_for(user) and not user_has_second_factor(user)


class PortalAuthenticationForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """Password, and a code when the account has a second factor and the setting is on."""

    otp_token = forms.CharField(
        label=_("动态验证码或备用码"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("请输入验证器上的 6 位动态验证码，或一个备用码。"),
        "invalid_token": _("验证码不正确或已使用，请重新输入。"),
        "device_required": _("验证码不正确或已使用，请重新输入。"),
        "n_failed_attempts": ngettext_lazy(
            "验证码已连续错误 %(failure_count)d 次，请稍候再试。",
            "验证码已连续错误 %(failure_count)d 次，请稍候再试。",
            "failure_count",
        ),
        "verification_not_allowed": _("暂时无法验证，请稍候再试。"),
    }

    def clean_otp_token(self) -> str:
        # Backup codes are shown in lower case; people type them as they like, and a
        # Chinese input method may give full-width characters.
        token = unicodedata.normalize("NFKC", self.cleaned_data.get("otp_token", ""))
        return "".join(token.split()).lower()

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        if otp_required_for(user) and user_has_second_factor(user):
            self.clean_otp(user)
        return cleaned_data

    def _chosen_device(self, user):
        # The form has no device menu: six digits are a code from the authenticator,
        # anything else a backup code. Only that one device is tried, so a typo never
        # counts against (and throttles) the other.
        token = self.cleaned_data.get("otp_token") or ""
        model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        return (
            model.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )

    def _update_form(self, user) -> None:
        # django-otp would render the password back into the page; people type it again.
        pass


class PortalAdminSite(admin.AdminSite):
    site_header = _("清朗温州 · 工作台")
    site_title = _("清朗温州工作台")
    index_title = _("工作台")
    login_form = PortalAuthenticationForm
    login_template = "admin/portal_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        if not settings.OTP_REQUIRED_FOR_STAFF:
            return True
        is_verified = getattr(request.user, "is_verified", None)
        return bool(is_verified and is_verified())

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method == "GET" and awaits_enrolment(request.user):
            return HttpResponseRedirect(reverse(ENROLMENT_URL_NAME))
        context = {"otp_required": settings.OTP_REQUIRED_FOR_STAFF, **(extra_context or {})}
        response = super().login(request, context)
        # Signed in with the password alone: the account has no second factor yet.
        if (
            request.method == "POST"
            and response.status_code == 302
            and awaits_enrolment(request.user)
        ):
            return HttpResponseRedirect(reverse(ENROLMENT_URL_NAME))
        return response
