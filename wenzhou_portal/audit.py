"""Audit records: one service to write them, and receivers for the sign-in signals."""

import logging

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .clients import UNKNOWN_ADDRESS, client_ip
from .models import AuditEvent

logger = logging.getLogger("wenzhou_portal.audit")


def _audit_address(request: HttpRequest | None) -> str | None:
    address = client_ip(request)
    return None if address == UNKNOWN_ADDRESS else address


def audit_target(obj) -> str:
    """How an audit event names an object: "<app>.<model>:<pk> <str>", at most 200 characters."""
    return f"{obj._meta.label_lower}:{obj.pk} {obj}"[:200]


def audit_record(
    *,
    action: str,
    actor=None,
    target: str = "",
    request: HttpRequest | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Store one audit event in the database and log it as one line.

    An app names its actions "<app>.<verb>" ("campaigns.votes_excluded"); actions
    without a dot are the portal's own (sign-ins, accounts).
    """
    app = action.split(".", 1)[0] if "." in action else "wenzhou_portal"
    detail = dict(detail or {})
    # An account acting through an API token (set by its authentication): name the token.
    token = getattr(actor, "api_token_acting", None)
    if token is not None:
        detail.setdefault("api_token", {"id": token.pk, "key": token.key, "name": token.name})
    event = AuditEvent.objects.create(
        app=app,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        target=target[:200],
        ip_address=_audit_address(request),
        detail=detail,
    )
    logger.info(
        "audit",
        extra={
            "action": action,
            "actor": getattr(actor, "pk", None),
            "target": target,
            "ip": event.ip_address,
        },
    )
    return event


@receiver(user_logged_in, dispatch_uid="audit_login")
def _on_login(sender, request, user, **kwargs) -> None:
    audit_record(action="login", actor=user, target=user.get_username(), request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action="logout", actor=user, target=user.get_username(), request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        action="login_failed", target=str(credentials.get("username", ""))[:150], request=request
    )


# The actions after which a new lock-out of the same account is news again.
_LOCK_STATE_ACTIONS = ("account_locked", "account_unlocked", "login")


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    # axes signals a lock-out on every refused attempt while the lock lasts; the audit
    # log records the lock once (the refused attempts are already login_failed events).
    target = str(username or "")[:150]
    cooloff = get_cool_off(request)  # None: locks last until an office admin unlocks
    latest = (
        AuditEvent.objects.filter(target=target, action__in=_LOCK_STATE_ACTIONS)
        .order_by("-occurred_at", "-pk")
        .values_list("action", "occurred_at")
        .first()
    )
    if (
        latest
        and latest[0] == "account_locked"
        and (cooloff is None or latest[1] >= timezone.now() - cooloff)
    ):
        return
    audit_record(action="account_locked", target=target, request=request)
