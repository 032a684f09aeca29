"""Disbursements: recorded by one reviewer, approved by another, allocated first in first out.

The allocation rule, as published on every ledger page: an approved disbursement draws on
the project's gifts in the order they arrived (oldest first), each gift used up before the
next; a gift still inside its 10-minute cancel window is never drawn on, so a cancelled
gift is refunded before any allocation.
"""

import hashlib
import io
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image

from wenzhou_portal import images
from wenzhou_portal.audit import audit_record, audit_target

from ..models import (
    Allocation,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationStatus,
    EntryKind,
    Project,
)
from .common import DOCUMENT_MAX_BYTES, CharityRefused, _store, field_refusal
from .disclosures import CheckedDocument, document_check
from .donations import fen_display
from .ledger import entry_append

# "Unusually high": more than half of everything the project has raised (less gifts the
# donors cancelled, which cost nothing to give and take back), or more than
# three times the median of its earlier approved disbursements. Flagged for the approver,
# never refused on that ground alone.
UNUSUAL_SHARE_OF_RAISED = 0.5
UNUSUAL_TIMES_MEDIAN = 3


def settled_cutoff(now: datetime | None = None) -> datetime:
    """Gifts paid before this moment are past their cancel window and may be drawn on."""
    return (now or timezone.now()) - timedelta(minutes=settings.CHARITY_CANCEL_MINUTES)


def available_fen(project: Project, now: datetime | None = None) -> int:
    """What approved disbursements may still draw: settled gifts minus what was spent."""
    settled = (
        Donation.objects.filter(
            project=project, status=DonationStatus.PAID, paid_at__lte=settled_cutoff(now)
        ).aggregate(total=Sum("amount_fen"))["total"]
        or 0
    )
    return max(settled - project.spent_fen, 0)


def _refuse_above_balance(project: Project, amount_fen: int, now: datetime | None = None) -> None:
    available = available_fen(project, now)
    if amount_fen > available:
        raise field_refusal(
            "amount_fen",
            gettext(
                "支出 %(amount)s 元超过项目可用余额 %(available)s 元"
                "（付款未满 %(minutes)s 分钟、仍可撤销的捐赠不计入）。"
            )
            % {
                "amount": fen_display(amount_fen),
                "available": fen_display(available),
                "minutes": settings.CHARITY_CANCEL_MINUTES,
            },
            "above_balance",
        )


def amount_is_unusual(project: Project, amount_fen: int) -> bool:
    """The published rule for flagging a disbursement as unusually high."""
    raised = project.net_raised_fen
    if raised and amount_fen > raised * UNUSUAL_SHARE_OF_RAISED:
        return True
    earlier = list(
        Disbursement.objects.filter(
            project=project, status=DisbursementStatus.APPROVED
        ).values_list("amount_fen", flat=True)
    )
    return bool(earlier) and amount_fen > UNUSUAL_TIMES_MEDIAN * statistics.median(earlier)


def _document(upload: UploadedFile, field: str) -> CheckedDocument:
    """A PDF or an image, or a refusal naming which of the two uploads is wrong."""
    try:
        return document_check(upload)
    except ValidationError as exc:
        raise field_refusal(field, exc.messages[0], exc.code or "bad_document") from exc


_IMAGE_TYPES = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


def _original_format(original: bytes, checked: CheckedDocument) -> tuple[str, str]:
    # document_check re-encodes images; the kept original keeps its own format.
    if checked.extension == "pdf":
        return "pdf", "application/pdf"
    with Image.open(io.BytesIO(original)) as image:
        return _IMAGE_TYPES.get(image.format or "", (checked.extension, checked.content_type))


def _original_extension(original: bytes, checked: CheckedDocument) -> str:
    return _original_format(original, checked)[0]


def _original_type(original: bytes, checked: CheckedDocument) -> str:
    return _original_format(original, checked)[1]


@dataclass(frozen=True)
class DisbursementInput:
    project_id: int
    amount_fen: int
    paid_on: date
    purpose: str
    payee: str
    evidence: UploadedFile
    public_copy: UploadedFile


def disbursement_record(
    *, data: DisbursementInput, actor, request: HttpRequest | None = None
) -> Disbursement:
    """A reviewer records money the project spent; it waits for a second reviewer."""
    if data.amount_fen <= 0:
        raise field_refusal("amount_fen", gettext("金额必须大于 0。"), "amount_not_positive")
    if data.paid_on > timezone.localdate():
        raise field_refusal("paid_on", gettext("支出日期不能晚于今天。"), "paid_on_future")
    purpose, payee = data.purpose.strip(), data.payee.strip()
    if not purpose or not payee:
        raise CharityRefused(gettext("请写明用途和收款方。"), code="purpose_required")
    # Checked here, not left to the column: PostgreSQL refuses an over-long value with a
    # database error (after the evidence was stored), SQLite silently keeps it.
    for field, value in (("purpose", purpose), ("payee", payee)):
        limit = Disbursement._meta.get_field(field).max_length
        if len(value) > limit:
            raise field_refusal(
                field,
                gettext("最多 %(max)s 个字，您写了 %(count)s 个。")
                % {"max": limit, "count": len(value)},
                f"{field}_too_long",
            )
    evidence = _document(data.evidence, "evidence")
    public_copy = _document(data.public_copy, "public_copy")
    # The original is kept exactly as uploaded (its hash is what proves a reused receipt);
    # document_check only proved it is a PDF or an image.
    data.evidence.seek(0)
    original = data.evidence.read(DOCUMENT_MAX_BYTES + 1)
    digest = hashlib.sha256(original).hexdigest()
    data.public_copy.seek(0)
    if hashlib.sha256(data.public_copy.read(DOCUMENT_MAX_BYTES + 1)).hexdigest() == digest:
        raise field_refusal(
            "public_copy",
            gettext("公开副本与原件完全相同：请上传遮盖了个人信息的副本。"),
            "public_copy_unredacted",
        )
    project = Project.objects.get(pk=data.project_id)
    if not project.is_public:
        raise CharityRefused(gettext("项目尚未发布，没有善款可以支出。"), code="project_not_public")
    _refuse_above_balance(project, data.amount_fen)
    # The original stays in private media (it may name people); the public sees the copy.
    evidence_name = images.store_private(
        original, extension=_original_extension(original, evidence), folder="disbursements"
    )
    public_name = _store("evidence-public", public_copy.data, public_copy.extension)
    with transaction.atomic():
        disbursement = Disbursement.objects.create(
            project=project,
            amount_fen=data.amount_fen,
            paid_on=data.paid_on,
            purpose=purpose,
            payee=payee,
            evidence=evidence_name,
            evidence_sha256=digest,
            evidence_type=_original_type(original, evidence),
            public_copy=public_name,
            public_copy_type=public_copy.content_type,
            # A refused disbursement recorded again with its corrected figures is not reuse.
            evidence_reused=Disbursement.objects.filter(evidence_sha256=digest)
            .exclude(status=DisbursementStatus.REFUSED)
            .exists(),
            amount_unusual=amount_is_unusual(project, data.amount_fen),
            recorded_by=actor,
        )
        audit_record(
            action="charity.disbursement_recorded",
            actor=actor,
            target=audit_target(disbursement),
            request=request,
            detail={
                "amount_fen": data.amount_fen,
                "evidence_reused": disbursement.evidence_reused,
                "amount_unusual": disbursement.amount_unusual,
            },
        )
    return disbursement


def _pending(disbursement_id: int, actor) -> Disbursement:
    disbursement = (
        Disbursement.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=disbursement_id)
    )
    if disbursement.status != DisbursementStatus.PENDING:
        raise CharityRefused(
            gettext("这笔支出已经“%(status)s”，不能再审批。")
            % {"status": disbursement.get_status_display()},
            code="already_decided",
        )
    if disbursement.recorded_by_id == actor.pk:
        raise CharityRefused(
            gettext("登记这笔支出的人不能审批它，请由另一位审核员审批。"), code="four_eyes"
        )
    return disbursement


def _allocate(disbursement: Disbursement, now: datetime) -> None:
    """Draw the disbursement from the oldest settled gifts first."""
    remaining = disbursement.amount_fen
    gifts = (
        Donation.objects.select_for_update()
        .filter(
            project_id=disbursement.project_id,
            status=DonationStatus.PAID,
            paid_at__lte=settled_cutoff(now),
        )
        .order_by("paid_at", "pk")
        .only("pk", "amount_fen", "allocated_fen")
    )
    for gift in gifts:
        free = gift.amount_fen - gift.allocated_fen
        if free <= 0:
            continue
        used = min(free, remaining)
        Allocation.objects.create(donation=gift, disbursement=disbursement, amount_fen=used)
        Donation.objects.filter(pk=gift.pk).update(allocated_fen=gift.allocated_fen + used)
        remaining -= used
        if remaining == 0:
            return
    # available_fen was checked under the project lock; reaching here is a broken ledger.
    raise RuntimeError(f"disbursement {disbursement.pk} could not be allocated in full")


def disbursement_approve(
    *, disbursement_id: int, actor, request: HttpRequest | None = None
) -> Disbursement:
    """A second reviewer approves: the money leaves the ledger and is allocated to gifts."""
    with transaction.atomic():
        disbursement = _pending(disbursement_id, actor)
        # Lock the project before reading its balance, so two approvals cannot both pass.
        project = Project.objects.select_for_update(of=("self",)).get(pk=disbursement.project_id)
        # One moment, taken once the lock is held, for the balance check and the allocation:
        # a gift that settled while this approval waited is counted by both or by neither.
        now = timezone.now()
        _refuse_above_balance(project, disbursement.amount_fen, now)
        Disbursement.objects.filter(pk=disbursement.pk).update(
            status=DisbursementStatus.APPROVED, decided_by=actor, decided_at=now
        )
        disbursement.refresh_from_db()
        entry_append(
            project_id=project.pk,
            kind=EntryKind.DISBURSEMENT,
            amount_fen=disbursement.amount_fen,
            disbursement=disbursement,
            at=now,
        )
        _allocate(disbursement, now)
        audit_record(
            action="charity.disbursement_approved",
            actor=actor,
            target=audit_target(disbursement),
            request=request,
            detail={"amount_fen": disbursement.amount_fen},
        )
    return disbursement


def disbursement_refuse(
    *, disbursement_id: int, actor, reason: str, request: HttpRequest | None = None
) -> Disbursement:
    """A second reviewer refuses, saying why; nothing enters the ledger."""
    reason = (reason or "").strip()
    if not reason:
        raise field_refusal("reason", gettext("请写明不批准的理由。"), "reason_required")
    with transaction.atomic():
        disbursement = _pending(disbursement_id, actor)
        Disbursement.objects.filter(pk=disbursement.pk).update(
            status=DisbursementStatus.REFUSED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_note=reason,
        )
        disbursement.refresh_from_db()
        audit_record(
            action="charity.disbursement_refused",
            actor=actor,
            target=audit_target(disbursement),
            request=request,
            detail={"reason": reason},
        )
    return disbursement
