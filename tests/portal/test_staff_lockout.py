"""Staff lockout: per account whichever addresses the guesses come from; office admins unlock."""

import pytest
from axes.models import AccessAttempt

from wenzhou_portal.models import AuditEvent
from wenzhou_portal.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN_URL = "/admin/login/?next=/admin/"
USERS_URL = "/admin/wenzhou_portal/user/"


@pytest.fixture
def handler(make_staff):
    """陈丽 handles reports for Lucheng."""
    return make_staff("chen_li", Role.DEPARTMENT_HANDLER, first_name="陈丽")


@pytest.fixture
def superuser(django_user_model):
    """赵国强 manages the office admins."""
    return django_user_model.objects.create_superuser(
        username="zhao_guoqiang", password=PASSWORD, email="zhao@example.org"
    )


def _sign_in(client, username, password, address="198.51.100.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def _guess_from_ten_addresses(client, username, guesses=50):
    for attempt in range(guesses):
        _sign_in(client, username, f"guess {attempt}", address=f"203.0.113.{attempt % 10 + 1}")


def _unlock(client, *users):
    return client.post(
        USERS_URL,
        {"action": "unlock", "_selected_action": [str(user.pk) for user in users]},
    )


def test_fifty_wrong_passwords_from_ten_addresses_lock_the_account(client, handler):
    _guess_from_ten_addresses(client, handler.username)
    response = _sign_in(client, handler.username, PASSWORD, address="192.0.2.44")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lock is recorded once, not once per refused attempt.
    locked = AuditEvent.objects.filter(action="account_locked", target=handler.username)
    assert locked.count() == 1


def test_another_account_is_not_locked_by_guesses_at_this_one(client, handler, auditor):
    _guess_from_ten_addresses(client, handler.username, guesses=10)
    response = _sign_in(client, auditor.username, PASSWORD, address="203.0.113.1")
    assert response.status_code == 302


def test_office_admin_unlock_lets_the_user_in_again(client, handler, office_admin):
    _guess_from_ten_addresses(client, handler.username)
    admin_client = client.__class__()
    admin_client.force_login(office_admin)
    response = _unlock(admin_client, handler)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=handler.username).exists()
    event = AuditEvent.objects.get(action="account_unlocked")
    assert (event.actor, event.target) == (office_admin, handler.username)
    assert event.detail["attempts_cleared"] >= 1

    response = _sign_in(client, handler.username, PASSWORD, address="203.0.113.5")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(handler.pk)


def test_a_lock_after_an_unlock_is_recorded_again(client, handler, office_admin):
    _guess_from_ten_addresses(client, handler.username, guesses=6)
    admin_client = client.__class__()
    admin_client.force_login(office_admin)
    _unlock(admin_client, handler)
    _guess_from_ten_addresses(client, handler.username, guesses=6)
    assert AuditEvent.objects.filter(action="account_locked").count() == 2


def test_office_admin_cannot_unlock_an_office_admin_or_a_superuser(
    client, office_admin, make_staff, superuser
):
    colleague = make_staff("liu_fang", Role.OFFICE_ADMIN)
    for user in (colleague, superuser):
        _guess_from_ten_addresses(client, user.username, guesses=6)
    admin_client = client.__class__()
    admin_client.force_login(office_admin)
    _unlock(admin_client, colleague, superuser)  # a forged selection
    assert AccessAttempt.objects.filter(username=colleague.username).exists()
    assert AccessAttempt.objects.filter(username=superuser.username).exists()
    assert not AuditEvent.objects.filter(action="account_unlocked").exists()
    assert _sign_in(client, colleague.username, PASSWORD).status_code == 429


def test_auditor_cannot_unlock(client, auditor, handler):
    _guess_from_ten_addresses(client, handler.username, guesses=6)
    auditor_client = client.__class__()
    auditor_client.force_login(auditor)
    _unlock(auditor_client, handler)
    assert AccessAttempt.objects.filter(username=handler.username).exists()
    assert not AuditEvent.objects.filter(action="account_unlocked").exists()


def test_superuser_unlocks_an_office_admin(client, superuser, office_admin):
    _guess_from_ten_addresses(client, office_admin.username, guesses=6)
    admin_client = client.__class__()
    admin_client.force_login(superuser)
    _unlock(admin_client, office_admin)
    assert _sign_in(client, office_admin.username, PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="account_unlocked", actor=superuser).count() == 1
