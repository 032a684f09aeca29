"""Citizens take part: pledges, taking a signature or vote back, events, page views."""

import secrets
import unicodedata
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.models import PhoneVerification
from wenzhou_portal.phone_verification import phone_hash  # noqa: F401

from ..models import (
    WITHDRAW_MINUTES,
    Campaign,
    CampaignKind,
    EventRegistration,
    PageViewDay,
    Signature,
    Vote,
)
from .common import ParticipationRefused, campaign_open_for

# --- Pledges -------------------------------------------------------------------------


def pledge_sign(
    *, campaign: Campaign, hashed_phone: str, display_name: str, district: str = ""
) -> Signature:
    """Sign a pledge once per verified number; the database enforces the one."""
    campaign_open_for(campaign, CampaignKind.PLEDGE)
    display_name = " ".join(display_name.split())
    if not display_name:
        raise ValidationError({"display_name": gettext("请填写署名。")})
    for _attempt in range(5):
        try:
            with transaction.atomic():
                number = (
                    Signature.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0
                ) + 1
                return Signature.objects.create(
                    campaign=campaign,
                    phone_hash=hashed_phone,
                    display_name=display_name[:20],
                    district=district,
                    number=number,
                )
        except IntegrityError as exc:
            if Signature.objects.filter(
                campaign=campaign, phone_hash=hashed_phone, withdrawn_at__isnull=True
            ).exists():
                raise ParticipationRefused(
                    gettext("这个手机号已经签过名了，谢谢您的支持！"), code="already_signed"
                ) from exc
            continue  # two signers took the same number at once: take the next
    raise ParticipationRefused(gettext("签名人数较多，请稍后重试。"), code="busy")


# --- Taking a signature or a vote back --------------------------------------------------


def _withdraw_deadline_passed() -> ParticipationRefused:
    return ParticipationRefused(
        gettext("已经超过 %(n)s 分钟，不能再撤回了。如有疑问，请联系主办单位。")
        % {"n": WITHDRAW_MINUTES},
        code="withdraw_too_late",
    )


def withdrawable_until(given_at: datetime) -> datetime:
    """The moment after which a signature or vote given at ``given_at`` stays."""
    return given_at + timedelta(minutes=WITHDRAW_MINUTES)


def signature_withdraw(*, signature_id: int, now: datetime | None = None) -> Signature:
    """Take a signature back within WITHDRAW_MINUTES: it leaves the wall and the counts.

    A conditional update is the claim: a late or second request changes nothing.
    """
    now = now or timezone.now()
    taken_back = Signature.objects.filter(
        pk=signature_id,
        withdrawn_at__isnull=True,
        signed_at__gt=now - timedelta(minutes=WITHDRAW_MINUTES),
    ).update(withdrawn_at=now)
    signature = Signature.objects.select_related("campaign").get(pk=signature_id)
    if not taken_back:
        if signature.withdrawn_at is not None:
            raise ParticipationRefused(gettext("这个签名已经撤回了。"), code="already_withdrawn")
        raise _withdraw_deadline_passed()
    return signature


def vote_withdraw(*, vote_id: int, now: datetime | None = None) -> Vote:
    """Take a vote back within WITHDRAW_MINUTES: kept on record, marked, out of every tally,
    and its daily slot is free again (the slot constraint ignores withdrawn votes)."""
    now = now or timezone.now()
    taken_back = Vote.objects.filter(
        pk=vote_id,
        withdrawn_at__isnull=True,
        cast_at__gt=now - timedelta(minutes=WITHDRAW_MINUTES),
    ).update(withdrawn_at=now)
    vote = Vote.objects.select_related("candidate", "campaign").get(pk=vote_id)
    if not taken_back:
        if vote.withdrawn_at is not None:
            raise ParticipationRefused(gettext("这一票已经撤回了。"), code="already_withdrawn")
        raise _withdraw_deadline_passed()
    return vote


# --- Events --------------------------------------------------------------------------


def event_register(
    *, campaign: Campaign, name: str, verification: PhoneVerification
) -> EventRegistration:
    """Register a proven number for an event: confirmed while places last, then waiting.

    The number is proven by a text-message code (``phone_code_verify``): a made-up number
    cannot take a place.
    """
    campaign_open_for(campaign, CampaignKind.EVENT)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": gettext("请填写姓名。")})
    if verification.verified_at is None:
        raise ParticipationRefused(gettext("请先验证手机号。"), code="unverified")
    hashed = verification.phone_hash
    with transaction.atomic():
        # Lock the campaign: two registrations for the last place queue here.
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        if (
            EventRegistration.objects.filter(campaign=campaign, phone_hash=hashed)
            .exclude(status=EventRegistration.Status.CANCELLED)
            .exists()
        ):
            raise ParticipationRefused(gettext("这个手机号已经报名了。"), code="already_registered")
        confirmed = EventRegistration.objects.filter(
            campaign=campaign, status=EventRegistration.Status.CONFIRMED
        ).count()
        full = campaign.capacity is not None and confirmed >= campaign.capacity
        return EventRegistration.objects.create(
            campaign=campaign,
            name=name[:30],
            phone_hash=hashed,
            phone_tail=verification.phone_tail,
            status=EventRegistration.Status.WAITLISTED
            if full
            else EventRegistration.Status.CONFIRMED,
            cancel_token=secrets.token_urlsafe(32),
            short_code=_short_code_unused(),
        )


# Letters and digits nobody confuses when reading them aloud or off a screen: no 0/O,
# 1/I/L, 2/Z, 5/S, 8/B.
SHORT_CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
SHORT_CODE_LENGTH = 6


def _short_code_unused() -> str:
    while True:
        code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
        if not EventRegistration.objects.filter(short_code=code).exists():
            return code


def short_code_normalise(text: str) -> str:
    """What was typed, as stored: full-width to half-width, upper case, no spaces or dashes."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(char for char in text if char.isalnum())


def registration_by_short_code(*, code: str, phone_tail: str) -> EventRegistration | None:
    """The live registration with this cancel code and these last four digits, or None.

    Both must match: a guessed code alone finds nothing.
    """
    code = short_code_normalise(code)
    tail = short_code_normalise(phone_tail)
    if len(code) != SHORT_CODE_LENGTH or len(tail) != 4:
        return None
    return (
        EventRegistration.objects.select_related("campaign")
        .filter(short_code=code, phone_tail=tail)
        .first()
    )


def event_cancel(*, token: str) -> tuple[EventRegistration, EventRegistration | None]:
    """Cancel by the link's token; the first on the waiting list takes the place."""
    with transaction.atomic():
        registration = (
            EventRegistration.objects.select_for_update().filter(cancel_token=token).first()
        )
        if registration is None or registration.status == EventRegistration.Status.CANCELLED:
            raise ParticipationRefused(gettext("报名不存在或已取消。"), code="not_found")
        Campaign.objects.select_for_update().get(pk=registration.campaign_id)
        was_confirmed = registration.status == EventRegistration.Status.CONFIRMED
        registration.status = EventRegistration.Status.CANCELLED
        registration.save(update_fields=["status"])
        promoted = None
        if was_confirmed:
            promoted = (
                EventRegistration.objects.select_for_update()
                .filter(
                    campaign_id=registration.campaign_id, status=EventRegistration.Status.WAITLISTED
                )
                .order_by("created_at", "pk")
                .first()
            )
            if promoted is not None:
                promoted.status = EventRegistration.Status.CONFIRMED
                promoted.save(update_fields=["status"])
        return registration, promoted


# --- Page views ----------------------------------------------------------------------


def _view_keys(campaign_id: int, day: date) -> tuple[str, str]:
    return f"campaigns:views:{campaign_id}:{day}", f"campaigns:visitors:{campaign_id}:{day}"


def page_view_record(*, campaign_id: int, client_key: str) -> None:
    """Count a view in the cache (Redis when configured): no database write per view."""
    day = timezone.localdate()
    views_key, visitors_key = _view_keys(campaign_id, day)
    ttl = 3 * 24 * 3600
    for key in (views_key, visitors_key):
        cache.add(key, 0, ttl)
    cache.incr(views_key)
    seen = f"campaigns:seen:{campaign_id}:{day}:{client_key[:32]}"
    if cache.add(seen, 1, ttl):  # first view of this client today
        cache.incr(visitors_key)


def page_views_flush(*, days: int = 2) -> int:
    """Copy today's and yesterday's counters into the database (idempotent: absolute values)."""
    today = timezone.localdate()
    written = 0
    for campaign_id in Campaign.objects.values_list("pk", flat=True):
        for offset in range(days):
            day = today - timedelta(days=offset)
            views_key, visitors_key = _view_keys(campaign_id, day)
            views = cache.get(views_key)
            if views is None:
                continue
            PageViewDay.objects.update_or_create(
                campaign_id=campaign_id,
                day=day,
                defaults={"views": views, "unique_visitors": cache.get(visitors_key) or 0},
            )
            written += 1
    return written
