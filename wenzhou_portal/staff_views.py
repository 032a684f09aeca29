"""Staff self-service: enrol an authenticator app, see its key and backup codes once."""

import base64
import re
import unicodedata

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin
from django.contrib.auth.views import LogoutView, redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .accounts import (
    BACKUP_CODE_COUNT,
    EnrolmentClosed,
    totp_enrolment_confirm,
    totp_enrolment_open,
    totp_enrolment_pending,
    totp_enrolment_start,
    totp_key_base32,
)


class EnrolmentConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("验证器上显示的 6 位数字"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    def clean_token(self) -> str:
        # Full-width digits from a Chinese input method and "123 456" as apps show it.
        token = "".join(unicodedata.normalize("NFKC", self.cleaned_data["token"]).split())
        if not re.fullmatch(r"[0-9]{6}", token):
            raise ValidationError(_("请输入 6 位数字。"), code="invalid")
        return token


def _qr_data_uri(text: str) -> str:
    # A data: URI image: the content security policy allows it, and no inline SVG or
    # style reaches the page. The white background keeps it scannable in dark mode.
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def _context(request: HttpRequest, **extra) -> dict:
    return {**admin.site.each_context(request), "title": _("绑定动态验证码"), **extra}


def _enrol_page(
    request: HttpRequest, device: TOTPDevice, form: EnrolmentConfirmForm
) -> HttpResponse:
    return render(
        request,
        "staff/otp_enrol.html",
        _context(
            request,
            form=form,
            qr_code=_qr_data_uri(device.config_url),
            key=totp_key_base32(device),
        ),
    )


def _enrolled_page(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/otp_enrolled.html", _context(request))


@never_cache
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """A staff member with no authenticator scans a new key and confirms it with a code."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not totp_enrolment_open(user):
        return _enrolled_page(request)
    if request.method == "POST":
        form = EnrolmentConfirmForm(request.POST)
        if form.is_valid():
            try:
                enrolment = totp_enrolment_confirm(
                    user=user, token=form.cleaned_data["token"], request=request
                )
            except EnrolmentClosed:
                return _enrolled_page(request)
            except ValidationError as error:
                form.add_error("token", error)
            else:
                # Confirming proved the new device: this session counts as verified.
                otp_login(request, enrolment.device)
                return render(
                    request,
                    "staff/otp_backup_codes.html",
                    _context(
                        request,
                        backup_codes=enrolment.backup_codes,
                        backup_code_count=BACKUP_CODE_COUNT,
                    ),
                )
        # The key stays the same while the owner retries a code for it.
        device = totp_enrolment_pending(user)
        if device is not None:
            return _enrol_page(request, device, form)
    else:
        form = EnrolmentConfirmForm()
    # Each visit starts afresh with a new key: a key is shown on one page only.
    try:
        device = totp_enrolment_start(user=user)
    except EnrolmentClosed:
        return _enrolled_page(request)
    return _enrol_page(request, device, form)


class StaffLogoutView(LogoutView):
    """Sign out from the enrolment page (admin's own sign-out needs a verified session)."""

    next_page = reverse_lazy("admin:login")
