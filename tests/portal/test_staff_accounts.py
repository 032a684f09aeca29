"""Who may manage which staff account, and every change of roles on the record."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django_otp.plugins.otp_totp.models import TOTPDevice

from wenzhou_portal.accounts import ROLES_ASSIGNABLE_BY_OFFICE_ADMIN, user_roles_set
from wenzhou_portal.models import AuditEvent
from wenzhou_portal.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def superuser(django_user_model):
    """赵国强 manages the office admins."""
    return django_user_model.objects.create_superuser(
        username="zhao_guoqiang", password=PASSWORD, email="zhao@example.org"
    )


@pytest.fixture
def handler(make_staff):
    """陈丽 handles reports for Lucheng."""
    return make_staff("chen_li", Role.DEPARTMENT_HANDLER, first_name="陈丽")


@pytest.fixture
def other_office_admin(make_staff):
    """刘芳 is a second office admin."""
    return make_staff("liu_fang", Role.OFFICE_ADMIN, first_name="刘芳")


def _change_url(user) -> str:
    return f"/admin/wenzhou_portal/user/{user.pk}/change/"


def _change_post(user, **overrides) -> dict:
    """What the change form posts for this user, as an office admin's browser would."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
        "_save": "保存",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def _group_id(role: Role) -> str:
    return str(Group.objects.get(name=role.value).pk)


def _roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_office_admin_cannot_make_itself_superuser(client, office_admin):
    client.force_login(office_admin)
    response = client.post(
        _change_url(office_admin),
        _change_post(
            office_admin,
            is_superuser="on",
            groups=[_group_id(Role.OFFICE_ADMIN), _group_id(Role.AUDITOR)],
            user_permissions=["1", "2", "3"],
        ),
    )
    assert response.status_code in {302, 403, 404}
    office_admin.refresh_from_db()
    assert not office_admin.is_superuser
    assert _roles(office_admin) == {Role.OFFICE_ADMIN.value}
    assert not office_admin.user_permissions.exists()
    assert not AuditEvent.objects.filter(action="user_roles_changed").exists()


def test_office_admin_cannot_open_its_own_or_a_superusers_change_page(
    client, office_admin, superuser
):
    client.force_login(office_admin)
    for user in (office_admin, superuser):
        response = client.get(_change_url(user))
        assert response.status_code != 200
        assert user.username not in response.content.decode()


def test_office_admin_cannot_open_a_superusers_password_form(client, office_admin, superuser):
    client.force_login(office_admin)
    url = f"/admin/wenzhou_portal/user/{superuser.pk}/password/"
    assert client.get(url).status_code in {403, 404}
    response = client.post(
        url, {"password1": "a new password 1234", "password2": "a new password 1234"}
    )
    assert response.status_code in {403, 404}
    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD)


def test_office_admin_cannot_manage_another_office_admin(client, office_admin, other_office_admin):
    client.force_login(office_admin)
    assert client.get(_change_url(other_office_admin)).status_code != 200
    client.post(
        _change_url(other_office_admin),
        _change_post(other_office_admin, is_active="", groups=[_group_id(Role.AUDITOR)]),
    )
    password_url = f"/admin/wenzhou_portal/user/{other_office_admin.pk}/password/"
    assert client.get(password_url).status_code in {403, 404}
    other_office_admin.refresh_from_db()
    assert other_office_admin.is_active
    assert _roles(other_office_admin) == {Role.OFFICE_ADMIN.value}


def test_office_admin_is_offered_only_the_five_staff_roles(client, office_admin, handler):
    client.force_login(office_admin)
    response = client.get(_change_url(handler))
    assert response.status_code == 200
    offered = {group.name for group in response.context["adminform"].form.fields["groups"].queryset}
    assert offered == ROLES_ASSIGNABLE_BY_OFFICE_ADMIN
    fields = response.context["adminform"].form.fields
    assert "is_superuser" not in fields
    assert "user_permissions" not in fields


def test_a_forged_post_cannot_grant_office_admin_to_a_handler(client, office_admin, handler):
    client.force_login(office_admin)
    response = client.post(
        _change_url(handler),
        _change_post(
            handler,
            is_superuser="on",
            groups=[_group_id(Role.OFFICE_ADMIN), _group_id(Role.DEPARTMENT_HANDLER)],
        ),
    )
    assert response.status_code == 200  # the form is shown again with its error
    assert "groups" in response.context["adminform"].form.errors
    handler.refresh_from_db()
    assert not handler.is_superuser
    assert _roles(handler) == {Role.DEPARTMENT_HANDLER.value}
    assert not AuditEvent.objects.filter(action="user_roles_changed").exists()


def test_a_forged_superuser_flag_is_ignored_and_the_role_change_audited(
    client, office_admin, handler
):
    client.force_login(office_admin)
    response = client.post(
        _change_url(handler),
        _change_post(
            handler,
            is_superuser="on",
            user_permissions=["1"],
            groups=[_group_id(Role.AUDITOR)],
        ),
    )
    assert response.status_code == 302
    handler.refresh_from_db()
    assert not handler.is_superuser
    assert not handler.user_permissions.exists()
    assert _roles(handler) == {Role.AUDITOR.value}
    event = AuditEvent.objects.get(action="user_roles_changed")
    assert event.actor == office_admin
    assert event.target == handler.username
    assert event.detail["added_roles"] == [Role.AUDITOR.value]
    assert event.detail["removed_roles"] == [Role.DEPARTMENT_HANDLER.value]
    assert event.detail["flags"] == {}


def test_deactivating_a_handler_is_one_audit_record(client, office_admin, handler):
    client.force_login(office_admin)
    response = client.post(_change_url(handler), _change_post(handler, is_active=""))
    assert response.status_code == 302
    handler.refresh_from_db()
    assert not handler.is_active
    event = AuditEvent.objects.get(action="user_roles_changed")
    assert event.detail["flags"] == {"is_active": [True, False]}
    assert event.detail["added_roles"] == event.detail["removed_roles"] == []


def test_saving_without_changes_writes_no_audit_record(client, office_admin, handler):
    client.force_login(office_admin)
    response = client.post(_change_url(handler), _change_post(handler, first_name="陈丽丽"))
    assert response.status_code == 302
    handler.refresh_from_db()
    assert handler.first_name == "陈丽丽"
    assert not AuditEvent.objects.filter(action="user_roles_changed").exists()


def test_superuser_makes_an_office_admin_and_it_is_audited(client, superuser, handler):
    client.force_login(superuser)
    response = client.post(
        _change_url(handler),
        _change_post(handler, is_superuser="", groups=[_group_id(Role.OFFICE_ADMIN)]),
    )
    assert response.status_code == 302
    assert _roles(handler) == {Role.OFFICE_ADMIN.value}
    event = AuditEvent.objects.get(action="user_roles_changed")
    assert event.actor == superuser
    assert event.detail["added_roles"] == [Role.OFFICE_ADMIN.value]


def test_superuser_grants_superuser_status_with_an_audit_record(client, superuser, handler):
    client.force_login(superuser)
    response = client.post(
        _change_url(handler),
        _change_post(handler, is_superuser="on"),
    )
    assert response.status_code == 302
    handler.refresh_from_db()
    assert handler.is_superuser
    event = AuditEvent.objects.get(action="user_roles_changed")
    assert event.detail["flags"] == {"is_superuser": [False, True]}


def test_the_service_refuses_what_an_office_admin_may_not_do(office_admin, handler, superuser):
    with pytest.raises(PermissionDenied):
        user_roles_set(actor=office_admin, user=handler, roles=[Role.OFFICE_ADMIN.value])
    with pytest.raises(PermissionDenied):
        user_roles_set(actor=office_admin, user=handler, roles=None, is_superuser=True)
    with pytest.raises(PermissionDenied):
        user_roles_set(actor=office_admin, user=office_admin, roles=[Role.AUDITOR.value])
    with pytest.raises(PermissionDenied):
        user_roles_set(actor=office_admin, user=superuser, roles=[], is_active=False)
    assert _roles(handler) == {Role.DEPARTMENT_HANDLER.value}
    assert not AuditEvent.objects.filter(action="user_roles_changed").exists()


def test_an_auditor_cannot_change_roles(auditor, handler):
    with pytest.raises(PermissionDenied):
        user_roles_set(actor=auditor, user=handler, roles=[Role.AUDITOR.value])


def test_roles_an_office_admin_cannot_assign_are_kept(office_admin, handler):
    custom = Group.objects.create(name="press_office")
    handler.groups.add(custom)
    change = user_roles_set(actor=office_admin, user=handler, roles=[Role.CAMPAIGN_EDITOR.value])
    assert _roles(handler) == {"press_office", Role.CAMPAIGN_EDITOR.value}
    assert change["removed_roles"] == [Role.DEPARTMENT_HANDLER.value]


def test_office_admin_lists_only_accounts_it_may_manage(
    client, office_admin, other_office_admin, superuser, handler, citizen
):
    client.force_login(office_admin)
    response = client.get("/admin/wenzhou_portal/user/")
    listed = {user.username for user in response.context["cl"].result_list}
    assert listed == {handler.username, citizen.username}


def test_auditor_lists_every_account_and_changes_none(client, auditor, superuser, handler):
    client.force_login(auditor)
    response = client.get("/admin/wenzhou_portal/user/")
    listed = {user.username for user in response.context["cl"].result_list}
    assert {auditor.username, superuser.username, handler.username} <= listed
    assert client.get(_change_url(superuser)).status_code == 200
    response = client.post(_change_url(handler), _change_post(handler, is_active=""))
    assert response.status_code == 403
    handler.refresh_from_db()
    assert handler.is_active


def test_spoofing_characters_in_account_names_are_shown_neutralised(
    client, superuser, django_user_model
):
    spoofed = django_user_model.objects.create_user(
        username="admin\u202egpj.exe", first_name="王\u200b小明", password="x" * 16
    )
    client.force_login(superuser)
    page = client.get("/admin/wenzhou_portal/user/").content.decode()
    assert "\u202e" not in page
    assert "\u200b" not in page
    assert "⟦U+202E⟧" in page
    assert "⟦U+200B⟧" in page
    change_page = client.get(_change_url(spoofed)).content.decode()
    # The form field keeps the real value (escaped); the title and breadcrumbs do not.
    heading = change_page.split('id="content-main"', 1)[0]
    assert "\u202e" not in heading
    assert "⟦U+202E⟧" in heading


def test_spoofing_characters_in_the_audit_list_are_shown_neutralised(
    client, superuser, django_user_model
):
    spoofed = django_user_model.objects.create_user(username="ops\u202e", password="x" * 16)
    AuditEvent.objects.create(action="login", actor=spoofed, target="ops\u200b\u202e")
    client.force_login(superuser)
    page = client.get("/admin/wenzhou_portal/auditevent/").content.decode()
    assert "\u202e" not in page
    assert "\u200b" not in page
    assert page.count("⟦U+202E⟧") >= 2


def test_the_user_and_device_lists_do_not_query_per_row(
    client, office_admin, django_user_model, django_assert_max_num_queries
):
    users = django_user_model.objects.bulk_create(
        django_user_model(username=f"handler_{n}", first_name="陈", is_staff=True)
        for n in range(25)
    )
    TOTPDevice.objects.bulk_create(TOTPDevice(user=user, name="authenticator") for user in users)
    client.force_login(office_admin)
    for url in ("/admin/wenzhou_portal/user/", "/admin/otp_totp/totpdevice/"):
        client.get(url)
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
