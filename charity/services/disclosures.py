"""Disclosures: checked documents published on a project or an organisation."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal import images
from wenzhou_portal.audit import audit_record, audit_target

from ..models import (
    PUBLIC_PROJECT_STATUSES,
    Disclosure,
    DisclosureKind,
    Organisation,
    Project,
)
from .common import DOCUMENT_MAX_BYTES, _store

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
