import pytest
from django.test import override_settings

from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_successful_and_failed_sign_ins_are_audited(client, office_admin):
    _login(client, office_admin.username, "wrong password")
    _login(client, office_admin.username, "correct horse battery staple")
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "target"))
    assert actions == [
        ("login_failed", office_admin.username),
        ("login", office_admin.username),
    ]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failed_sign_ins_lock_the_account_out(client, office_admin):
    for _ in range(3):
        _login(client, office_admin.username, "wrong password")
    response = _login(client, office_admin.username, "correct horse battery staple")
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="account_locked", target=office_admin.username).exists()
