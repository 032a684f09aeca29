"""Staff roles: each is a Django group with the model permissions its work needs.

The groups are created by a data migration and brought up to date after every migrate;
each app grants its own models' permissions in its roles.py (``role_grants``). Group names are stable English codes; the labels are what staff read.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import models
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("网信办管理员")
    DEPARTMENT_HANDLER = "department_handler", _("处置部门人员")
    CAMPAIGN_EDITOR = "campaign_editor", _("活动编辑")
    CHARITY_REVIEWER = "charity_reviewer", _("公益审核员")
    INDEX_EDITOR = "index_editor", _("指数编辑")
    AUDITOR = "auditor", _("审计")


# Permissions as "app_label.codename", granted by each app in its own roles.py (found by
# autodiscovery, as demo.py seeders are), so this package names no app's models. The
# auditor is computed, not listed: every view permission (except of second-factor
# secrets) and nothing else, so a new model is readable by the auditor at once.
_GRANTS: dict[str, set[str]] = defaultdict(set)


def role_grants(role: Role, permissions: Iterable[str]) -> None:
    """An app grants these permissions of its own models to a role (from its roles.py)."""
    _GRANTS[role].update(permissions)


def role_permissions(role: Role) -> set[str]:
    """Every permission granted to this role, by the portal and by each app."""
    autodiscover_modules("roles")
    return set(_GRANTS[role])


# The portal's own: accounts, the audit log, second factors and lock-outs.
role_grants(
    Role.OFFICE_ADMIN,
    {
        "wenzhou_portal.view_user",
        "wenzhou_portal.add_user",
        "wenzhou_portal.change_user",
        "wenzhou_portal.view_auditevent",
        "wenzhou_portal.view_notification",
        # API tokens: created and revoked (a change) by the office, never deleted.
        "wenzhou_portal.view_apitoken",
        "wenzhou_portal.add_apitoken",
        "wenzhou_portal.change_apitoken",
        "auth.view_group",
        # Second factors: admin shows that a device exists and removes it, never its
        # secret; staff enrol themselves at /staff/2fa/.
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
        # Lock-outs are lifted with the audited "unlock" action on the user list, not by
        # deleting axes' attempt rows.
        "axes.view_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    },
)

# Apps whose rows hold second-factor secrets (TOTP keys, backup codes): never part of
# the auditor's computed "view everything".
AUDITOR_EXCLUDED_APPS = frozenset({"otp_totp", "otp_static", "otp_hotp", "otp_email"})


def _ensure_permissions(apps) -> None:
    # Permissions are normally created after all migrations ran; a data migration that
    # assigns them must create them first. Historical app configs have no models_module,
    # which create_permissions needs; the live registry's must be left as they are.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        historical = getattr(app_config, "models_module", None) is None
        if historical:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if historical:
            app_config.models_module = None


def _permission_ids(apps, names: Iterable[str]) -> list[int]:
    # Permissions of apps not migrated yet are skipped here; that app's own roles
    # migration runs roles_sync again once its models exist.
    permission_model = apps.get_model("auth", "Permission")
    wanted = {tuple(name.split(".", 1)) for name in names}
    rows = permission_model.objects.filter(
        content_type__app_label__in={app for app, _code in wanted}
    ).values_list("pk", "content_type__app_label", "codename")
    return sorted(pk for pk, app, code in rows if (app, code) in wanted)


def roles_sync(apps, schema_editor=None) -> None:
    """Create the role groups and set each one's permissions to exactly what is granted."""
    _ensure_permissions(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role in Role:
        group, _created = group_model.objects.get_or_create(name=role.value)
        if role == Role.AUDITOR:
            ids = list(
                permission_model.objects.filter(codename__startswith="view_")
                .exclude(content_type__app_label__in=AUDITOR_EXCLUDED_APPS)
                .values_list("pk", flat=True)
            )
        else:
            ids = _permission_ids(apps, role_permissions(role))
        group.permissions.set(ids)
