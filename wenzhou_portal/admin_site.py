"""The staff admin site: two-factor sign-in when OTP_REQUIRED_FOR_STAFF is on."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite


class PortalAdminSite(OTPAdminSite if settings.OTP_REQUIRED_FOR_STAFF else admin.AdminSite):
    site_header = _("清朗温州 · 工作台")
    site_title = _("清朗温州工作台")
    index_title = _("工作台")
