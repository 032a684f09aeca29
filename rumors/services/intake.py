"""Intake: tracking codes, a citizen's report saved with its evidence, the reporter's rating."""

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal import aigc
from wenzhou_portal import images as evidence_files
from wenzhou_portal.codes import CROCKFORD, code_generate, code_normalise  # noqa: F401  (CROCKFORD re-exported)
from wenzhou_portal.districts import District
from wenzhou_portal.phones import mobile_normalise

from ..matching import account_normalise, url_normalise
from ..models import (
    AiLabel,
    Category,
    EventKind,
    Evidence,
    Platform,
    Rating,
    Report,
    ReportEvent,
    Status,
)
from .events import TransitionError, _event
from .routing import routing_kick_on_commit

TRACKING_CODE_LENGTH = 16


def tracking_code_generate() -> str:
    """16 Crockford base32 characters from 80 bits of a cryptographic random source."""
    return code_generate(TRACKING_CODE_LENGTH)


def tracking_code_normalise(raw: str) -> str | None:
    """Accept a code as a citizen types it (lower case, dashes, O for 0, full-width forms
    from a Chinese input method, Chinese dashes and spaces); None if malformed."""
    return code_normalise(raw, length=TRACKING_CODE_LENGTH)


@dataclass(frozen=True)
class ReportInput:
    category: str
    platform: str
    content: str
    url: str = ""
    account: str = ""
    place_description: str = ""
    seen_at: datetime | None = None
    district: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_consent: bool = False
    # The words pasted around the link (a share text's title): kept with the content.
    link_context: str = ""


CONTENT_MIN, CONTENT_MAX = 10, 2000
LINK_CONTEXT_MAX = 500


def _column(name: str) -> int:
    return Report._meta.get_field(name).max_length


def report_input_validate(data: ReportInput) -> ReportInput:
    """The intake rules, for the page and the API alike: the normalised input, or a
    ValidationError naming each field that is wrong (all of them at once)."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if data.category not in Category.values:
        refuse("category", gettext("请选择举报类别。"))
    if data.platform not in Platform.values:
        refuse("platform", gettext("请选择在哪个平台看到。"))
    content = (data.content or "").strip()
    if len(content) < CONTENT_MIN:
        refuse(
            "content",
            gettext("请至少写 %(min)s 个字，说清楚看到了什么。") % {"min": CONTENT_MIN},
        )
    elif len(content) > CONTENT_MAX:
        refuse(
            "content",
            gettext("最多写 %(max)s 个字，现在有 %(count)s 个字，请删减一些。")
            % {"max": CONTENT_MAX, "count": len(content)},
        )
    link_context = " ".join((data.link_context or "").split())[:LINK_CONTEXT_MAX]
    if link_context and link_context not in content and len(content) >= CONTENT_MIN:
        with_context = gettext("%(content)s\n\n【链接附带的文字】%(context)s") % {
            "content": content,
            "context": link_context,
        }
        # Within the content's own limit, so that validating the result again accepts it.
        content = with_context[:CONTENT_MAX] if len(content) < CONTENT_MAX - 20 else content
    url, account = (data.url or "").strip(), " ".join((data.account or "").split())
    place = " ".join((data.place_description or "").split())
    for field, value in (("url", url), ("account", account), ("place_description", place)):
        if len(value) > _column(field):
            refuse(field, gettext("不能超过 %(max)s 个字符。") % {"max": _column(field)})
    if not (url or account or place):
        refuse("url", gettext("请至少填写网址、账号或位置说明中的一项。"))
    seen_at = data.seen_at
    if seen_at is not None:
        if timezone.is_naive(seen_at):
            seen_at = timezone.make_aware(seen_at)
        if seen_at > timezone.now():
            refuse("seen_at", gettext("发现时间不能晚于现在。"))
        elif seen_at.year < 1970:
            refuse("seen_at", gettext("请填写正确的发现时间。"))
    if data.district and data.district not in District.values:
        refuse("district", gettext("请选择温州市的县（市、区）。"))
    phone = ""
    if (data.contact_phone or "").strip():
        try:
            phone = mobile_normalise(data.contact_phone)
        except ValidationError as exc:
            refuse("contact_phone", exc.messages[0])
    email = (data.contact_email or "").strip()
    if len(email) > _column("contact_email"):
        refuse(
            "contact_email",
            gettext("不能超过 %(max)s 个字符。") % {"max": _column("contact_email")},
        )
    if (phone or email) and not data.contact_consent:
        refuse("contact_consent", gettext("留下联系方式时，请勾选同意联系。"))
    if errors:
        raise ValidationError(errors)
    return replace(
        data,
        content=content,
        url=url,
        account=account,
        place_description=place,
        seen_at=seen_at,
        contact_phone=phone,
        contact_email=email,
        link_context="",
    )


def report_submit(
    *,
    data: ReportInput,
    images: list[evidence_files.DecodedImage] | tuple = (),
    reporter=None,
    queue_routing: bool = True,
) -> Report:
    """Save a citizen's report (pending routing) with its evidence and its first event,
    in one transaction, and ring the batch router's doorbell after commit.

    With queue_routing=False the report waits for the beat sweeper, as after a broker
    outage (used for imports and demo data).
    """
    data = report_input_validate(data)
    stored: list[str] = []
    try:
        with transaction.atomic():
            report = _create_with_unique_code(data, reporter)
            for image in images:
                stored.extend(_store_evidence(report, image))
            _event(
                report,
                kind=EventKind.SUBMITTED,
                public_text=gettext("我们已收到您的举报，将尽快分办处理。"),
            )
    except Exception:
        for path in stored:
            evidence_files.delete_private(path)
        raise
    if queue_routing:
        # One debounced doorbell for the batch router, not a message per report.
        routing_kick_on_commit()
    return report


def _create_with_unique_code(data: ReportInput, reporter) -> Report:
    observer = bool(reporter is not None and getattr(reporter, "is_citizen_observer", False))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Report.objects.create(
                    tracking_code=tracking_code_generate(),
                    category=data.category,
                    platform=data.platform,
                    url=data.url,
                    normalized_url=url_normalise(data.url),
                    account=data.account,
                    normalized_account=account_normalise(data.account)[
                        : _column("normalized_account")
                    ],
                    place_description=data.place_description,
                    content=data.content,
                    seen_at=data.seen_at,
                    district=data.district,
                    contact_phone=data.contact_phone if data.contact_consent else "",
                    contact_email=data.contact_email if data.contact_consent else "",
                    contact_consent=data.contact_consent,
                    reporter=reporter if getattr(reporter, "pk", None) else None,
                    priority=settings.OBSERVER_PRIORITY if observer else 0,
                )
        except IntegrityError:
            # 80 random bits make a clash astronomically rare; try a fresh code.
            continue
    raise RuntimeError("could not allocate a unique tracking code")


def _store_evidence(
    report: Report, image: evidence_files.DecodedImage, *, event: ReportEvent | None = None
) -> list[str]:
    redacted = evidence_files.redacted_copy(image)
    # Read from the original as received: the redacted copy carries pixels only.
    ai_label_fields = aigc.implicit_label(image.data)
    original_path = evidence_files.store_private(image.data, extension=image.format.lower())
    redacted_path = evidence_files.store_private(redacted.data, extension=redacted.extension)
    Evidence.objects.create(
        report=report,
        event=event,
        original_path=original_path,
        original_sha256=image.sha256,
        original_format=image.format,
        original_size=len(image.data),
        redacted_path=redacted_path,
        redacted_content_type=redacted.content_type,
        width=image.width,
        height=image.height,
        ai_label=AiLabel.ABSENT if ai_label_fields is None else AiLabel.PRESENT,
        ai_label_fields=ai_label_fields or {},
    )
    return [original_path, redacted_path]


def report_rate(*, report: Report, rating: str, comment: str = "") -> Report:
    """The reporter rates a resolved report, once."""
    if rating not in Rating.values:
        raise ValidationError({"rating": gettext("请选择满意、基本满意或不满意。")})
    if len(comment) > 500:
        raise ValidationError({"comment": gettext("评价意见不能超过 500 字。")})
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, status=Status.RESOLVED, rating="").update(
            rating=rating, rating_comment=comment.strip(), rated_at=timezone.now()
        )
        if not updated:
            raise TransitionError(
                gettext("该举报现在不能评价，或已经评价过了。"), code="cannot_rate"
            )
        report.refresh_from_db()
        _event(
            report,
            kind=EventKind.RATED,
            from_status=report.status,
            internal_text=f"{report.get_rating_display()} {report.rating_comment}".strip(),
        )
        return report
