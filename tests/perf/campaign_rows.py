"""Campaign rows for the query budgets: each with its districts, tags, signatures, votes."""

import itertools
from datetime import timedelta

from django.utils import timezone

from campaigns import services
from campaigns.models import (
    Campaign,
    Candidate,
    EventRegistration,
    JuryScore,
    PageViewDay,
    Signature,
    Vote,
)
from wenzhou_portal.districts import District

_serial = itertools.count(1)
DISTRICTS = itertools.cycle(District.values)


def campaigns(n: int, kind: str = "pledge") -> list[Campaign]:
    """Published live campaigns, each with its districts and tags."""
    now = timezone.now()
    made = []
    for _ in range(n):
        number = next(_serial)
        campaign = Campaign.objects.create(
            slug=f"{kind}-{number}",
            kind=kind,
            title=f"清朗温州第{number}期",
            title_en=f"Clean Wenzhou no. {number}",
            summary="简介",
            starts_at=now - timedelta(days=1, minutes=number),
            ends_at=now + timedelta(days=10),
            is_published=True,
        )
        services.campaign_codes_set(
            campaign=campaign,
            districts=[District.LUCHENG, next(DISTRICTS)],
            tags=[f"文明{number}", "清朗"],
            tags_en=[f"civility {number}", "clean"],
        )
        PageViewDay.objects.create(
            campaign=campaign, day=timezone.localdate(), views=number, unique_visitors=1
        )
        made.append(campaign)
    return made


def signatures(campaign: Campaign, n: int) -> None:
    start = campaign.signatures.count()
    for number in range(start + 1, start + n + 1):
        Signature.objects.create(
            campaign=campaign,
            phone_hash=f"phone-{campaign.pk}-{number}",
            display_name=f"市民{number}",
            district=next(DISTRICTS),
            number=number,
        )


def candidates(campaign: Campaign, n: int, *, juror) -> None:
    """Approved nominees, each with votes (one excluded) and a jury score."""
    for _ in range(n):
        number = next(_serial)
        candidate = Candidate.objects.create(
            campaign=campaign,
            name=f"候选人{number}",
            story="介绍",
            status=Candidate.Status.APPROVED,
            order=number,
        )
        for slot, excluded in enumerate((False, True)):
            Vote.objects.create(
                campaign=campaign,
                candidate=candidate,
                phone_hash=f"voter-{number}",
                client_key=f"client-{number}",
                cast_on=timezone.localdate(),
                slot=slot,
                is_excluded=excluded,
                exclusion_reason="刷票" if excluded else "",
            )
        JuryScore.objects.create(candidate=candidate, juror=juror, score=80)


def registrations(campaign: Campaign, n: int) -> None:
    for _ in range(n):
        number = next(_serial)
        EventRegistration.objects.create(
            campaign=campaign,
            name=f"参加者{number}",
            phone_hash=f"reg-{number}",
            phone_tail=f"{number % 10000:04d}",
            status=EventRegistration.Status.CONFIRMED,
            cancel_token=f"cancel-{number}",
            short_code=f"C{number:07d}",
        )
