"""Staff accounts: who may manage whom, role changes, unlocking and the second factor.

Every write here checks the actor itself and records an audit event, so admin (and any
later page) only shapes input: a forged form reaches the same rules as a genuine one.
"""

import base64
from collections.abc import Collection
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_record
from .roles import Role

# The roles an office admin may grant or take away. Office admin itself, superuser
# status and raw permissions are for superusers only.
ROLES_ASSIGNABLE_BY_OFFICE_ADMIN = frozenset(
    {
        Role.DEPARTMENT_HANDLER.value,
        Role.CAMPAIGN_EDITOR.value,
        Role.CHARITY_REVIEWER.value,
        Role.INDEX_EDITOR.value,
        Role.AUDITOR.value,
    }
)
ACCESS_FLAGS = ("is_staff", "is_active", "is_superuser")
BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"


def _is_office_admin(user) -> bool:
    return user.groups.filter(name=Role.OFFICE_ADMIN.value).exists()


def users_manageable_by(actor) -> QuerySet:
    """The accounts the actor may change: all for a superuser, else no admin or superuser."""
    users = get_user_model()._default_manager.all()
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return users.none()
    # An API token's service account is managed through its token, never as a person.
    users = users.filter(api_token__isnull=True)
    if actor.is_superuser:
        return users
    if not actor.has_perm("wenzhou_portal.change_user"):
        return users.none()
    return users.exclude(is_superuser=True).exclude(groups__name=Role.OFFICE_ADMIN.value)


def user_manageable_by(actor, user) -> bool:
    """True if the actor may change, unlock or reset the second factor of this account."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if _is_token_account(user):
        return False
    if actor.is_superuser:
        return True
    if user.pk == actor.pk or user.is_superuser:
        return False
    return actor.has_perm("wenzhou_portal.change_user") and not _is_office_admin(user)


def roles_assignable_by(actor) -> QuerySet[Group]:
    """The groups the actor may grant or take away: every group for a superuser."""
    if getattr(actor, "is_superuser", False):
        return Group.objects.all()
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(
        "wenzhou_portal.change_user"
    ):
        return Group.objects.none()
    return Group.objects.filter(name__in=ROLES_ASSIGNABLE_BY_OFFICE_ADMIN)


def user_roles_set(
    *,
    actor,
    user,
    roles: Collection[str] | None,
    is_staff: bool | None = None,
    is_active: bool | None = None,
    is_superuser: bool | None = None,
    request: HttpRequest | None = None,
) -> dict | None:
    """Set the user's roles among those the actor may assign, and their access flags.

    ``roles`` names every role the user should hold out of those the actor may assign
    (None: roles unchanged); roles outside that set which the user already holds are
    kept. A flag left as None is not changed. Returns the change as recorded in the
    audit log, or None if nothing changed. Raises PermissionDenied for anything the
    actor may not do, and then changes nothing.
    """
    assignable = set(roles_assignable_by(actor).values_list("name", flat=True))
    requested = set(roles) if roles is not None else None
    if requested is not None and requested - assignable:
        raise PermissionDenied("not allowed to assign these roles")
    if is_superuser is not None and not actor.is_superuser:
        raise PermissionDenied("only a superuser grants or removes superuser status")

    user_model = get_user_model()
    with transaction.atomic():
        # The row lock makes two concurrent changes of one account apply one after the other.
        locked = user_model._default_manager.select_for_update().get(pk=user.pk)
        if not user_manageable_by(actor, locked):
            raise PermissionDenied("not allowed to manage this account")
        current = set(locked.groups.values_list("name", flat=True))
        wanted = current if requested is None else (current - assignable) | requested
        added = sorted(wanted - current)
        removed = sorted(current - wanted)
        requested_flags = {
            "is_staff": is_staff,
            "is_active": is_active,
            "is_superuser": is_superuser,
        }
        flags = {
            name: [getattr(locked, name), value]
            for name, value in requested_flags.items()
            if value is not None and getattr(locked, name) != value
        }
        if not (added or removed or flags):
            return None
        if added:
            locked.groups.add(*Group.objects.filter(name__in=added))
        if removed:
            locked.groups.remove(*Group.objects.filter(name__in=removed))
        if flags:
            for name, (_old, new) in flags.items():
                setattr(locked, name, new)
            locked.save(update_fields=list(flags))
        change = {
            "user_id": locked.pk,
            "added_roles": added,
            "removed_roles": removed,
            "flags": flags,
        }
        audit_record(
            action="user_roles_changed",
            actor=actor,
            target=locked.get_username(),
            request=request,
            detail=change,
        )
    for name, (_old, new) in flags.items():
        setattr(user, name, new)
    return change


def user_unlock(*, actor, user, request: HttpRequest | None = None) -> int:
    """Lift a sign-in lockout of the account; returns how many failed attempts were cleared."""
    if not user_manageable_by(actor, user):
        raise PermissionDenied("not allowed to unlock this account")
    username = user.get_username()
    cleared = axes_reset(username=username)
    audit_record(
        action="account_unlocked",
        actor=actor,
        target=username,
        request=request,
        detail={"user_id": user.pk, "attempts_cleared": cleared},
    )
    return cleared


# --- Second factor -------------------------------------------------------------------


class EnrolmentClosed(Exception):
    """The account already has a confirmed authenticator: nobody may enrol another."""


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    backup_codes: list[str]


def _account_lock(user) -> None:
    """Lock the account's row until the end of the transaction (SQLite locks the database)."""
    list(
        get_user_model()
        ._default_manager.select_for_update()
        .filter(pk=user.pk)
        .values_list("pk", flat=True)
    )


def user_has_second_factor(user) -> bool:
    """True if sign-in must ask this account for a code (an authenticator or backup codes)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticDevice.objects.filter(user=user, confirmed=True).exists()
    )


def totp_enrolment_open(user) -> bool:
    return not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_key_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in, in groups of four."""
    key = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[start : start + 4] for start in range(0, len(key), 4))


def totp_enrolment_start(*, user) -> TOTPDevice:
    """A fresh unconfirmed authenticator for the user; an earlier unconfirmed one is dropped."""
    with transaction.atomic():
        _account_lock(user)
        if not totp_enrolment_open(user):
            raise EnrolmentClosed
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_enrolment_pending(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def totp_enrolment_confirm(*, user, token: str, request: HttpRequest | None = None) -> Enrolment:
    """Confirm the user's pending authenticator with a code from it; issue new backup codes.

    Raises EnrolmentClosed if the account already has a confirmed authenticator, and
    ValidationError if the code is wrong (repeated wrong codes are throttled).
    """
    with transaction.atomic():
        # Lock the account: two confirmations at once must not leave two authenticators.
        _account_lock(user)
        if not totp_enrolment_open(user):
            raise EnrolmentClosed
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise ValidationError(_("请先扫描二维码，再输入验证码。"), code="no_pending_device")
        allowed, _extra = device.verify_is_allowed()
        if not allowed:
            raise ValidationError(_("错误次数过多，请稍候再试。"), code="throttled")
        # A wrong code is not raised inside the transaction: the throttle's failure
        # count that verify_token saves must be kept, not rolled back.
        verified = device.verify_token(token)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # New backup codes replace any left from an earlier enrolment.
            StaticDevice.objects.filter(user=user).delete()
            backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
            codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
            StaticToken.objects.bulk_create(
                StaticToken(device=backup, token=code) for code in codes
            )
            audit_record(
                action="otp_enrolled",
                actor=user,
                target=user.get_username(),
                request=request,
                detail={"user_id": user.pk, "device": device.persistent_id},
            )
    if not verified:
        raise ValidationError(_("验证码不正确，请重新输入。"), code="invalid_token")
    return Enrolment(device=device, backup_codes=codes)


def otp_device_remove(*, actor, device: Device, request: HttpRequest | None = None) -> None:
    """Remove a second-factor device; removing the authenticator also removes the backup codes.

    The owner can then sign in with the password alone and enrol again.
    """
    owner = device.user
    if not user_manageable_by(actor, owner):
        raise PermissionDenied("not allowed to manage this account")
    with transaction.atomic():
        removed = [device.persistent_id]
        if isinstance(device, TOTPDevice):
            backups = list(StaticDevice.objects.filter(user=owner))
            removed += [backup.persistent_id for backup in backups]
            StaticDevice.objects.filter(pk__in=[backup.pk for backup in backups]).delete()
        device.delete()
        audit_record(
            action="otp_device_removed",
            actor=actor,
            target=owner.get_username(),
            request=request,
            detail={"user_id": owner.pk, "devices": removed},
        )


class PeopleOnlyBackend(ModelBackend):
    """Password sign-in for people: an API token's service account never signs in,
    even if someone gave it a password."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return not _is_token_account(user)


def _is_token_account(user) -> bool:
    return (
        user.pk is not None
        and type(user).objects.filter(pk=user.pk, api_token__isnull=False).exists()
    )
