"""Reads of campaigns: listings, reach figures with their definitions, participation."""

from datetime import datetime

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Campaign, EventRegistration, Signature

# Each reach figure is defined once; pages show the definition beside the number.
REACH_DEFINITIONS = {
    "views": (_("浏览量"), _("本站活动页面被打开的次数（同一访客多次打开均计入）。")),
    "visitors": (
        _("访客数"),
        _("每天打开本站活动页面的不同访客数之和（同一访客同一天只计一次）。"),
    ),
    "participants": (_("参与人数"), _("签名、报名（不含已取消）的人数。")),
    "external_reads": (_("外部阅读量"), _("编辑录入的抖音、微信、微博等平台上的阅读量之和。")),
    "reach": (_("总传播量"), _("本站浏览量与外部阅读量之和。")),
}


def campaigns_public(*, kind: str = "", district: str = "", tag: str = "") -> QuerySet[Campaign]:
    """Published campaigns, live first, then upcoming, then past (newest first within each)."""
    now = timezone.now()
    campaigns = Campaign.objects.filter(is_published=True).annotate(
        state_order=Case(
            When(starts_at__lte=now, ends_at__gt=now, then=Value(0)),
            When(starts_at__gt=now, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    if kind:
        campaigns = campaigns.filter(kind=kind)
    if district:
        campaigns = campaigns.filter(districts__contains=district)
    if tag:
        campaigns = campaigns.filter(tags__contains=tag[:50])
    return campaigns.order_by("state_order", "-starts_at")


def campaign_reach(campaign: Campaign) -> dict[str, dict]:
    """Every reach figure of one campaign, with its label and definition."""
    views = campaign.page_views.aggregate(views=Sum("views"), visitors=Sum("unique_visitors"))
    external = campaign.external_reach.aggregate(reads=Sum("reads"))["reads"] or 0
    participants = (
        Signature.objects.filter(campaign=campaign).count()
        + EventRegistration.objects.filter(campaign=campaign)
        .exclude(status=EventRegistration.Status.CANCELLED)
        .count()
    )
    values = {
        "views": views["views"] or 0,
        "visitors": views["visitors"] or 0,
        "participants": participants,
        "external_reads": external,
        "reach": (views["views"] or 0) + external,
    }
    return {
        key: {"value": values[key], "label": label, "definition": definition}
        for key, (label, definition) in REACH_DEFINITIONS.items()
    }


def signature_wall(campaign: Campaign, *, limit: int = 50) -> list[Signature]:
    return list(
        Signature.objects.filter(campaign=campaign, is_hidden=False)
        .only("display_name", "district", "number", "signed_at")
        .order_by("-number")[:limit]
    )


def participants_by_district(*, start: datetime, end: datetime) -> dict[str, int]:
    """Pledge signers per district in [start, end): one grouped query (for the index)."""
    rows = (
        Signature.objects.filter(signed_at__gte=start, signed_at__lt=end)
        .exclude(district="")
        .values("district")
        .annotate(n=Count("pk"))
    )
    return {row["district"]: row["n"] for row in rows}
