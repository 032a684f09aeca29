"""Every write of campaigns: phone verification, pledges, event registrations, page views."""

import hmac
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from wenzhou_portal.sms import send_sms

from .models import (
    Campaign,
    CampaignKind,
    CampaignState,
    EventRegistration,
    PageViewDay,
    PhoneVerification,
    Signature,
)


class ParticipationRefused(ValidationError):
    """Taking part is not possible now (closed, unpublished, a limit reached…)."""


def phone_hash(phone: str) -> str:
    """A keyed hash of a mobile number: enough to keep one signature per number, no more."""
    return salted_hmac("campaigns.phone", phone, algorithm="sha256").hexdigest()


def _code_hash(verification_salt: str, code: str) -> str:
    return salted_hmac("campaigns.code." + verification_salt, code, algorithm="sha256").hexdigest()


def campaign_open_for(campaign: Campaign, kind: CampaignKind) -> None:
    """Refuse, with a clear reason, anything but a published, live campaign of this kind."""
    if not campaign.is_published:
        raise ParticipationRefused(gettext("该活动尚未发布。"), code="unpublished")
    if campaign.kind != kind:
        raise ParticipationRefused(gettext("该活动不接受这种参与方式。"), code="wrong_kind")
    state = campaign.state
    if state == CampaignState.UPCOMING:
        raise ParticipationRefused(gettext("活动尚未开始。"), code="upcoming")
    if state == CampaignState.CLOSED:
        raise ParticipationRefused(gettext("活动已经结束。"), code="closed")


# --- Phone verification --------------------------------------------------------------


def phone_code_send(*, phone: str, client_key: str) -> PhoneVerification:
    """Send a six-digit code by text message, within per-number and per-client limits."""
    hashed = phone_hash(phone)
    if _over_limit(f"phone:{hashed}", settings.PHONE_CODE_LIMIT_PER_NUMBER) or _over_limit(
        f"client:{client_key}", settings.PHONE_CODE_LIMIT_PER_CLIENT
    ):
        raise ParticipationRefused(
            gettext("验证码发送次数过多，请稍后再试。"), code="too_many_codes"
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(8)
    verification = PhoneVerification.objects.create(
        phone_hash=hashed, code_hash=f"{salt}${_code_hash(salt, code)}"
    )
    send_sms(phone, gettext("【清朗温州】您的验证码是 %(code)s，10 分钟内有效。") % {"code": code})
    return verification


def _over_limit(key: str, rate: str) -> bool:
    count, period = rate.split("/")
    seconds = {"m": 60, "h": 3600, "d": 86400}[period[0]]
    cache_key = f"campaigns:limit:{key}:{int(timezone.now().timestamp()) // seconds}"
    cache.add(cache_key, 0, seconds)
    try:
        used = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, seconds)
        used = 1
    return used > int(count)


def phone_code_check(*, verification_id: int, code: str) -> str:
    """Check a code; returns the phone hash. Locks after too many wrong tries."""
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update().filter(pk=verification_id).first()
        )
        if verification is None:
            raise ParticipationRefused(gettext("请先获取验证码。"), code="no_code")
        if verification.attempts >= settings.PHONE_CODE_MAX_ATTEMPTS:
            raise ParticipationRefused(gettext("验证码错误次数过多，请重新获取。"), code="locked")
        age = timezone.now() - verification.created_at
        if age > timedelta(seconds=settings.PHONE_CODE_TTL_SECONDS):
            raise ParticipationRefused(gettext("验证码已过期，请重新获取。"), code="expired")
        salt, expected = verification.code_hash.split("$", 1)
        correct = hmac.compare_digest(expected, _code_hash(salt, code.strip()))
        if correct:
            verification.verified_at = timezone.now()
            verification.save(update_fields=["verified_at"])
        else:
            # Counted and committed before refusing, so wrong guesses add up to a lockout.
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
    if not correct:
        raise ParticipationRefused(gettext("验证码不正确。"), code="wrong_code")
    return verification.phone_hash


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
            if Signature.objects.filter(campaign=campaign, phone_hash=hashed_phone).exists():
                raise ParticipationRefused(
                    gettext("这个手机号已经签过名了，谢谢您的支持！"), code="already_signed"
                ) from exc
            continue  # two signers took the same number at once: take the next
    raise ParticipationRefused(gettext("签名人数较多，请稍后重试。"), code="busy")


# --- Events --------------------------------------------------------------------------


def event_register(*, campaign: Campaign, name: str, phone: str) -> EventRegistration:
    """Register for an event: confirmed while places last, then on the waiting list."""
    campaign_open_for(campaign, CampaignKind.EVENT)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": gettext("请填写姓名。")})
    hashed = phone_hash(phone)
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
            phone_tail=phone[-4:],
            status=EventRegistration.Status.WAITLISTED
            if full
            else EventRegistration.Status.CONFIRMED,
            cancel_token=secrets.token_urlsafe(32),
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
    seen = f"campaigns:seen:{campaign_id}:{day}:{phone_hash(client_key)[:24]}"
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
