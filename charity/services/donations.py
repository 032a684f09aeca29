"""Donations through an organisation's own channel: start, notification, cancel, expiry.

The portal never holds money. A donor confirms a gift here, pays at the organisation's
payment provider, and the provider's signed notification (or our query, when the donor
comes back first) enters it in the ledger. Every path that could apply a payment twice (a
replayed notification, two arriving at once, a query racing a notification) meets the
donation row locked and a conditional update, so the second changes nothing.
"""

import hashlib
import hmac
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.codes import code_generate, code_normalise
from wenzhou_portal.notifications import notify
from wenzhou_portal.phones import mobile_normalise

from .. import payments, selectors
from ..models import (
    Donation,
    DonationChannel,
    DonationStatus,
    EntryKind,
    MessageStatus,
    NoticeOutcome,
    OrganisationStatus,
    PaymentNotice,
    Project,
    ProjectStatus,
)
from .common import CharityRefused, field_refusal
from .ledger import entry_append

logger = logging.getLogger("charity.donations")

REFERENCE_LENGTH = 16
DONOR_NAME_MAX = 30
MESSAGE_MAX = 200

# What people type around an amount: currency signs, 元, thousands separators, spaces.
_AMOUNT_NOISE = re.compile(r"[\s,¥￥元圆]|RMB|CNY", re.IGNORECASE)
_AMOUNT = re.compile(r"(?P<yuan>\d{1,12})(?:\.(?P<fen>\d*))?")


def fen_display(fen: int) -> str:
    """12345 → "123.45" (the one place fen become yuan for people to read)."""
    yuan, rest = divmod(fen, 100)
    return f"{yuan:,}.{rest:02d}"


def amount_parse(raw: object) -> int:
    """Yuan as a donor types them ("50", "50.5", "¥1,000", full-width "５０") → fen.

    Refuses, saying why: nothing, not a number, zero or negative, a fraction of a fen.
    Never a float: the digits are read as text.
    """
    text = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", str(raw or "")))
    if not text:
        raise CharityRefused(gettext("请填写捐赠金额。"), code="amount_required")
    if text.startswith("-"):
        raise CharityRefused(gettext("捐赠金额必须大于 0。"), code="amount_not_positive")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise CharityRefused(
            gettext("请用数字填写金额（单位：元），例如 50 或 50.5。"), code="amount_invalid"
        )
    fen_digits = (match["fen"] or "").rstrip("0")
    if len(fen_digits) > 2:
        raise CharityRefused(
            gettext("金额最小单位是分（小数点后最多两位）。"), code="amount_fraction_of_fen"
        )
    fen = int(match["yuan"]) * 100 + int(fen_digits.ljust(2, "0"))
    if fen <= 0:
        raise CharityRefused(gettext("捐赠金额必须大于 0。"), code="amount_not_positive")
    return fen


def reference_normalise(raw: object) -> str | None:
    """A receipt reference as a donor types it back; None if it cannot be one."""
    return code_normalise(raw, length=REFERENCE_LENGTH)


def _donor_key(value: str) -> str:
    # Distinct donors are counted without keeping who they are.
    return hmac.new(
        settings.SECRET_KEY.encode(), b"charity-donor:" + value.encode(), hashlib.sha256
    ).hexdigest()


def donation_refusals(project: Project, today: date | None = None) -> list[str]:
    """Why this project takes no donations now (empty: it does)."""
    today = today or timezone.localdate()
    reasons = []
    if project.status != ProjectStatus.FUNDRAISING:
        reasons.append(
            gettext("该项目当前状态为“%(status)s”，不再接受捐赠。")
            % {"status": project.get_status_display()}
        )
    elif today < project.starts_on:
        reasons.append(
            gettext("该项目 %(day)s 开始募捐，届时再来吧。")
            % {"day": date_format(project.starts_on, "DATE_FORMAT")}
        )
    elif today > project.ends_on:
        reasons.append(
            gettext("该项目的募捐已于 %(day)s 结束。")
            % {"day": date_format(project.ends_on, "DATE_FORMAT")}
        )
    organisation = project.organisation
    if organisation.status != OrganisationStatus.VERIFIED:
        reasons.append(
            gettext("发起组织当前状态为“%(status)s”，其项目暂停接受捐赠。")
            % {"status": organisation.get_status_display()}
        )
    elif selectors.organisation_calendar(organisation, today).overdue:
        reasons.append(gettext("发起组织有逾期未公开的信息，按规定公开之前，其项目暂停接受捐赠。"))
    if project.donation_channel == DonationChannel.OWN and not payments.provider_available(
        project.payment_provider
    ):
        reasons.append(gettext("该项目的收款渠道暂未开通。"))
    return reasons


def _refuse_unless_taking_gifts_here(project: Project) -> None:
    """Gifts are started here only for an own-channel project that accepts them now."""
    if project.donation_channel != DonationChannel.OWN:
        raise CharityRefused(
            gettext("该项目的捐赠在指定的募捐平台进行，请前往平台捐赠。"), code="platform_only"
        )
    reasons = donation_refusals(project)
    if reasons:
        raise CharityRefused(reasons, code="project_not_accepting")


@dataclass(frozen=True)
class DonationDraft:
    """A gift the donor filled in and has not yet confirmed (kept in their session)."""

    project_id: int
    amount_fen: int
    donor_name: str = ""
    message: str = ""
    contact: str = ""

    def as_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data: Mapping | None) -> "DonationDraft | None":
        try:
            return cls(**data) if data else None
        except TypeError:
            return None


def _contact_clean(raw: str) -> str:
    raw = unicodedata.normalize("NFKC", raw or "").strip()
    if not raw:
        return ""
    if "@" in raw:
        try:
            validate_email(raw)
        except ValidationError as exc:
            raise field_refusal(
                "contact", gettext("这不是有效的电子邮箱地址。"), "contact_invalid"
            ) from exc
        # Cut short, an address is someone else's (or no one's): refuse it, never truncate.
        if len(raw) > Donation._meta.get_field("contact").max_length:
            raise field_refusal(
                "contact",
                gettext("电子邮箱地址太长，请换一个地址，也可以不填。"),
                "contact_too_long",
            )
        return raw
    try:
        return mobile_normalise(raw)
    except ValidationError as exc:
        raise field_refusal(
            "contact", gettext("请填写 11 位手机号或电子邮箱，也可以不填。"), "contact_invalid"
        ) from exc


def donation_draft_check(
    *,
    project: Project,
    amount: object,
    donor_name: str = "",
    anonymous: bool = False,
    message: str = "",
    contact: str = "",
) -> DonationDraft:
    """Validate what the donor filled in; the refusal names the field at fault."""
    _refuse_unless_taking_gifts_here(project)
    try:
        amount_fen = amount_parse(amount)
    except CharityRefused as exc:
        raise field_refusal("amount", exc.messages[0], exc.code) from exc
    if amount_fen < settings.CHARITY_DONATION_MIN_FEN:
        raise field_refusal(
            "amount",
            gettext("每笔捐赠至少 %(min)s 元。")
            % {"min": fen_display(settings.CHARITY_DONATION_MIN_FEN)},
            "amount_too_small",
        )
    if amount_fen > settings.CHARITY_DONATION_MAX_FEN:
        raise field_refusal(
            "amount",
            gettext("每笔捐赠最多 %(max)s 元；更大额的捐赠请直接联系发起组织。")
            % {"max": fen_display(settings.CHARITY_DONATION_MAX_FEN)},
            "amount_too_large",
        )
    donor_name = "" if anonymous else " ".join((donor_name or "").split())
    if len(donor_name) > DONOR_NAME_MAX:
        raise field_refusal(
            "donor_name",
            gettext("署名最多 %(max)s 个字。") % {"max": DONOR_NAME_MAX},
            "donor_name_too_long",
        )
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise field_refusal(
            "message",
            gettext("留言最多 %(max)s 个字，您写了 %(count)s 个。")
            % {"max": MESSAGE_MAX, "count": len(message)},
            "message_too_long",
        )
    return DonationDraft(
        project_id=project.pk,
        amount_fen=amount_fen,
        donor_name=donor_name,
        message=message,
        contact=_contact_clean(contact),
    )


def donation_start(
    *, draft: DonationDraft, return_url_for: Callable[[str], str]
) -> tuple[Donation, str]:
    """The donor confirmed: open the order at the organisation's provider.

    Returns the donation and the address to send the donor to (the provider's page).
    ``return_url_for(reference)`` is where the provider sends them back.
    """
    project = Project.objects.select_related("organisation").get(pk=draft.project_id)
    _refuse_unless_taking_gifts_here(project)
    provider = payments.provider_for(project.payment_provider)
    now = timezone.now()
    reference = code_generate(REFERENCE_LENGTH)
    with transaction.atomic():
        donation = Donation.objects.create(
            reference=reference,
            project=project,
            channel=DonationChannel.OWN,
            amount_fen=draft.amount_fen,
            donor_name=draft.donor_name,
            message=draft.message,
            message_status=MessageStatus.PENDING if draft.message else MessageStatus.NONE,
            contact=draft.contact,
            donor_key=_donor_key(
                "contact:" + draft.contact if draft.contact else "ref:" + reference
            ),
            status=DonationStatus.PENDING,
            expires_at=now + timedelta(minutes=settings.CHARITY_ORDER_MINUTES),
            provider=provider.code,
        )
        pay_url = provider.create_order(
            payments.Order(
                reference=reference,
                amount_fen=draft.amount_fen,
                description=gettext("乐善365 · %(title)s") % {"title": project.title},
                return_url=return_url_for(reference),
                expires_at=donation.expires_at,
            )
        )
    logger.info("donation order opened", extra={"reference": reference, "project": project.pk})
    return donation, pay_url


def _log_notice(
    provider: str, outcome: str, detail: str, *, notice_id="", reference="", donation=None
):
    PaymentNotice.objects.create(
        provider=provider,
        notice_id=notice_id[:64],
        reference=reference[:40],
        donation=donation,
        outcome=outcome,
        detail=detail[:300],
    )
    level = (
        logging.INFO
        if outcome in (NoticeOutcome.APPLIED, NoticeOutcome.ALREADY)
        else logging.WARNING
    )
    logger.log(
        level,
        "payment notice %s",
        outcome,
        extra={
            "provider": provider,
            "notice_id": notice_id,
            "reference": reference,
            "detail": detail,
        },
    )


def _lock_with_project(**lookup) -> Donation:
    """Lock a donation's project, then the donation: the order every money write keeps.

    An approval locks the project before the gifts it draws on, and every ledger entry
    locks the project; a write that took the donation first could deadlock with either,
    and the transaction PostgreSQL aborts may be a cancel whose refund already left.
    """
    project_id = Donation.objects.values_list("project_id", flat=True).get(**lookup)
    Project.objects.select_for_update(of=("self",)).get(pk=project_id)
    return Donation.objects.select_for_update(of=("self",)).get(**lookup)


def _settle(
    *, donation_id: int, transaction_id: str, amount_fen: int, paid_at: datetime | None
) -> tuple[str, str]:
    """Enter a payment the provider vouched for; (outcome, detail). Caller holds a transaction."""
    donation = _lock_with_project(pk=donation_id)
    if amount_fen != donation.amount_fen:
        return NoticeOutcome.AMOUNT_MISMATCH, (
            f"provider says {amount_fen} fen, order is {donation.amount_fen} fen"
        )
    if donation.status in (DonationStatus.PAID, DonationStatus.REFUNDING, DonationStatus.REFUNDED):
        if donation.transaction_id != transaction_id:
            return NoticeOutcome.AMOUNT_MISMATCH, "a second transaction for a settled order"
        return NoticeOutcome.ALREADY, "already entered"
    # Pending, or expired while the donor was paying: money that arrived is entered.
    paid_at = paid_at or timezone.now()
    Donation.objects.filter(pk=donation.pk).update(
        status=DonationStatus.PAID, paid_at=paid_at, transaction_id=transaction_id
    )
    donation.refresh_from_db()
    entry_append(
        project_id=donation.project_id,
        kind=EntryKind.DONATION,
        amount_fen=donation.amount_fen,
        donation=donation,
    )
    notify(
        source=donation,
        recipients=[donation],
        channels=["sms" if donation.contact.isdigit() else "email"] if donation.contact else [],
        subject=gettext("乐善365 捐赠凭证 %(reference)s")
        % {"reference": donation.reference_display},
        body=gettext(
            "感谢您向“%(title)s”捐赠 %(amount)s 元。凭证号 %(reference)s，"
            "可在 %(url)s 查询善款去向。"
        )
        % {
            "title": donation.project.title,
            "amount": fen_display(donation.amount_fen),
            "reference": donation.reference_display,
            "url": settings.SITE_URL.rstrip("/") + donation.get_absolute_url(),
        },
    )
    return NoticeOutcome.APPLIED, ""


def donation_notice_receive(*, provider_code: str, headers: Mapping[str, str], body: bytes) -> str:
    """Act on a provider's asynchronous notification; return its ``NoticeOutcome``.

    Forged, stale, malformed, unknown or amount-mismatched notifications change nothing and
    are logged; a replay or a concurrent duplicate answers ``already``.
    """
    try:
        provider = payments.provider_for(provider_code)
    except payments.ProviderUnavailable:
        _log_notice(provider_code[:20], NoticeOutcome.MALFORMED, "no such provider here")
        return NoticeOutcome.MALFORMED
    try:
        notice = provider.verify_notice(headers, body)
    except payments.NoticeRefused as refused:
        _log_notice(
            provider.code,
            refused.outcome,
            refused.detail,
            notice_id=refused.notice_id,
            reference=refused.reference,
        )
        return refused.outcome
    donation = Donation.objects.filter(provider=provider.code, reference=notice.reference).first()
    if donation is None:
        _log_notice(
            provider.code,
            NoticeOutcome.UNKNOWN_ORDER,
            "no donation with this reference",
            notice_id=notice.notice_id,
            reference=notice.reference,
        )
        return NoticeOutcome.UNKNOWN_ORDER
    if not notice.paid:
        _log_notice(
            provider.code,
            NoticeOutcome.CLOSED,
            "not a payment",
            notice_id=notice.notice_id,
            reference=notice.reference,
            donation=donation,
        )
        return NoticeOutcome.CLOSED
    with transaction.atomic():
        outcome, detail = _settle(
            donation_id=donation.pk,
            transaction_id=notice.transaction_id,
            amount_fen=notice.amount_fen,
            paid_at=notice.paid_at,
        )
        _log_notice(
            provider.code,
            outcome,
            detail,
            notice_id=notice.notice_id,
            reference=notice.reference,
            donation=donation,
        )
    return outcome


def donation_refresh(*, reference: str) -> Donation:
    """Ask the provider about a pending order (the donor came back before the notice)."""
    donation = Donation.objects.select_related("project").get(reference=reference)
    if donation.status != DonationStatus.PENDING or donation.channel != DonationChannel.OWN:
        return donation
    status = payments.provider_for(donation.provider).query(reference)
    if status.paid and status.amount_fen == donation.amount_fen:
        with transaction.atomic():
            _settle(
                donation_id=donation.pk,
                transaction_id=status.transaction_id,
                amount_fen=status.amount_fen,
                paid_at=status.paid_at,
            )
        donation.refresh_from_db()
    return donation


def cancel_deadline(donation: Donation) -> datetime | None:
    """Until when the donor may still cancel this gift (None: they cannot)."""
    if (
        donation.channel != DonationChannel.OWN
        or donation.status != DonationStatus.PAID
        or donation.paid_at is None
    ):
        return None
    return donation.paid_at + timedelta(minutes=settings.CHARITY_CANCEL_MINUTES)


def donation_cancel(*, reference: str, now: datetime | None = None) -> Donation:
    """The donor withdraws a gift within 10 minutes of paying: refunded in full, entered.

    Two steps, because the provider's refund cannot roll back with our transaction: the
    gift is first marked "refunding" (committed; no disbursement can draw on it from then
    on), then the provider refunds it under a refund id that makes a repeat harmless, then
    the refund is entered. If the provider or the second step fails, the gift stays
    "refunding" and the sweeper (``donations_expire``) finishes it: never money returned
    that the ledger does not show.
    """
    now = now or timezone.now()
    with transaction.atomic():
        donation = _lock_with_project(reference=reference)
        if donation.status in (DonationStatus.REFUNDED, DonationStatus.REFUNDING):
            pass  # asked twice: finish what the first request started
        else:
            deadline = cancel_deadline(donation)
            if deadline is None:
                raise CharityRefused(
                    gettext("这笔捐赠不能撤销：只有通过组织自有渠道、已到账的捐赠可以撤销。"),
                    code="not_cancellable",
                )
            if now > deadline:
                raise CharityRefused(
                    gettext("撤销须在付款后 %(minutes)s 分钟内提出，这笔捐赠已超过时限。")
                    % {"minutes": settings.CHARITY_CANCEL_MINUTES},
                    code="cancel_too_late",
                )
            if donation.allocated_fen:
                raise CharityRefused(
                    gettext("这笔捐赠已被用于项目支出，不能撤销。"), code="allocated"
                )
            Donation.objects.filter(pk=donation.pk, status=DonationStatus.PAID).update(
                status=DonationStatus.REFUNDING, refund_id="R" + donation.reference
            )
    return donation_refund_finish(reference=reference, now=now)


def donation_refund_finish(*, reference: str, now: datetime | None = None) -> Donation:
    """Have the provider refund a gift marked "refunding", then enter the refund (idempotent)."""
    now = now or timezone.now()
    donation = Donation.objects.get(reference=reference)
    if donation.status != DonationStatus.REFUNDING:
        return donation
    # The same refund id every time: the provider refunds once however often it is asked.
    payments.provider_for(donation.provider).refund(
        donation.reference, amount_fen=donation.amount_fen, refund_id=donation.refund_id
    )
    with transaction.atomic():
        donation = _lock_with_project(reference=reference)
        if Donation.objects.filter(pk=donation.pk, status=DonationStatus.REFUNDING).update(
            status=DonationStatus.REFUNDED, refunded_at=now
        ):
            donation.refresh_from_db()
            entry_append(
                project_id=donation.project_id,
                kind=EntryKind.REFUND,
                amount_fen=donation.amount_fen,
                donation=donation,
                at=now,
            )
            logger.info("donation cancelled and refunded", extra={"reference": reference})
        else:
            donation.refresh_from_db()
    return donation


def donation_refunds_finish() -> int:
    """The sweeper's half of a cancel: finish every refund a failure left half done."""
    finished = 0
    for reference in Donation.objects.filter(status=DonationStatus.REFUNDING).values_list(
        "reference", flat=True
    ):
        try:
            if donation_refund_finish(reference=reference).status == DonationStatus.REFUNDED:
                finished += 1
        except Exception:
            # One provider being down must not stop the others; the next sweep tries again.
            logger.exception("refund not finished", extra={"reference": reference})
    return finished


def donations_expire(*, now: datetime | None = None) -> int:
    """Close orders left unpaid past their time; a late payment found by query is entered."""
    now = now or timezone.now()
    expired = 0
    overdue = Donation.objects.filter(
        status=DonationStatus.PENDING, expires_at__lt=now
    ).values_list("reference", "provider")
    for reference, provider_code in overdue.iterator():
        try:
            provider = payments.provider_for(provider_code)
        except payments.ProviderUnavailable:
            logger.warning("no provider to close an order", extra={"reference": reference})
            continue
        if donation_refresh(reference=reference).status != DonationStatus.PENDING:
            continue
        provider.close(reference)
        expired += Donation.objects.filter(
            reference=reference, status=DonationStatus.PENDING
        ).update(status=DonationStatus.EXPIRED)
    return expired


def donation_message_moderate(*, donation_id: int, show: bool, actor, request=None) -> Donation:
    """A charity reviewer shows or hides a donor's message."""
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation_id)
        if donation.message_status == MessageStatus.NONE:
            raise CharityRefused(gettext("这笔捐赠没有留言。"), code="no_message")
        donation.message_status = MessageStatus.SHOWN if show else MessageStatus.HIDDEN
        donation.save(update_fields=["message_status"])
        audit_record(
            action="charity.donation_message_shown" if show else "charity.donation_message_hidden",
            actor=actor,
            target=audit_target(donation),
            request=request,
        )
    return donation
