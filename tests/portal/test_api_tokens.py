"""API tokens: shown once, stored hashed, expiring, revocable by the office, refused clearly."""

import hashlib
import logging
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wenzhou_portal.api_tokens import (
    LAST_USED_RESOLUTION,
    api_token_check,
    api_token_create,
    api_token_revoke,
)
from wenzhou_portal.models import ApiToken, AuditEvent
from wenzhou_portal.roles import Role

pytestmark = pytest.mark.django_db

FEED = "/api/v1/debunks/labels/"


@pytest.fixture
def platform(office_admin):
    """A platform's token and its full secret, as shown once."""
    return api_token_create(
        actor=office_admin,
        name="某短视频平台",
        kind=ApiToken.Kind.PLATFORM,
        department_id=None,
        valid_days=30,
    )


def _expire(token: ApiToken) -> None:
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=now - timedelta(days=31), expires_at=now - timedelta(seconds=1)
    )


def _get(client, secret: str, path: str = FEED):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_token_is_stored_as_a_hash_never_as_its_secret(platform):
    token, secret = platform
    assert secret.startswith(f"qlwz_{token.key}_")
    raw_secret = secret.split("_", 2)[2]
    assert len(raw_secret) >= 43  # 256 bits, URL-safe base64
    token.refresh_from_db()
    assert token.secret_hash == hashlib.sha256(raw_secret.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get()]
    assert all(raw_secret not in value for value in stored)
    assert not token.user.has_usable_password()
    assert not token.user.is_staff
    assert AuditEvent.objects.filter(action="api_token_created").count() == 1


def test_only_office_admins_create_tokens_and_expiry_is_bounded(office_admin, make_staff):
    handler = make_staff("lucheng_handler", Role.DEPARTMENT_HANDLER)
    with pytest.raises(PermissionDenied):
        api_token_create(
            actor=handler, name="x", kind="platform", department_id=None, valid_days=30
        )
    for days in (0, 366):
        with pytest.raises(ValidationError):
            api_token_create(
                actor=office_admin, name="x", kind="platform", department_id=None, valid_days=days
            )
    with pytest.raises(ValidationError):  # a department token needs a real department
        api_token_create(
            actor=office_admin, name="x", kind="department", department_id=999999, valid_days=30
        )
    assert not ApiToken.objects.exists()


def test_a_valid_token_reads_the_feed_and_is_noted(client, platform):
    token, secret = platform
    assert _get(client, secret).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    used = AuditEvent.objects.get(action="api_token_used")
    assert used.actor == token.user
    assert _get(client, secret).status_code == 200
    # One audit event for the first use of the day, not one per read.
    assert AuditEvent.objects.filter(action="api_token_used").count() == 1


def test_last_used_at_moves_at_most_once_a_minute(client, platform):
    token, secret = platform
    earlier = timezone.now() - timedelta(seconds=10)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    _get(client, secret)
    token.refresh_from_db()
    assert token.last_used_at == earlier
    stale = timezone.now() - LAST_USED_RESOLUTION - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    _get(client, secret)
    token.refresh_from_db()
    assert token.last_used_at > stale


@pytest.mark.parametrize(
    ("presented", "reason"),
    [
        ("qlwz_", "malformed"),
        ("someone-elses-jwt", "malformed"),
        ("qlwz_000000000000_secret", "unknown"),
    ],
)
def test_a_wrong_token_is_401_in_the_error_shape_and_logged_without_it(
    client, platform, presented, reason, caplog
):
    with caplog.at_level(logging.WARNING, logger="wenzhou_portal.api_tokens"):
        response = _get(client, presented)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"errors": [{"field": "non_field", "message": "API 令牌无效。"}]}
    assert [record.reason for record in caplog.records] == [reason]
    assert all(presented not in record.getMessage() for record in caplog.records)


def test_a_right_key_with_a_wrong_secret_is_invalid_not_expired(client, platform, caplog):
    token, secret = platform
    _expire(token)
    forged = f"qlwz_{token.key}_{'A' * 43}"
    with caplog.at_level(logging.WARNING, logger="wenzhou_portal.api_tokens"):
        response = _get(client, forged)
    assert response.json()["errors"][0]["message"] == "API 令牌无效。"
    assert caplog.records[0].reason == "wrong_secret"
    assert caplog.records[0].key == token.key
    assert all(secret.split("_", 2)[2] not in str(vars(r)) for r in caplog.records)


def test_an_expired_token_is_refused(client, platform):
    token, secret = platform
    _expire(token)
    response = _get(client, secret)
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "API 令牌已过期。"
    token.refresh_from_db()
    assert token.last_used_at is None


def test_a_revoked_token_is_refused_at_once(client, platform, office_admin):
    token, secret = platform
    assert api_token_revoke(actor=office_admin, token=token) is True
    assert api_token_revoke(actor=office_admin, token=token) is False
    response = _get(client, secret)
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "API 令牌已被撤销。"
    token.refresh_from_db()
    assert token.revoked_by == office_admin
    assert not token.user.is_active
    assert AuditEvent.objects.filter(action="api_token_revoked").count() == 1


def test_only_office_admins_revoke(platform, auditor):
    token, _secret = platform
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=auditor, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_opens_no_page_and_no_admin(client, platform):
    _token, secret = platform
    admin_page = _get(client, secret, "/admin/")
    assert admin_page.status_code == 302  # to the sign-in page: the token is not a session
    assert "/login/" in admin_page["Location"]
    staff_page = _get(client, secret, "/staff/2fa/")
    assert staff_page.status_code == 302


def test_check_accepts_only_the_exact_token(platform):
    token, secret = platform
    assert api_token_check(secret) == token
    with pytest.raises(Exception):  # noqa: B017, PT011 - TokenRefused, checked by reason above
        api_token_check(secret + "x")


def test_the_admin_shows_the_secret_once_and_revokes(client, office_admin, auditor):
    client.force_login(office_admin)
    response = client.post(
        "/admin/wenzhou_portal/apitoken/add/",
        {"name": "某平台", "kind": "platform", "department": "", "valid_days": "90"},
    )
    assert response.status_code == 200, response.content
    token = ApiToken.objects.get()
    body = response.content.decode()
    secret = body.split('id="api-token-secret"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert secret.startswith(f"qlwz_{token.key}_")
    assert api_token_check(secret) == token
    assert "no-store" in response["Cache-Control"]
    # Never again: not on the token's page, not in the list.
    change = client.get(f"/admin/wenzhou_portal/apitoken/{token.pk}/change/").content.decode()
    listing = client.get("/admin/wenzhou_portal/apitoken/").content.decode()
    raw = secret.split("_", 2)[2]
    assert raw not in change
    assert raw not in listing
    # The auditor reads but cannot revoke.
    client.force_login(auditor)
    client.post(
        "/admin/wenzhou_portal/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is None
    client.force_login(office_admin)
    client.post(
        "/admin/wenzhou_portal/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_department_token_needs_a_department_in_admin(client, office_admin):
    client.force_login(office_admin)
    response = client.post(
        "/admin/wenzhou_portal/apitoken/add/",
        {"name": "x", "kind": "department", "department": "", "valid_days": "90"},
    )
    assert response.status_code == 200
    assert "处置部门令牌须选择所代表的部门" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_schema_documents_the_bearer_scheme(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    reports = schema["paths"]["/api/v1/reports/"]["get"]
    assert {"apiToken": []} in reports["security"]


def test_a_token_account_never_signs_in_even_given_a_password(client, platform, django_user_model):
    """Someone sets a password on a token's service account: sign-in still refuses it,
    and the account is not offered to anyone to manage as a person."""
    from wenzhou_portal.accounts import user_manageable_by, users_manageable_by

    token, _secret = platform
    account = token.user
    account.set_password("correct horse battery staple")
    account.is_staff = True  # as a department token's account is
    account.save()
    response = client.post(
        "/admin/login/",
        {"username": account.username, "password": "correct horse battery staple"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session
    superuser = django_user_model.objects.create_superuser("root", "r@example.org", "x" * 20)
    assert account not in users_manageable_by(superuser)
    assert not user_manageable_by(superuser, account)
