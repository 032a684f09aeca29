"""Reads of campaigns: listings, reach figures with their definitions, participation."""

from datetime import datetime

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    Campaign,
    CampaignDistrict,
    CampaignKind,
    CampaignTag,
    Candidate,
    EventRegistration,
    Signature,
    Vote,
)

# Each reach figure is defined once; pages show the definition beside the number.
REACH_DEFINITIONS = {
    "views": (_("浏览量"), _("本站活动页面被打开的次数（同一访客多次打开均计入）。")),
    "visitors": (
        _("访客数"),
        _("每天打开本站活动页面的不同访客数之和（同一访客同一天只计一次）。"),
    ),
    "participants": (
        _("参与人数"),
        _("签名、报名（不含已取消）、投稿的人数，加上投过票的手机号数（去重）。"),
    ),
    "entries": (_("投稿数"), _("提交的参赛作品数（含待审核）。")),
    "votes": (_("有效票数"), _("计入结果的公众投票数（不含已剔除的票）。")),
    "external_reads": (_("外部阅读量"), _("编辑录入的抖音、微信、微博等平台上的阅读量之和。")),
    "reach": (_("总传播量"), _("本站浏览量与外部阅读量之和。")),
}
# Figures that only some kinds have; a theme week shows no "投稿数 0 / 有效票数 0".
REACH_KINDS = {
    "participants": (
        CampaignKind.PLEDGE,
        CampaignKind.VOTE,
        CampaignKind.CONTEST,
        CampaignKind.EVENT,
    ),
    "entries": (CampaignKind.CONTEST,),
    "votes": (CampaignKind.VOTE, CampaignKind.CONTEST),
}


def campaigns_public(*, kind: str = "", district: str = "", tag: str = "") -> QuerySet[Campaign]:
    """Published campaigns, live first, then upcoming, then past (newest first within each).

    ``district`` is a district code; ``tag`` matches a campaign with a tag containing it.
    Districts and tags come prefetched, so a list reads them in one query each.
    """
    now = timezone.now()
    campaigns = (
        campaigns_with_codes()
        .filter(is_published=True)
        .annotate(
            state_order=Case(
                When(starts_at__lte=now, ends_at__gt=now, then=Value(0)),
                When(starts_at__gt=now, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
    )
    if kind:
        campaigns = campaigns.filter(kind=kind)
    if district:
        campaigns = campaigns.filter(
            Exists(CampaignDistrict.objects.filter(campaign=OuterRef("pk"), district=district))
        )
    tag = " ".join(tag.split())[:50]
    if tag:
        campaigns = campaigns.filter(
            Exists(CampaignTag.objects.filter(campaign=OuterRef("pk"), name__icontains=tag))
        )
    return campaigns.order_by("state_order", "-starts_at")


def campaigns_with_codes() -> QuerySet[Campaign]:
    """Campaigns with their districts and tags prefetched (for district_codes, tag_list)."""
    return Campaign.objects.prefetch_related("district_links", "tag_links")


def campaign_reach(campaign: Campaign) -> dict[str, dict]:
    """Every reach figure of one campaign, with its label and definition."""
    views = campaign.page_views.aggregate(views=Sum("views"), visitors=Sum("unique_visitors"))
    external = campaign.external_reach.aggregate(reads=Sum("reads"))["reads"] or 0
    participants = (
        Signature.objects.filter(campaign=campaign, withdrawn_at__isnull=True).count()
        + EventRegistration.objects.filter(campaign=campaign)
        .exclude(status=EventRegistration.Status.CANCELLED)
        .count()
    )
    entries = Candidate.objects.filter(campaign=campaign, status_token__isnull=False).count()
    live_votes = Vote.objects.filter(campaign=campaign, withdrawn_at__isnull=True)
    votes = live_votes.filter(is_excluded=False).count()
    voters = live_votes.values("phone_hash").distinct().count()
    values = {
        "entries": entries,
        "votes": votes,
        "views": views["views"] or 0,
        "visitors": views["visitors"] or 0,
        "participants": participants + entries + voters,
        "external_reads": external,
        "reach": (views["views"] or 0) + external,
    }
    return {
        key: {"value": values[key], "label": label, "definition": definition}
        for key, (label, definition) in REACH_DEFINITIONS.items()
        if key not in REACH_KINDS or campaign.kind in REACH_KINDS[key]
    }


def signature_wall(campaign: Campaign, *, limit: int = 50) -> list[Signature]:
    return list(
        Signature.objects.filter(campaign=campaign, is_hidden=False, withdrawn_at__isnull=True)
        .only("display_name", "district", "number", "signed_at")
        .order_by("-number")[:limit]
    )


def participants_by_district(*, start: datetime, end: datetime) -> dict[str, int]:
    """Pledge signers per district in [start, end): one grouped query (for the index)."""
    rows = (
        Signature.objects.filter(signed_at__gte=start, signed_at__lt=end, withdrawn_at__isnull=True)
        .exclude(district="")
        .values("district")
        .annotate(n=Count("pk"))
    )
    return {row["district"]: row["n"] for row in rows}


def candidates_public(campaign: Campaign) -> list[Candidate]:
    return list(Candidate.objects.filter(campaign=campaign, status=Candidate.Status.APPROVED))


def vote_results(campaign: Campaign) -> dict:
    """The combined result: public votes and jury scores at the weights published beforehand.

    Public score = 100 × the candidate's counted votes ÷ the most counted votes of any
    candidate; jury score = the mean of the jurors' scores (0–100); final = the weighted sum.
    Excluded votes are not counted and the result states how many and why.
    """
    candidates = (
        Candidate.objects.filter(campaign=campaign, status=Candidate.Status.APPROVED)
        .annotate(
            counted=Count(
                "votes",
                filter=Q(votes__is_excluded=False, votes__withdrawn_at__isnull=True),
                distinct=True,
            ),
            excluded=Count(
                "votes",
                filter=Q(votes__is_excluded=True, votes__withdrawn_at__isnull=True),
                distinct=True,
            ),
            jury=Avg("jury_scores__score"),
        )
        .order_by("order", "pk")
    )
    rows = list(candidates)
    top = max((row.counted for row in rows), default=0)
    results = []
    for row in rows:
        public = 100.0 * row.counted / top if top else 0.0
        jury = float(row.jury) if row.jury is not None else None
        final = (
            (campaign.public_weight * public + campaign.jury_weight * jury) / 100
            if jury is not None
            else None
        )
        results.append(
            {"candidate": row, "votes": row.counted, "public": public, "jury": jury, "final": final}
        )
    results.sort(
        key=lambda item: (item["final"] is None, -(item["final"] or 0), item["candidate"].pk)
    )
    reasons = (
        Vote.objects.filter(campaign=campaign, is_excluded=True, withdrawn_at__isnull=True)
        .values("exclusion_reason")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return {
        "rows": results,
        "excluded_total": sum(reason["n"] for reason in reasons),
        "excluded_reasons": list(reasons),
    }


def participation_by_day(campaign: Campaign) -> list[dict]:
    """Per day: signatures, registrations, entries and votes (four grouped queries)."""
    from django.db.models.functions import TruncDate

    days: dict = {}

    def add(queryset, field: str, key: str) -> None:
        rows = queryset.annotate(day=TruncDate(field)).values("day").annotate(n=Count("pk"))
        for row in rows:
            days.setdefault(
                row["day"],
                {"day": row["day"], "signatures": 0, "registrations": 0, "entries": 0, "votes": 0},
            )[key] = row["n"]

    add(
        Signature.objects.filter(campaign=campaign, withdrawn_at__isnull=True),
        "signed_at",
        "signatures",
    )
    add(EventRegistration.objects.filter(campaign=campaign), "created_at", "registrations")
    add(
        Candidate.objects.filter(campaign=campaign, status_token__isnull=False),
        "created_at",
        "entries",
    )
    add(Vote.objects.filter(campaign=campaign, withdrawn_at__isnull=True), "cast_at", "votes")
    return [days[day] for day in sorted(days)]
