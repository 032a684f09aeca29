"""Organisations apply, are verified, rejected or suspended; the pact is published and signed."""

from dataclasses import dataclass
from datetime import date

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record, audit_target

from .. import credit_codes, selectors
from ..models import (
    Organisation,
    OrganisationStatus,
    PactSignature,
    PactVersion,
    validate_credit_code,
)
from .common import CharityRefused

# --- Organisations ----------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationApplication:
    name: str
    credit_code: str
    registering_authority: str
    district: str
    contact_name: str
    contact_phone: str
    contact_email: str = ""
    summary: str = ""
    fundraising_certificate: str = ""
    fundraising_valid_from: date | None = None
    fundraising_valid_until: date | None = None
    signer_name: str = ""
    signer_title: str = ""


def qualification_problems(
    certificate: str, valid_from: date | None, valid_until: date | None
) -> dict[str, str]:
    """What is wrong with a stated qualification: all three together, or none of them."""
    if not (certificate or valid_from or valid_until):
        return {}
    problems = {}
    if not certificate:
        problems["fundraising_certificate"] = gettext("填写了有效期，请同时填写证书编号。")
    if valid_from is None:
        problems["fundraising_valid_from"] = gettext("请填写资格有效期的开始日期。")
    if valid_until is None:
        problems["fundraising_valid_until"] = gettext("请填写资格有效期的结束日期。")
    if valid_from and valid_until and valid_until < valid_from:
        problems["fundraising_valid_until"] = gettext("有效期的结束日期不能早于开始日期。")
    return problems


def organisation_apply(*, application: OrganisationApplication) -> Organisation:
    """An organisation applies to the platform and signs the current pact with its application."""
    code = credit_codes.normalise(application.credit_code)
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc}) from exc
    problems = qualification_problems(
        application.fundraising_certificate.strip(),
        application.fundraising_valid_from,
        application.fundraising_valid_until,
    )
    pact = selectors.pact_current()
    if pact is not None:
        if not application.signer_name.strip():
            problems["signer_name"] = gettext("请填写代表本组织签署公约的人的姓名。")
        if not application.signer_title.strip():
            problems["signer_title"] = gettext("请填写签署人的职务，例如：理事长、秘书长。")
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=" ".join(application.name.split()),
                credit_code=code,
                registering_authority=application.registering_authority.strip(),
                district=application.district,
                contact_name=application.contact_name.strip(),
                contact_phone=application.contact_phone.strip(),
                contact_email=application.contact_email.strip(),
                summary=application.summary.strip(),
                fundraising_certificate=application.fundraising_certificate.strip(),
                fundraising_valid_from=application.fundraising_valid_from,
                fundraising_valid_until=application.fundraising_valid_until,
            )
            if pact is not None:
                _sign(organisation, pact, application.signer_name, application.signer_title)
    except IntegrityError as exc:
        # Two applications with the same code: the unique constraint decides.
        raise ValidationError(
            {
                "credit_code": gettext(
                    "这个统一社会信用代码已经提交过申请。如需修改申请内容，请联系市委网信办。"
                )
            },
            code="duplicate",
        ) from exc
    return organisation


def _staff_change(organisation: Organisation, *, status: str, reason: str, actor) -> None:
    organisation.status = status
    organisation.status_reason = reason
    organisation.status_changed_at = timezone.now()
    organisation.status_changed_by = actor


def _reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message}, code="reason_required")
    return reason


def organisation_verify(
    *, organisation_id: int, actor, request: HttpRequest | None = None
) -> Organisation:
    """Verified: its code, registration and qualification were checked against the register."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        if organisation.status == OrganisationStatus.VERIFIED:
            raise CharityRefused(gettext("该组织已经核验。"), code="already_verified")
        if organisation.status == OrganisationStatus.REJECTED:
            raise CharityRefused(
                gettext("未通过审核的申请不能直接核验，请让组织重新申请。"), code="rejected"
            )
        _staff_change(organisation, status=OrganisationStatus.VERIFIED, reason="", actor=actor)
        if organisation.verified_at is None:
            organisation.verified_at = organisation.status_changed_at
            organisation.verified_by = actor
        organisation.save()
        audit_record(
            action="charity.organisation_verified",
            actor=actor,
            target=audit_target(organisation),
            request=request,
        )
    return organisation


def organisation_reject(
    *, organisation_id: int, reason: str, actor, request: HttpRequest | None = None
) -> Organisation:
    """An application refused, with the reason the organisation is told."""
    reason = _reason(reason, gettext("请写明不予通过的原因。"))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        if organisation.status != OrganisationStatus.APPLIED:
            raise CharityRefused(gettext("只有待审核的申请可以不予通过。"), code="not_applied")
        _staff_change(organisation, status=OrganisationStatus.REJECTED, reason=reason, actor=actor)
        organisation.save()
        audit_record(
            action="charity.organisation_rejected",
            actor=actor,
            target=audit_target(organisation),
            request=request,
            detail={"reason": reason},
        )
    return organisation


def organisation_suspend(
    *, organisation_id: int, reason: str, actor, request: HttpRequest | None = None
) -> Organisation:
    """Suspended: its pages say so and why; it opens no new project until verified again."""
    reason = _reason(reason, gettext("请写明暂停的原因，组织页面上会公开显示。"))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        if organisation.status != OrganisationStatus.VERIFIED:
            raise CharityRefused(gettext("只有已核验的组织可以暂停。"), code="not_verified")
        _staff_change(organisation, status=OrganisationStatus.SUSPENDED, reason=reason, actor=actor)
        organisation.save()
        audit_record(
            action="charity.organisation_suspended",
            actor=actor,
            target=audit_target(organisation),
            request=request,
            detail={"reason": reason},
        )
    return organisation


# --- The pact ---------------------------------------------------------------------------


def pact_publish(*, version_id: int, actor, request: HttpRequest | None = None) -> PactVersion:
    """Publish a pact version: from now on every organisation signs it before a new project."""
    with transaction.atomic():
        version = PactVersion.objects.select_for_update().get(pk=version_id)
        if version.published_at is not None:
            raise CharityRefused(gettext("这个版本已经发布。"), code="already_published")
        current = selectors.pact_current()
        if current is not None and current.number > version.number:
            raise CharityRefused(
                gettext("已经发布了更新的版本（第 %(n)s 版）。") % {"n": current.number},
                code="older_version",
            )
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
        audit_record(
            action="charity.pact_published",
            actor=actor,
            target=audit_target(version),
            request=request,
        )
    return version


PACT_SIGN_SALT = "charity.pact.sign"
PACT_SIGN_DAYS = 30


def pact_sign_token(organisation: Organisation, version: PactVersion) -> str:
    """The token of a link that lets the organisation's signer sign this version."""
    return signing.dumps({"o": organisation.pk, "v": version.pk}, salt=PACT_SIGN_SALT)


def pact_sign_claim(token: str) -> tuple[int, int]:
    """(organisation id, version id) of a signing link; BadSignature if forged or expired."""
    claim = signing.loads(token, salt=PACT_SIGN_SALT, max_age=PACT_SIGN_DAYS * 86400)
    try:
        return int(claim["o"]), int(claim["v"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("not a signing claim") from exc


def _sign(organisation, version, signer_name: str, signer_title: str) -> PactSignature:
    return PactSignature.objects.create(
        organisation=organisation,
        version=version,
        signer_name=" ".join(signer_name.split())[:30],
        signer_title=" ".join(signer_title.split())[:50],
        signed_at=timezone.now(),
    )


def pact_sign(
    *, organisation_id: int, version_id: int, signer_name: str, signer_title: str
) -> PactSignature:
    """The organisation signs a published version (once; signing again changes nothing)."""
    problems = {}
    if not signer_name.strip():
        problems["signer_name"] = gettext("请填写签署人的姓名。")
    if not signer_title.strip():
        problems["signer_title"] = gettext("请填写签署人的职务。")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        version = PactVersion.objects.get(pk=version_id)
        if version.published_at is None:
            raise CharityRefused(gettext("这个版本尚未发布。"), code="unpublished")
        if organisation.status == OrganisationStatus.REJECTED:
            raise CharityRefused(gettext("该组织的申请未通过审核。"), code="rejected")
        existing = PactSignature.objects.filter(organisation=organisation, version=version).first()
        if existing is not None:
            return existing
        return _sign(organisation, version, signer_name, signer_title)
