"""API tokens for other systems: create, revoke, and authenticate a request by one.

A token reads ``qlwz_<key>_<secret>``: the key finds the row (an indexed lookup), the
secret is 256 random bits of which only the SHA-256 hash is stored and compared in
constant time. (A slow password hash adds nothing to a secret that cannot be guessed.)

A token acts as its own service account, so the API's existing rules apply unchanged:
a department token's account is a department handler and a member of its department
(``reports_visible_to`` and ``action_permitted`` scope it like a handler); a platform
token's account is not staff, so every staff endpoint refuses it, and it may only read.
The account has no usable password and is used by nothing but this authentication, which
only the API runs: a token opens no page and no admin.
"""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from .audit import audit_record, audit_target
from .clients import client_ip
from .models import ApiToken
from .roles import Role

logger = logging.getLogger("wenzhou_portal.api_tokens")

TOKEN_PREFIX = "qlwz_"  # noqa: S105 - the public prefix, not a secret
MAX_VALIDITY_DAYS = 365
# A busy client's every request does not write its row: last_used_at moves at most
# this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- Departments, as the app that owns them registers them -----------------------------


@dataclass(frozen=True)
class DepartmentScope:
    """How this package reaches departments without importing the app that owns them."""

    choices: Callable[[], list[tuple[int, str]]]
    join: Callable[[object, int], None]


_department_scope: DepartmentScope | None = None


def department_scope_register(
    *, choices: Callable[[], list[tuple[int, str]]], join: Callable[[object, int], None]
) -> None:
    """The app that owns departments lists them and adds a token's account to one."""
    global _department_scope  # a registry set once, from AppConfig.ready
    _department_scope = DepartmentScope(choices=choices, join=join)


def department_choices() -> list[tuple[int, str]]:
    """The active departments a department token may stand for, as (id, name)."""
    return _department_scope.choices() if _department_scope else []


# --- Services ---------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *,
    actor,
    name: str,
    kind: str,
    department_id: int | None,
    valid_days: int,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and its service account; return it with the full token, shown once."""
    if not actor.has_perm("wenzhou_portal.add_apitoken"):
        raise PermissionDenied(_("只有网信办管理员可以创建 API 令牌。"))
    if not 1 <= valid_days <= MAX_VALIDITY_DAYS:
        raise ValidationError(
            {"valid_days": _("有效期须在 1 至 %(max)d 天之间。") % {"max": MAX_VALIDITY_DAYS}}
        )
    if kind == ApiToken.Kind.DEPARTMENT:
        if department_id not in dict(department_choices()):
            raise ValidationError({"department_id": _("请选择一个启用的处置部门。")})
    elif kind == ApiToken.Kind.PLATFORM:
        department_id = None
    else:
        raise ValidationError({"kind": _("未知的令牌类型。")})
    key = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        user = get_user_model()(
            username=f"api-token-{key}",
            first_name=name[:150],
            is_staff=kind == ApiToken.Kind.DEPARTMENT,
        )
        user.set_unusable_password()
        user.save()
        if kind == ApiToken.Kind.DEPARTMENT:
            user.groups.add(Group.objects.get(name=Role.DEPARTMENT_HANDLER.value))
            _department_scope.join(user, department_id)
        token = ApiToken.objects.create(
            name=name,
            kind=kind,
            department_id=department_id,
            user=user,
            key=key,
            secret_hash=_hash(secret),
            created_at=now,
            created_by=actor,
            expires_at=now + timedelta(days=valid_days),
        )
        audit_record(
            action="api_token_created",
            actor=actor,
            target=audit_target(token),
            request=request,
            detail={"kind": kind, "department_id": department_id, "valid_days": valid_days},
        )
    return token, f"{TOKEN_PREFIX}{key}_{secret}"


def api_token_revoke(*, actor, token: ApiToken, request: HttpRequest | None = None) -> bool:
    """Revoke a token at once (and disable its account); False if it already was."""
    if not actor.has_perm("wenzhou_portal.change_apitoken"):
        raise PermissionDenied(_("只有网信办管理员可以撤销 API 令牌。"))
    now = timezone.now()
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor
        )
        if not revoked:
            return False
        get_user_model().objects.filter(pk=token.user_id).update(is_active=False)
        audit_record(
            action="api_token_revoked", actor=actor, target=audit_target(token), request=request
        )
    token.refresh_from_db()
    return True


class TokenRefused(Exception):
    """Why a presented token was refused; the message is for the client."""

    def __init__(self, message, *, reason: str, key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.key = key


def api_token_check(presented: str, *, now: datetime | None = None) -> ApiToken:
    """The live token this string is, or TokenRefused saying why not.

    Expired and revoked are told apart only once the secret has matched; before that,
    every miss looks the same.
    """
    now = now or timezone.now()
    invalid = _("API 令牌无效。")
    if not presented.startswith(TOKEN_PREFIX):
        raise TokenRefused(invalid, reason="malformed")
    key, _sep, secret = presented[len(TOKEN_PREFIX) :].partition("_")
    if not key or not secret or len(key) > 16:
        raise TokenRefused(invalid, reason="malformed")
    token = ApiToken.objects.select_related("user").filter(key=key).first()
    if token is None:
        raise TokenRefused(invalid, reason="unknown", key=key)
    if not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise TokenRefused(invalid, reason="wrong_secret", key=key)
    if token.revoked_at is not None or not token.user.is_active:
        raise TokenRefused(_("API 令牌已被撤销。"), reason="revoked", key=key)
    if token.expires_at <= now:
        raise TokenRefused(_("API 令牌已过期。"), reason="expired", key=key)
    return token


def api_token_touch(*, token: ApiToken, request: HttpRequest | None = None) -> None:
    """Note a use: last_used_at at most once a minute, and an audit event for the first use of
    each day (each write is audited separately, by ``api_token_write_record``)."""
    now = timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    # A conditional UPDATE claims the day's first use, so two concurrent requests cannot
    # both record it.
    first_today = ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=start_of_day), pk=token.pk
    ).update(last_used_at=now)
    if first_today:
        audit_record(
            action="api_token_used",
            actor=token.user,
            target=audit_target(token),
            request=request,
            detail={"first_use_on": str(start_of_day.date())},
        )
    else:
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)


def api_token_write_record(*, token: ApiToken, request: HttpRequest) -> None:
    """Every request that may change something, with the token named (whatever its outcome)."""
    audit_record(
        action="api_token_write",
        actor=token.user,
        target=audit_target(token),
        request=request,
        detail={"method": request.method, "path": request.path[:200]},
    )


# --- The API's authentication -----------------------------------------------------------


class TokenRejected(exceptions.APIException):
    """401 for a bad token, with a Bearer challenge.

    Not an AuthenticationFailed: DRF turns that into a 403 when the first authentication
    class (the session's) has no challenge, and a wrong token must be 401.
    """

    status_code = 401
    default_code = "invalid_token"

    def __init__(self, detail) -> None:
        super().__init__(detail=detail)
        self.auth_header = 'Bearer realm="api", error="invalid_token"'


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer qlwz_…``: the request acts as the token's service account."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            self._refuse(request, TokenRefused(_("API 令牌无效。"), reason="malformed"))
        try:
            token = api_token_check(header[1].decode("ascii"))
        except UnicodeDecodeError:
            self._refuse(request, TokenRefused(_("API 令牌无效。"), reason="malformed"))
        except TokenRefused as refused:
            self._refuse(request, refused)
        if token.kind == ApiToken.Kind.PLATFORM and request.method not in SAFE_METHODS:
            logger.warning(
                "api token out of scope",
                extra={"key": token.key, "method": request.method, "path": request.path},
            )
            raise exceptions.PermissionDenied(_("平台令牌只能读取数据。"))
        # Any audit event written while acting as this account names the token.
        token.user.api_token_acting = token
        api_token_touch(token=token, request=request._request)
        if request.method not in SAFE_METHODS:
            api_token_write_record(token=token, request=request._request)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

    def _refuse(self, request, refused: TokenRefused):
        # The key is the token's public half; the secret is never logged.
        logger.warning(
            "api token refused",
            extra={
                "reason": refused.reason,
                "key": refused.key,
                "path": request.path,
                "ip": client_ip(request._request),
            },
        )
        raise TokenRejected(refused.message)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: an HTTP bearer scheme."""

    target_class = "wenzhou_portal.api_tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        definition = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix=ApiTokenAuthentication.keyword,
            bearer_format="qlwz_<key>_<secret>",
        )
        definition["description"] = (
            "An API token created by the office in admin, for a department's case system or "
            "a platform. A department token reads and acts on its department's reports as a "
            "handler of that department; a platform token reads only (the debunk label feed, "
            "Open311 and other public data). A wrong, expired or revoked token answers 401."
        )
        return definition
