from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


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
