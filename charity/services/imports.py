"""Donations taken by a designated platform, imported from its donation list.

A file is the organisation's export from the platform or the platform's own disclosure
file: a CSV with a row id, a time, an amount in yuan, and optionally the donor's display
name, a donor id and a message. Importing is idempotent: a file already imported is
refused, and a row whose id is already in the ledger is skipped. A file with any bad row
changes nothing. After each import, the sum of the project's platform donations is set
beside the total the platform states, and a difference is flagged for staff to chase.
"""

import csv
import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from wenzhou_portal import images
from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.codes import code_generate

from ..models import (
    Donation,
    DonationChannel,
    DonationStatus,
    EntryKind,
    MessageStatus,
    PlatformImport,
    Project,
)
from .common import CharityRefused, field_refusal
from .donations import (
    DONOR_NAME_MAX,
    MESSAGE_MAX,
    REFERENCE_LENGTH,
    _donor_key,
    amount_parse,
)
from .ledger import entry_append

logger = logging.getLogger("charity.imports")

IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000

# Column names as the platforms and organisations' spreadsheets spell them.
COLUMNS = {
    "row_id": ("流水号", "订单号", "捐赠编号", "交易单号", "row_id", "id"),
    "paid_at": ("捐赠时间", "支付时间", "时间", "paid_at", "time"),
    "amount": ("金额", "金额（元）", "金额(元)", "捐赠金额", "捐赠金额（元）", "amount"),
    "donor_name": ("捐赠人", "捐赠人昵称", "昵称", "donor", "donor_name"),
    "donor_id": ("捐赠人编号", "用户编号", "用户ID", "donor_id"),
    "message": ("留言", "捐赠留言", "message"),
}
REQUIRED = ("row_id", "paid_at", "amount")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


@dataclass(frozen=True)
class PlatformRow:
    line: int
    row_id: str
    paid_at: datetime
    amount_fen: int
    donor_name: str
    donor_id: str
    message: str


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise field_refusal(
        "file", gettext("无法识别文件编码，请另存为 UTF-8 编码的 CSV 文件。"), "import_encoding"
    )


def _time(text: str) -> datetime:
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for pattern in TIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)  # noqa: DTZ007 (made aware below)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def platform_rows_parse(data: bytes) -> list[PlatformRow]:
    """Every row of a platform's donation list, or a refusal listing each bad line."""
    reader = csv.reader(io.StringIO(_decode(data)))
    header = next(reader, None)
    if not header:
        raise field_refusal("file", gettext("文件是空的。"), "import_empty")
    names = [cell.strip() for cell in header]
    positions = {}
    for field, spellings in COLUMNS.items():
        for index, name in enumerate(names):
            if name in spellings:
                positions[field] = index
                break
    missing = [COLUMNS[field][0] for field in REQUIRED if field not in positions]
    if missing:
        raise field_refusal(
            "file",
            gettext("缺少必需的列：%(columns)s。") % {"columns": "、".join(missing)},
            "import_columns",
        )
    rows, errors, seen = [], [], set()
    now = timezone.now()
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(errors) >= IMPORT_MAX_ROWS:
            errors.append(gettext("一次最多导入 %(max)s 行。") % {"max": IMPORT_MAX_ROWS})
            break

        def cell(field: str, cells=cells) -> str:
            index = positions.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row_id = cell("row_id")
        problems = []
        if not row_id or len(row_id) > 64:
            problems.append(gettext("流水号为空或超过 64 个字符"))
        elif row_id in seen:
            problems.append(gettext("流水号 %(id)s 在文件中重复") % {"id": row_id})
        try:
            amount_fen = amount_parse(cell("amount"))
        except CharityRefused as exc:
            problems.append(" ".join(exc.messages))
            amount_fen = 0
        try:
            paid_at = _time(cell("paid_at"))
            if paid_at > now:
                problems.append(gettext("捐赠时间晚于现在"))
        except ValueError:
            problems.append(gettext("捐赠时间“%(text)s”无法识别") % {"text": cell("paid_at")})
            paid_at = now
        if problems:
            errors.append(
                gettext("第 %(line)s 行：%(problems)s")
                % {"line": line, "problems": "；".join(problems)}
            )
            continue
        seen.add(row_id)
        rows.append(
            PlatformRow(
                line=line,
                row_id=row_id,
                paid_at=paid_at,
                amount_fen=amount_fen,
                donor_name=cell("donor_name")[:DONOR_NAME_MAX],
                donor_id=cell("donor_id")[:64],
                message=cell("message")[:MESSAGE_MAX],
            )
        )
    if errors:
        raise field_refusal("file", errors[:50], "import_rows")
    if not rows:
        raise field_refusal("file", gettext("文件里没有捐赠记录。"), "import_empty")
    return rows


def _refuse_known_file(project: Project, digest: str) -> None:
    earlier = PlatformImport.objects.filter(project=project, file_sha256=digest).first()
    if earlier is not None:
        logger.info("platform import refused: file already imported", extra={"project": project.pk})
        raise field_refusal(
            "file",
            gettext("这份文件已于 %(when)s 导入过，本次未做任何更改。")
            % {"when": date_format(timezone.localtime(earlier.imported_at), "DATETIME_FORMAT")},
            "import_duplicate_file",
        )


def platform_import(
    *,
    project_id: int,
    upload: UploadedFile,
    source: str,
    stated_total_fen: int,
    actor,
    request: HttpRequest | None = None,
) -> PlatformImport:
    """Import a platform's donation list into the project's ledger; see the module doc."""
    project = Project.objects.get(pk=project_id)
    if not project.is_public:
        raise CharityRefused(gettext("项目尚未发布，不能导入捐赠。"), code="project_not_public")
    if project.donation_channel != DonationChannel.PLATFORM:
        raise CharityRefused(
            gettext("该项目通过组织自有渠道收款，没有平台捐赠可以导入。"), code="not_platform"
        )
    if source not in PlatformImport.Source.values:
        # The service is the gate, not the form: an unknown source would be stored as is
        # (or, past the column's length, fail in PostgreSQL with a database error).
        raise field_refusal(
            "source", gettext("请选择文件来源：组织导出的明细或平台公示的明细。"), "source_invalid"
        )
    if stated_total_fen < 0:
        raise field_refusal(
            "stated_total_fen", gettext("平台公示的累计金额不能为负数。"), "stated_negative"
        )
    upload.seek(0)
    data = upload.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise field_refusal(
            "file",
            gettext("文件不能超过 %(mb)s MB。") % {"mb": IMPORT_MAX_BYTES // 2**20},
            "import_too_large",
        )
    digest = hashlib.sha256(data).hexdigest()
    _refuse_known_file(project, digest)
    try:
        rows = platform_rows_parse(data)
    except CharityRefused:
        logger.warning("platform import refused: malformed file", extra={"project": project.pk})
        raise
    with transaction.atomic():
        # One import per project at a time: a second one waits here, then meets the first's
        # file and rows as known, instead of a unique violation on the same rows.
        Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
        _refuse_known_file(project, digest)
        known = dict(
            Donation.objects.filter(
                project=project,
                channel=DonationChannel.PLATFORM,
                platform_row_id__in=[row.row_id for row in rows],
            ).values_list("platform_row_id", "amount_fen")
        )
        conflicts = [
            row for row in rows if row.row_id in known and known[row.row_id] != row.amount_fen
        ]
        if conflicts:
            raise field_refusal(
                "file",
                [
                    gettext("第 %(line)s 行：流水号 %(id)s 已导入，但金额不同。")
                    % {"line": row.line, "id": row.row_id}
                    for row in conflicts[:50]
                ],
                "import_conflict",
            )
        batch = PlatformImport.objects.create(
            project=project,
            source=source,
            # Donor names and ids: the file stays in private media.
            file=images.store_private(data, extension="csv", folder="platformimports"),
            file_sha256=digest,
            stated_total_fen=stated_total_fen,
            rows_in_file=len(rows),
            imported_at=timezone.now(),
            imported_by=actor,
        )
        added = 0
        for row in sorted(rows, key=lambda r: (r.paid_at, r.line)):
            if row.row_id in known:
                continue
            reference = code_generate(REFERENCE_LENGTH)
            donation = Donation.objects.create(
                reference=reference,
                project=project,
                channel=DonationChannel.PLATFORM,
                amount_fen=row.amount_fen,
                donor_name=row.donor_name,
                message=row.message,
                message_status=MessageStatus.PENDING if row.message else MessageStatus.NONE,
                donor_key=_donor_key(
                    f"platform:{project.donation_url}:{row.donor_id}"
                    if row.donor_id
                    else "ref:" + reference
                ),
                status=DonationStatus.PAID,
                paid_at=row.paid_at,
                platform_import=batch,
                platform_row_id=row.row_id,
            )
            entry_append(
                project_id=project.pk,
                kind=EntryKind.DONATION,
                amount_fen=row.amount_fen,
                donation=donation,
            )
            added += 1
        imported_total = (
            Donation.objects.filter(project=project, channel=DonationChannel.PLATFORM).aggregate(
                total=Sum("amount_fen")
            )["total"]
            or 0
        )
        PlatformImport.objects.filter(pk=batch.pk).update(
            rows_added=added, rows_known=len(rows) - added, imported_total_fen=imported_total
        )
        batch.refresh_from_db()
        audit_record(
            action="charity.platform_import",
            actor=actor,
            target=audit_target(batch),
            request=request,
            detail={
                "rows_added": added,
                "rows_known": batch.rows_known,
                "stated_total_fen": stated_total_fen,
                "imported_total_fen": imported_total,
            },
        )
    if not batch.reconciled:
        logger.warning(
            "platform import does not reconcile",
            extra={"project": project.pk, "difference_fen": batch.difference_fen},
        )
    return batch
