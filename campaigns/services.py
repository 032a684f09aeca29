"""Every write of campaigns: phone verification, pledges, event registrations, page views.

Citizens' services (``phone_code_send``, ``pledge_sign``, ``vote_cast``, ``event_register``…)
take no actor. Staff services (publishing, closing, moderation, vote exclusion, hiding a
signature) take a keyword-only ``actor`` and write one audit event in the transaction of
their write, so a staff write and its record stand or fall together.
"""

import secrets
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.clients import device_hash
from wenzhou_portal.districts import District
from wenzhou_portal.limits import Limit, limit_hit, wait_text
from wenzhou_portal.models import PhoneVerification

# Proving a number is shared with the rest of the portal (wenzhou_portal); campaigns use
# these names as its own services.
from wenzhou_portal.phone_verification import (  # noqa: F401
    PHONE_CODE_PER_CLIENT,
    PHONE_CODE_PER_NUMBER,
    phone_code_check,
    phone_code_send,
    phone_code_verify,
    phone_hash,
)
from wenzhou_portal.tags import tags_clean
from wenzhou_portal.tags import tags_parse as shared_tags_parse

from .models import (
    WITHDRAW_MINUTES,
    Campaign,
    CampaignDistrict,
    CampaignKind,
    CampaignState,
    CampaignTag,
    Candidate,
    EventRegistration,
    PageViewDay,
    Signature,
    Vote,
)


class ParticipationRefused(ValidationError):
    """Taking part is not possible now (closed, unpublished, a limit reached…)."""


def client_key(request) -> str:
    """A keyed hash of a client's address and browser: enough to tell devices apart, no more."""
    return device_hash(request)


class ParticipationLimited(ParticipationRefused):
    """Refused because this client sent too many too fast; ``retry_after`` is in seconds."""

    def __init__(self, message: str, *, code: str, retry_after: int) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


VOTES_PER_CLIENT = Limit("vote-client", ("VOTE_LIMIT_PER_CLIENT",))
# Event sign-ups and contest entries, on the pages and the API: a flood guard per client
# with its own budget, counting every attempt (valid or not).
CAMPAIGN_FORMS = Limit("campaign-forms", ("CAMPAIGN_FORM_LIMIT",))


def campaign_form_guard(*, client: str) -> None:
    """Count one sign-up or entry attempt from this client; refuse once it sends too many.

    Called before the input is read (an image is decoded, a code checked), so a flood
    costs little. ``client`` is ``wenzhou_portal.clients.client_hash`` of the request.
    """
    decision = limit_hit(CAMPAIGN_FORMS, client)
    if not decision.allowed:
        retry_after = max(decision.retry_after, 1)
        raise ParticipationLimited(
            gettext("提交太频繁了，请在 %(wait)s后再试。") % {"wait": wait_text(retry_after)},
            code="too_many_forms",
            retry_after=retry_after,
        )


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


# --- Public votes and contests -------------------------------------------------------

VOTE_BURST_MINUTES = 10
VOTE_BURST_VOTES = 20
VOTE_BURST_MAX_CLIENTS = 3
ACCEPTED_VIDEO_HOSTS = (
    "douyin.com",
    "iesdouyin.com",
    "weixin.qq.com",
    "channels.weixin.qq.com",
    "bilibili.com",
    "b23.tv",
)


def vote_cast(*, campaign: Campaign, candidate_id: int, hashed_phone: str, client_key: str) -> Vote:
    """Cast one vote within the daily allowance; the database keeps the allowance."""
    if campaign.kind not in (CampaignKind.VOTE, CampaignKind.CONTEST):
        raise ParticipationRefused(gettext("该活动不接受投票。"), code="wrong_kind")
    if not campaign.is_published:
        raise ParticipationRefused(gettext("该活动尚未发布。"), code="unpublished")
    now = timezone.now()
    if not campaign.voting_open_at(now):
        raise ParticipationRefused(gettext("现在不在投票时间内。"), code="voting_closed")
    candidate = Candidate.objects.filter(
        pk=candidate_id, campaign=campaign, status=Candidate.Status.APPROVED
    ).first()
    if candidate is None:
        raise ParticipationRefused(gettext("没有这个候选对象。"), code="no_candidate")
    if not limit_hit(VOTES_PER_CLIENT, client_key).allowed:
        raise ParticipationRefused(gettext("投票过于频繁，请稍后再试。"), code="too_many_votes")
    today = timezone.localdate()
    for _attempt in range(campaign.votes_per_day):
        taken = set(
            Vote.objects.filter(
                campaign=campaign, phone_hash=hashed_phone, cast_on=today, withdrawn_at__isnull=True
            ).values_list("slot", flat=True)
        )
        free = [slot for slot in range(1, campaign.votes_per_day + 1) if slot not in taken]
        if not free:
            break
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    campaign=campaign,
                    candidate=candidate,
                    phone_hash=hashed_phone,
                    client_key=client_key[:64],
                    cast_on=today,
                    slot=free[0],
                )
        except IntegrityError:
            continue  # a concurrent vote took this slot; look again
        votes_flag_bursts(candidate_id=candidate.pk, now=now)
        return vote
    raise ParticipationRefused(
        gettext("您今天的 %(n)s 票已经投完了，明天再来吧。") % {"n": campaign.votes_per_day},
        code="daily_limit",
    )


def votes_flag_bursts(*, candidate_id: int, now=None) -> int:
    """Flag a burst of votes for one candidate from very few clients for staff review."""
    now = now or timezone.now()
    recent = Vote.objects.filter(
        candidate_id=candidate_id, cast_at__gte=now - timedelta(minutes=VOTE_BURST_MINUTES)
    )
    figures = recent.aggregate(votes=Count("pk"), clients=Count("client_key", distinct=True))
    if figures["votes"] >= VOTE_BURST_VOTES and figures["clients"] <= VOTE_BURST_MAX_CLIENTS:
        return recent.filter(is_flagged=False).update(is_flagged=True)
    return 0


def votes_exclude(
    *, vote_ids: list[int], reason: str, actor, request: HttpRequest | None = None
) -> int:
    """Exclude votes from the result with a reason; they stay on record. One audit event."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": gettext("请写明剔除原因。")})
    with transaction.atomic():
        ids = sorted(Vote.objects.filter(pk__in=vote_ids).values_list("pk", flat=True))
        if not ids:
            return 0
        excluded = Vote.objects.filter(pk__in=ids).update(
            is_excluded=True, exclusion_reason=reason[:200]
        )
        audit_record(
            action="campaigns.votes_excluded",
            actor=actor,
            target=_votes_label(ids),
            request=request,
            detail={"vote_ids": ids, "reason": reason[:200], "excluded": excluded},
        )
    return excluded


def _votes_label(ids: list[int]) -> str:
    return f"campaigns.vote:{','.join(map(str, ids))}"[:200]


def contest_entry_submit(
    *, campaign: Campaign, name: str, story: str, link: str = "", image=None, contact: str = ""
) -> Candidate:
    """A citizen's contest entry: a video link or a decoded image; it waits for moderation."""
    from wenzhou_portal import images

    campaign_open_for(campaign, CampaignKind.CONTEST)
    if not link and image is None:
        raise ValidationError({"link": gettext("请填写作品链接或上传一张图片。")})
    if link:
        host = (urlsplit(link).hostname or "").lower()
        if not any(
            host == allowed or host.endswith("." + allowed) for allowed in ACCEPTED_VIDEO_HOSTS
        ):
            raise ValidationError({"link": gettext("请填写抖音、微信视频号或哔哩哔哩的作品链接。")})
    image_path = ""
    if image is not None:
        redacted = images.redacted_copy(image)
        image_path = images.store_private(
            redacted.data, extension=redacted.extension, folder="entries"
        )
    return Candidate.objects.create(
        campaign=campaign,
        name=name.strip()[:60],
        story=story.strip(),
        link=link,
        image_path=image_path,
        entrant_contact=contact.strip()[:60],
        status=Candidate.Status.PENDING,
        status_token=secrets.token_urlsafe(32),
    )


def entry_moderate(
    *,
    candidate_id: int,
    approve: bool,
    reason: str = "",
    actor,
    request: HttpRequest | None = None,
) -> Candidate:
    """Approve an entry for the gallery, or reject it with a reason the entrant sees."""
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"rejection_reason": gettext("请写明未通过的原因。")})
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
        previous = candidate.status
        candidate.status = Candidate.Status.APPROVED if approve else Candidate.Status.REJECTED
        candidate.rejection_reason = "" if approve else reason[:200]
        candidate.save(update_fields=["status", "rejection_reason"])
        audit_record(
            action="campaigns.entry_approved" if approve else "campaigns.entry_rejected",
            actor=actor,
            target=audit_target(candidate),
            request=request,
            detail={
                "campaign_id": candidate.campaign_id,
                "from_status": previous,
                "reason": candidate.rejection_reason,
            },
        )
        return candidate


# --- Staff: districts and tags, publishing, closing, the signature wall ---------------

TAG_MAX_LENGTH = CampaignTag._meta.get_field("name").max_length


def tags_parse(text: str) -> list[str]:
    """Tags as staff type them, by the portal's one tag parser."""
    return shared_tags_parse(text, max_length=TAG_MAX_LENGTH)


def campaign_codes_set(
    *,
    campaign: Campaign,
    districts: Iterable[str],
    tags: Iterable[str],
    tags_en: Iterable[str] = (),
) -> None:
    """Replace a campaign's districts and tags with these (one row each, tags in this order).

    ``tags_en`` are the tags' English names in the same order (missing ones stay blank).
    Called inside the admin's save, whose audit record names the changed fields.
    """
    wanted_districts = set(districts)
    unknown = wanted_districts - set(District.values)
    if unknown:
        raise ValidationError(
            gettext("没有这个县（市、区）代码：%(codes)s") % {"codes": "、".join(sorted(unknown))},
            code="unknown_district",
        )
    wanted_tags = tags_clean(tags, max_length=TAG_MAX_LENGTH)
    with transaction.atomic():
        current = set(
            CampaignDistrict.objects.filter(campaign=campaign).values_list("district", flat=True)
        )
        CampaignDistrict.objects.filter(
            campaign=campaign, district__in=current - wanted_districts
        ).delete()
        CampaignDistrict.objects.bulk_create(
            [
                CampaignDistrict(campaign=campaign, district=code)
                for code in sorted(wanted_districts - current)
            ]
        )
        english = [name[:TAG_MAX_LENGTH] for name in tags_en]
        wanted_pairs = [
            (tag, english[index] if index < len(english) else "")
            for index, tag in enumerate(wanted_tags)
        ]
        current_pairs = list(
            CampaignTag.objects.filter(campaign=campaign)
            .order_by("pk")
            .values_list("name", "name_en")
        )
        if current_pairs != wanted_pairs:
            # Pages show tags in the order typed: a reordering rewrites the rows.
            CampaignTag.objects.filter(campaign=campaign).delete()
            CampaignTag.objects.bulk_create(
                [CampaignTag(campaign=campaign, name=tag, name_en=en) for tag, en in wanted_pairs]
            )


def campaign_publish(*, campaign_id: int, actor, request: HttpRequest | None = None) -> Campaign:
    """Publish a draft campaign: its page, list entry and participation open to the public."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.is_published:
            raise ValidationError(gettext("该活动已经发布。"), code="already_published")
        campaign.is_published = True
        campaign.save(update_fields=["is_published"])
        audit_record(
            action="campaigns.campaign_published",
            actor=actor,
            target=audit_target(campaign),
            request=request,
            detail={"state": campaign.state.value},
        )
        return campaign


def campaign_unpublish(*, campaign_id: int, actor, request: HttpRequest | None = None) -> Campaign:
    """Take a published campaign back to draft: it leaves the public pages; nothing is deleted."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if not campaign.is_published:
            raise ValidationError(gettext("该活动尚未发布。"), code="unpublished")
        campaign.is_published = False
        campaign.save(update_fields=["is_published"])
        audit_record(
            action="campaigns.campaign_unpublished",
            actor=actor,
            target=audit_target(campaign),
            request=request,
            detail={"state": campaign.state.value},
        )
        return campaign


def campaign_close(*, campaign_id: int, actor, request: HttpRequest | None = None) -> Campaign:
    """End a live campaign now: its end time becomes this moment, the old one is recorded."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        now = timezone.now()
        state = campaign.state_at(now)
        if state == CampaignState.UPCOMING:
            raise ValidationError(gettext("活动尚未开始，不能提前结束。"), code="upcoming")
        if state == CampaignState.CLOSED:
            raise ValidationError(gettext("活动已经结束。"), code="closed")
        planned_end = campaign.ends_at
        campaign.ends_at = now
        campaign.save(update_fields=["ends_at"])
        audit_record(
            action="campaigns.campaign_closed",
            actor=actor,
            target=audit_target(campaign),
            request=request,
            detail={"planned_end": planned_end.isoformat(), "ended_at": now.isoformat()},
        )
        return campaign


def signature_hide(
    *, signature_id: int, hidden: bool, actor, request: HttpRequest | None = None
) -> Signature:
    """Hide a signature from the public wall (or show it again); it still counts."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update().get(pk=signature_id)
        if signature.is_hidden == hidden:
            return signature  # nothing to change, nothing to record
        signature.is_hidden = hidden
        signature.save(update_fields=["is_hidden"])
        audit_record(
            action="campaigns.signature_hidden" if hidden else "campaigns.signature_shown",
            actor=actor,
            target=audit_target(signature),
            request=request,
            detail={"campaign_id": signature.campaign_id, "number": signature.number},
        )
        return signature
