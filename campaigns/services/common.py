"""What every campaign service shares: refusals, the form flood guard, open checks."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from wenzhou_portal.clients import device_hash
from wenzhou_portal.limits import Limit, limit_hit, wait_text
from wenzhou_portal.phone_verification import phone_hash  # noqa: F401

from ..models import (
    Campaign,
    CampaignKind,
    CampaignState,
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
