"""Staff roles: each is a Django group with the model permissions its work needs.

The groups are created by a data migration; each later migration that adds models
extends ROLE_PERMISSIONS and calls ``roles_sync`` again, so the groups always match
this table. Group names are stable English codes; the labels are what staff read.
"""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("网信办管理员")
    DEPARTMENT_HANDLER = "department_handler", _("处置部门人员")
    CAMPAIGN_EDITOR = "campaign_editor", _("活动编辑")
    CHARITY_REVIEWER = "charity_reviewer", _("公益审核员")
    INDEX_EDITOR = "index_editor", _("指数编辑")
    AUDITOR = "auditor", _("审计")


# Permissions as "app_label.codename". The auditor is computed, not listed: every view
# permission (except of second-factor secrets) and nothing else, so a new model is
# readable by the auditor at once.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.OFFICE_ADMIN: {
        "wenzhou_portal.view_user",
        "wenzhou_portal.add_user",
        "wenzhou_portal.change_user",
        "wenzhou_portal.view_auditevent",
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
        # The report desk: the office triages, routes and maintains the rules and calendar.
        "rumors.view_report",
        "rumors.change_report",
        "rumors.view_reportevent",
        "rumors.view_evidence",
        "rumors.view_department",
        "rumors.add_department",
        "rumors.change_department",
        "rumors.view_routingrule",
        "rumors.add_routingrule",
        "rumors.change_routingrule",
        "rumors.delete_routingrule",
        "rumors.view_calendarday",
        "rumors.add_calendarday",
        "rumors.change_calendarday",
        "rumors.delete_calendarday",
        "rumors.view_debunk",
        "rumors.add_debunk",
        "rumors.change_debunk",
        "rumors.publish_debunk",
        "rumors.view_debunksource",
        "rumors.add_debunksource",
        "rumors.change_debunksource",
        "rumors.delete_debunksource",
        "rumors.view_debunkappearance",
        "rumors.add_debunkappearance",
        "rumors.change_debunkappearance",
        "rumors.delete_debunkappearance",
    },
    # Handlers act through the report's handling actions, scoped to their department.
    Role.DEPARTMENT_HANDLER: {
        "rumors.view_report",
        "rumors.change_report",
        "rumors.view_reportevent",
        "rumors.view_evidence",
        "rumors.view_department",
        # Departments may draft debunks; only the office publishes them.
        "rumors.view_debunk",
        "rumors.add_debunk",
        "rumors.change_debunk",
        "rumors.view_debunksource",
        "rumors.add_debunksource",
        "rumors.change_debunksource",
        "rumors.delete_debunksource",
        "rumors.view_debunkappearance",
        "rumors.add_debunkappearance",
        "rumors.change_debunkappearance",
        "rumors.delete_debunkappearance",
    },
    Role.CAMPAIGN_EDITOR: {
        f"campaigns.{verb}_{model}"
        for model in ("campaign", "externalreach")
        for verb in ("view", "add", "change")
    }
    | {
        "campaigns.view_signature",
        "campaigns.change_signature",
        "campaigns.view_eventregistration",
        "campaigns.view_pageviewday",
        "campaigns.delete_externalreach",
        "campaigns.view_candidate",
        "campaigns.add_candidate",
        "campaigns.change_candidate",
        "campaigns.view_vote",
        "campaigns.change_vote",
        "campaigns.view_juryscore",
        "campaigns.add_juryscore",
        "campaigns.change_juryscore",
    },
    Role.CHARITY_REVIEWER: set(),
    Role.INDEX_EDITOR: {
        f"civility_index.{verb}_{model}"
        for model in (
            "dimension",
            "indicator",
            "methodsettings",
            "districtpopulation",
            "enteredvalue",
        )
        for verb in ("view", "add", "change")
    }
    | {
        "civility_index.delete_enteredvalue",
        "civility_index.view_snapshot",
        "civility_index.change_snapshot",
    },
    Role.AUDITOR: set(),
}

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
    """Create the role groups and set each one's permissions to exactly ROLE_PERMISSIONS."""
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
            ids = _permission_ids(apps, ROLE_PERMISSIONS[role])
        group.permissions.set(ids)
