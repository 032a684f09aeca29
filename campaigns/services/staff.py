"""Staff writes: districts and tags, publishing, closing, the signature wall."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.districts import District
from wenzhou_portal.phone_verification import phone_hash  # noqa: F401
from wenzhou_portal.tags import tags_clean
from wenzhou_portal.tags import tags_parse as shared_tags_parse

from ..models import (
    Campaign,
    CampaignDistrict,
    CampaignState,
    CampaignTag,
    Signature,
)

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
