from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OtpStaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpDefaultConfig


class PortalConfig(AppConfig):
    name = "wenzhou_portal"
    verbose_name = _("门户与账号")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import audit  # noqa: F401  (connects the sign-in audit receivers)

        # Like Django's own permissions, the role groups are brought up to date after
        # every migrate, so the auditor also reads models that later migrations add.
        post_migrate.connect(_sync_roles_after_migrate, sender=self)


def _sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps

    from .roles import roles_sync

    roles_sync(apps or global_apps)


class PortalAdminConfig(AdminConfig):
    default_site = "wenzhou_portal.admin_site.PortalAdminSite"


# --- Third-party apps shown in admin, in the portal's languages ------------------------
# django-axes marks its labels for translation but ships no Chinese: the Chinese is in the
# project's catalog (locale/zh_Hans). Its app and django-otp's have no translatable app
# name, and django-otp's models and fields none at all: they are named here, in Chinese
# (the source language), with English in locale/en. Only the labels change: Django's
# migrations read the Meta and field arguments as declared, not these, so none follow.


def _relabel(model, verbose_name, verbose_name_plural, fields: dict) -> None:
    model._meta.verbose_name = verbose_name
    model._meta.verbose_name_plural = verbose_name_plural
    for name, label in fields.items():
        model._meta.get_field(name).verbose_name = label


def _device_fields() -> dict:
    return {
        "user": _("账号"),
        "name": _("设备名称"),
        "confirmed": _("已确认"),
        "throttling_failure_timestamp": _("最近一次验证失败时间"),
        "throttling_failure_count": _("连续验证失败次数"),
        "created_at": _("添加时间"),
        "last_used_at": _("最近使用时间"),
    }


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录防护（失败锁定）")


class OtpTotpConfig(OtpTotpDefaultConfig):
    verbose_name = _("双重验证：验证器")

    def ready(self) -> None:
        super().ready()
        _relabel(self.get_model("TOTPDevice"), _("验证器设备"), _("验证器设备"), _device_fields())


class OtpStaticConfig(OtpStaticDefaultConfig):
    verbose_name = _("双重验证：备用码")

    def ready(self) -> None:
        super().ready()
        _relabel(self.get_model("StaticDevice"), _("备用码"), _("备用码"), _device_fields())
