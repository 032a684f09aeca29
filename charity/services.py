"""Every write of charity (乐善365), and the rules that gate them.

Organisations apply through the public form (``organisation_apply``, no actor). Charity
reviewers verify, reject and suspend organisations, publish pact versions, review
projects, publish disclosures and correct published projects; those staff services take a
keyword-only ``actor`` and write one audit event in the transaction of their write.

The gates, each one place: an organisation opens a new project only when it is verified,
has signed the current pact and is not overdue on any disclosure
(``project_open_refusals``); a public project is published only with its filing number
and a public-fundraising qualification, its own or a named partner's
(``project_publish_refusals``).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal import images
from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.limits import Limit, limit_hit, wait_text

from . import credit_codes, selectors
from .models import (
    PUBLIC_PROJECT_STATUSES,
    Correction,
    CorrectionKind,
    Disclosure,
    DisclosureKind,
    Organisation,
    OrganisationStatus,
    PactSignature,
    PactVersion,
    Project,
    ProjectStatus,
    SurplusRule,
    validate_credit_code,
)

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# 慈善法 art. 24 and order No. 61: a fundraising plan is filed at least 10 days before the
# appeal starts.
FILING_LEAD_DAYS = 10


class CharityRefused(ValidationError):
    """A step the rules do not allow now; the message says why, for a person."""


# A public form anyone can post: count every attempt per client, valid or not.
APPLICATION_FORMS = Limit(
    "charity-applications", ("CHARITY_FORM_LIMIT", "CHARITY_FORM_DAILY_LIMIT")
)


class ApplicationLimited(CharityRefused):
    """Too many applications from one client; ``retry_after`` says when to try again."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, code="too_many_applications")
        self.retry_after = retry_after


def application_guard(*, client: str) -> None:
    """Count one application attempt from this client (``clients.client_hash``)."""
    decision = limit_hit(APPLICATION_FORMS, client)
    if not decision.allowed:
        retry_after = max(decision.retry_after, 1)
        raise ApplicationLimited(
            gettext("提交太频繁了，请在 %(wait)s后再试。您填写的内容都还在。")
            % {"wait": wait_text(retry_after)},
            retry_after=retry_after,
        )


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


# --- Projects ---------------------------------------------------------------------------


def project_open_refusals(organisation: Organisation, today: date | None = None) -> list[str]:
    """Why this organisation may not open a new project now (empty: it may)."""
    today = today or timezone.localdate()
    reasons = []
    if organisation.status != OrganisationStatus.VERIFIED:
        reasons.append(
            gettext("该组织当前状态为“%(status)s”，只有已核验的组织可以开设新项目。")
            % {"status": organisation.get_status_display()}
        )
    pact = selectors.pact_current()
    if pact is not None and not organisation.pact_signatures.filter(version=pact).exists():
        reasons.append(
            gettext("该组织尚未签署最新的《%(title)s》（第 %(n)s 版），签署后才能开设新项目。")
            % {"title": pact.title, "n": pact.number}
        )
    for project, outcome in selectors.organisation_calendar(organisation, today).overdue:
        due = date_format(outcome.obligation.due, "DATE_FORMAT")
        what = OBLIGATION_LABELS[outcome.obligation.kind]
        if project is None:
            reasons.append(
                gettext("%(year)s 年度报告应在 %(due)s 前公开，至今未公开。")
                % {"year": outcome.obligation.year, "due": due}
            )
        else:
            reasons.append(
                gettext("项目“%(title)s”的%(what)s应在 %(due)s 前公开，至今未公开。")
                % {"title": project.title, "what": what, "due": due}
            )
    return reasons


OBLIGATION_LABELS = {
    "periodic": _("定期信息公开"),
    "final": _("结项信息公开"),
    "leftover": _("剩余财产处理情况"),
    "annual_report": _("年度报告"),
}


def project_publish_refusals(project: Project, today: date | None = None) -> list[str]:
    """Why this project may not be published (approved to raise funds) now."""
    today = today or timezone.localdate()
    reasons = project_open_refusals(project.organisation, today)
    if not project.is_public_fundraising:
        return reasons
    if not project.filing_number.strip():
        reasons.append(
            gettext("公开募捐项目须先在“慈善中国”备案募捐方案，并填写募捐方案备案编号。")
        )
    if project.filed_on is None:
        reasons.append(gettext("请填写募捐方案的备案日期。"))
    elif project.starts_on < project.filed_on + timedelta(days=FILING_LEAD_DAYS):
        reasons.append(
            gettext(
                "募捐方案须在开始募捐 10 日前备案：%(filed)s 备案的方案，最早 %(earliest)s 开始募捐。"
            )
            % {
                "filed": date_format(project.filed_on, "DATE_FORMAT"),
                "earliest": date_format(
                    project.filed_on + timedelta(days=FILING_LEAD_DAYS), "DATE_FORMAT"
                ),
            }
        )
    day = max(project.starts_on, today)
    if not project.organisation.qualified_on(day):
        partner = project.partner
        if partner is None:
            reasons.append(
                gettext("发起组织在 %(day)s 没有有效的公开募捐资格，须填写一家具有资格的合作组织。")
                % {"day": date_format(day, "DATE_FORMAT")}
            )
        elif partner.status != OrganisationStatus.VERIFIED or not partner.qualified_on(day):
            reasons.append(
                gettext("合作组织“%(name)s”在 %(day)s 不是已核验且具有公开募捐资格的组织。")
                % {"name": partner.name, "day": date_format(day, "DATE_FORMAT")}
            )
    return reasons


def _refuse_if(reasons: list[str], code: str) -> None:
    if reasons:
        raise CharityRefused(reasons, code=code)


# Fields fixed once a project leaves its draft: the surplus rule is declared at creation
# (after the 2015 surplus scandal) and the organisations answer for the project.
FIXED_AFTER_DRAFT = ("organisation", "partner", "surplus_rule", "surplus_fund")
# Published projects change only by a visible correction; these are the purpose.
PURPOSE_FIELDS = ("summary", "body", "cause", "beneficiaries")
CORRECTABLE_FIELDS = (
    "title",
    "summary",
    "body",
    "cause",
    "beneficiaries",
    "district",
    "target_fen",
    "ends_on",
    "filing_number",
    "filed_on",
    "donation_platform",
)


def project_save_draft(
    *, project: Project, actor, request: HttpRequest | None = None, changed: list[str] = ()
) -> Project:
    """Create or edit a project before it is published; a new one needs an open organisation."""
    if project.surplus_rule == SurplusRule.FUND and not project.surplus_fund.strip():
        raise ValidationError({"surplus_fund": gettext("请写明剩余善款转入哪个项目或基金。")})
    with transaction.atomic():
        if project.pk is None:
            _refuse_if(project_open_refusals(project.organisation), "organisation_closed")
            project.status = ProjectStatus.DRAFT
            project.save()
            action = "charity.project_created"
        else:
            stored = Project.objects.select_for_update().get(pk=project.pk)
            if stored.status in PUBLIC_PROJECT_STATUSES:
                raise CharityRefused(
                    gettext("已发布的项目不能直接修改，请用“更正”留下公开的更正记录。"),
                    code="published",
                )
            if stored.status != ProjectStatus.DRAFT:
                fixed = [name for name in FIXED_AFTER_DRAFT if name in changed]
                if fixed:
                    raise CharityRefused(
                        gettext("提交审核后，发起组织、合作组织和剩余善款处理方式不能再改。"),
                        code="fixed_after_draft",
                    )
            project.status = stored.status
            project.save()
            action = "charity.project_changed"
        audit_record(
            action=action,
            actor=actor,
            target=audit_target(project),
            request=request,
            detail={"fields": sorted(changed)} if changed else {},
        )
    return project


def _transition(*, project_id: int, allowed: tuple[str, ...], to: str) -> Project:
    """Lock the project, refuse unless it is in an allowed status, set the new one (unsaved)."""
    # Lock the project row only: the partner is optional, and PostgreSQL cannot lock the
    # nullable side of the outer join that reads it.
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("organisation", "partner")
        .get(pk=project_id)
    )
    if project.status not in allowed:
        raise CharityRefused(
            gettext("项目当前状态为“%(status)s”，不能这样操作。")
            % {"status": project.get_status_display()},
            code="wrong_status",
        )
    project.status = to
    return project


def project_submit(*, project_id: int, actor, request: HttpRequest | None = None) -> Project:
    """A draft goes to review; an organisation that may not open projects cannot submit."""
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.DRAFT,),
            to=ProjectStatus.IN_REVIEW,
        )
        _refuse_if(project_open_refusals(project.organisation), "organisation_closed")
        project.review_reason = ""
        project.save(update_fields=["status", "review_reason"])
        audit_record(
            action="charity.project_submitted",
            actor=actor,
            target=audit_target(project),
            request=request,
        )
    return project


def project_approve(*, project_id: int, actor, request: HttpRequest | None = None) -> Project:
    """Approved and published: it raises funds (on the platform it names) from now on."""
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.IN_REVIEW,),
            to=ProjectStatus.FUNDRAISING,
        )
        _refuse_if(project_publish_refusals(project), "publish_refused")
        project.reviewed_at = project.published_at = timezone.now()
        project.reviewed_by = actor
        project.review_reason = ""
        project.save(
            update_fields=["status", "reviewed_at", "reviewed_by", "published_at", "review_reason"]
        )
        audit_record(
            action="charity.project_approved",
            actor=actor,
            target=audit_target(project),
            request=request,
        )
    return project


def project_reject(
    *, project_id: int, reason: str, actor, request: HttpRequest | None = None
) -> Project:
    """Sent back to draft with the reviewer's reason."""
    reason = _reason(reason, gettext("请写明不予通过的原因。"))
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.IN_REVIEW,),
            to=ProjectStatus.DRAFT,
        )
        project.review_reason = reason
        project.reviewed_at = timezone.now()
        project.reviewed_by = actor
        project.save(update_fields=["status", "review_reason", "reviewed_at", "reviewed_by"])
        audit_record(
            action="charity.project_rejected",
            actor=actor,
            target=audit_target(project),
            request=request,
            detail={"reason": reason},
        )
    return project


def project_complete(*, project_id: int, actor, request: HttpRequest | None = None) -> Project:
    """Fundraising has ended: the project owes its final and leftover disclosures."""
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.FUNDRAISING,),
            to=ProjectStatus.COMPLETED,
        )
        project.save(update_fields=["status"])
        audit_record(
            action="charity.project_completed",
            actor=actor,
            target=audit_target(project),
            request=request,
        )
    return project


def project_close(*, project_id: int, actor, request: HttpRequest | None = None) -> Project:
    """Closed (结项) once the final and leftover disclosures are public."""
    with transaction.atomic():
        project = _transition(
            project_id=project_id,
            allowed=(ProjectStatus.COMPLETED,),
            to=ProjectStatus.CLOSED,
        )
        published = set(project.disclosures.values_list("kind", flat=True))
        missing = [
            str(DisclosureKind(kind).label)
            for kind in (DisclosureKind.FINAL, DisclosureKind.LEFTOVER)
            if kind not in published
        ]
        if missing:
            raise CharityRefused(
                gettext("结项前须先公开：%(missing)s。") % {"missing": "、".join(missing)},
                code="disclosures_missing",
            )
        project.save(update_fields=["status"])
        audit_record(
            action="charity.project_closed",
            actor=actor,
            target=audit_target(project),
            request=request,
        )
    return project


def _shown(project: Project, name: str) -> str:
    value = getattr(project, name)
    if name == "target_fen":
        return project.target_yuan
    display = getattr(project, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def project_correct(
    *,
    project_id: int,
    changes: dict[str, object],
    note: str,
    actor,
    request: HttpRequest | None = None,
) -> list[Correction]:
    """Change a published project with one public correction record per changed field."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": gettext("已发布项目的每一处修改都要写明更正说明，说明会在项目页公开。")}
        )
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise CharityRefused(
            gettext("这些内容发布后不能更改：%(fields)s。")
            % {"fields": "、".join(str(Project._meta.get_field(n).verbose_name) for n in unknown)},
            code="not_correctable",
        )
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project_id)
        if project.status not in PUBLIC_PROJECT_STATUSES:
            raise CharityRefused(gettext("项目尚未发布，直接修改即可。"), code="not_published")
        now = timezone.now()
        records = []
        for name, value in changes.items():
            if getattr(project, name) == value:
                continue
            old = _shown(project, name)
            setattr(project, name, value)
            records.append(
                Correction(
                    project=project,
                    kind=CorrectionKind.PURPOSE_CHANGE
                    if name in PURPOSE_FIELDS
                    else CorrectionKind.CORRECTION,
                    field=str(Project._meta.get_field(name).verbose_name),
                    old_value=old,
                    new_value=_shown(project, name),
                    note=note,
                    made_at=now,
                    made_by=actor,
                )
            )
        if not records:
            return []
        project.full_clean(exclude=["cover", "organisation", "partner"])
        project.save(update_fields=list(changes))
        Correction.objects.bulk_create(records)
        audit_record(
            action="charity.project_corrected",
            actor=actor,
            target=audit_target(project),
            request=request,
            detail={"fields": sorted(changes), "note": note},
        )
    return records


def cover_store(upload: UploadedFile) -> str:
    """Decode an image, re-encode it without metadata and store it; return its storage name."""
    redacted = images.redacted_copy(images.validate_evidence_image(upload))
    return _store("covers", redacted.data, redacted.extension)


def _store(folder: str, data: bytes, extension: str) -> str:
    today = timezone.localdate()
    # A random name: the uploader's file name says nothing to the public.
    name = f"charity/{folder}/{today:%Y/%m}/{secrets.token_hex(16)}.{extension}"
    return default_storage.save(name, ContentFile(data))


# --- Disclosures ------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedDocument:
    data: bytes
    extension: str
    content_type: str


def document_check(upload: UploadedFile) -> CheckedDocument:
    """A PDF (by its header and trailer) or an image Pillow fully decodes; nothing else."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        data = upload.read(DOCUMENT_MAX_BYTES + 1)
        if len(data) > DOCUMENT_MAX_BYTES:
            raise ValidationError(
                gettext("文件不能超过 %(mb)s MB。") % {"mb": DOCUMENT_MAX_BYTES // 2**20},
                code="too_large",
            )
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(
                gettext("这个 PDF 文件不完整（可能没有上传完），请重新导出后再上传。"),
                code="truncated_pdf",
            )
        return CheckedDocument(data, "pdf", "application/pdf")
    try:
        redacted = images.redacted_copy(images.validate_evidence_image(upload))
    except ValidationError as exc:
        raise ValidationError(
            gettext("只接受 PDF 文件或 JPEG、PNG、WebP 图片。"), code="bad_document"
        ) from exc
    return CheckedDocument(redacted.data, redacted.extension, redacted.content_type)


def disclosure_publish(
    *,
    organisation_id: int,
    project_id: int | None,
    kind: str,
    title: str,
    summary: str,
    document_date: date,
    upload: UploadedFile,
    year: int | None = None,
    actor,
    request: HttpRequest | None = None,
    published_at: datetime | None = None,
) -> Disclosure:
    """Publish a dated document: it meets the earliest open obligation of its kind."""
    problems = {}
    if kind not in DisclosureKind.values:
        problems["kind"] = gettext("请选择信息公开的类型。")
    if kind == DisclosureKind.ANNUAL_REPORT:
        if project_id is not None:
            problems["project"] = gettext("年度报告属于组织，不属于某个项目，请不要选择项目。")
        if year is None:
            problems["year"] = gettext("请填写年度报告所属的年度。")
    elif project_id is None:
        problems["project"] = gettext("请选择这份信息公开所属的项目。")
    if not title.strip():
        problems["title"] = gettext("请填写标题。")
    if not summary.strip():
        problems["summary"] = gettext("请用几句话写明公开的主要内容。")
    if document_date > timezone.localdate():
        problems["document_date"] = gettext("文件落款日期不能晚于今天。")
    if problems:
        raise ValidationError(problems)
    document = document_check(upload)
    with transaction.atomic():
        organisation = Organisation.objects.get(pk=organisation_id)
        project = None
        if project_id is not None:
            project = Project.objects.get(pk=project_id)
            if project.organisation_id != organisation.pk:
                raise ValidationError({"project": gettext("这个项目不是该组织发起的。")})
            if project.status not in PUBLIC_PROJECT_STATUSES:
                raise ValidationError(
                    {"project": gettext("项目尚未发布，还没有需要公开的募捐和使用情况。")}
                )
        disclosure = Disclosure(
            organisation=organisation,
            project=project,
            kind=kind,
            year=year if kind == DisclosureKind.ANNUAL_REPORT else None,
            title=title.strip(),
            summary=summary.strip(),
            document_date=document_date,
            document_type=document.content_type,
            document_sha256=hashlib.sha256(document.data).hexdigest(),
            published_at=published_at or timezone.now(),
            published_by=actor,
        )
        disclosure.document.name = _store("disclosures", document.data, document.extension)
        try:
            disclosure.save()
        except Exception:
            default_storage.delete(disclosure.document.name)  # no row, no orphan file
            raise
        audit_record(
            action="charity.disclosure_published",
            actor=actor,
            target=audit_target(disclosure),
            request=request,
            detail={"kind": kind, "project": project_id, "sha256": disclosure.document_sha256},
        )
    return disclosure
