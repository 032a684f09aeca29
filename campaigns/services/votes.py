"""Public votes and contest entries, and staff moderation of both."""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.limits import limit_hit
from wenzhou_portal.phone_verification import phone_hash  # noqa: F401

from ..models import (
    Campaign,
    CampaignKind,
    Candidate,
    Vote,
)
from .common import VOTES_PER_CLIENT, ParticipationRefused, campaign_open_for

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
