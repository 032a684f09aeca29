import pytest
from django.contrib.auth.models import Group, Permission

from wenzhou_portal.roles import AUDITOR_EXCLUDED_APPS, Role, role_permissions

pytestmark = pytest.mark.django_db


def _codes(group: Group) -> set[str]:
    return {
        f"{app}.{code}"
        for app, code in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_the_roles_migration_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_office_admin_group_has_exactly_its_listed_permissions():
    group = Group.objects.get(name=Role.OFFICE_ADMIN)
    assert _codes(group) == role_permissions(Role.OFFICE_ADMIN)
    assert "wenzhou_portal.change_user" in _codes(group)


def test_auditor_can_view_every_model_except_second_factors_and_change_nothing():
    group = Group.objects.get(name=Role.AUDITOR)
    codes = {code.split(".", 1)[1] for code in _codes(group)}
    assert codes, "the auditor must be able to read"
    assert all(code.startswith("view_") for code in codes)
    all_views = Permission.objects.filter(codename__startswith="view_").exclude(
        content_type__app_label__in=AUDITOR_EXCLUDED_APPS
    )
    assert group.permissions.count() == all_views.count()


def test_auditor_cannot_view_second_factor_devices_or_tokens():
    codes = _codes(Group.objects.get(name=Role.AUDITOR))
    assert not {code for code in codes if code.split(".", 1)[0] in {"otp_totp", "otp_static"}}
    assert "wenzhou_portal.view_auditevent" in codes
    assert "wenzhou_portal.view_user" in codes


def test_office_admin_may_remove_but_never_add_or_edit_second_factor_devices():
    codes = _codes(Group.objects.get(name=Role.OFFICE_ADMIN))
    assert {"otp_totp.view_totpdevice", "otp_totp.delete_totpdevice"} <= codes
    assert not codes & {
        "otp_totp.add_totpdevice",
        "otp_totp.change_totpdevice",
        "otp_static.add_staticdevice",
        "otp_static.change_staticdevice",
        "otp_static.view_statictoken",
    }
    # Lock-outs are lifted only through the audited unlock action.
    assert "axes.delete_accessattempt" not in codes


def test_auditor_cannot_change_a_user_in_admin(client, auditor, django_user_model):
    target = django_user_model.objects.create_user(username="someone", password="x" * 16)
    client.force_login(auditor)
    assert client.get(f"/admin/wenzhou_portal/user/{target.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/wenzhou_portal/user/{target.pk}/change/", {"username": "renamed"}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.username == "someone"
