from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "wenzhou_portal"
    verbose_name = _("门户与账号")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (connects the sign-in audit receivers)


class PortalAdminConfig(AdminConfig):
    default_site = "wenzhou_portal.admin_site.PortalAdminSite"
