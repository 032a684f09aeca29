"""What the campaign pages share: session keys, the detail page and its answers, guards.

Every step of signing, voting, signing up or entering answers on the campaign's own page
(``_render_detail``), so a refusal or the next step shows where the citizen already is.
"""

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from wenzhou_portal.clients import client_hash

from .. import selectors, services
from ..forms import (
    CodeForm,
    EntryForm,
    PhoneForm,
    RegistrationForm,
)
from ..models import (
    WITHDRAW_MINUTES,
    Campaign,
    CampaignKind,
)

VERIFICATION_SESSION_KEY = "campaigns_verification"
REGISTRATION_SESSION_KEY = "campaigns_registration"
VOTER_SESSION_KEY = "campaigns_voter"
VOTER_SESSION_SECONDS = 30 * 60
CERTIFICATE_SALT = "campaigns.certificate"
# Ids of the signatures and votes this browser gave: only it may take them back.
WITHDRAWABLE_SESSION_KEY = "campaigns_withdrawable"
# The number a code went to, masked (138****5678): shown back on the next step.
PHONE_SHOWN_SESSION_KEY = "campaigns_phone_shown"


def _published(slug: str) -> Campaign:
    # Tags come prefetched: the page lists them with their English names.
    return get_object_or_404(selectors.campaigns_with_codes(), slug=slug, is_published=True)


DETAIL_FORMS = (
    "phone_form",
    "sign_form",
    "code_form",
    "registration_form",
    "confirm_form",
    "entry_form",
)


def _render_detail(request, campaign: Campaign, status: int = 200, **extra) -> HttpResponse:
    context = {
        "campaign": campaign,
        "reach": selectors.campaign_reach(campaign),
        "wall": selectors.signature_wall(campaign) if campaign.kind == CampaignKind.PLEDGE else [],
        "phone_form": PhoneForm(),
        "sign_form": None,
        "registration_form": RegistrationForm(),
        "entry_form": EntryForm(),
        "page_url": request.build_absolute_uri(campaign.get_absolute_url()),
        "phone_shown": request.session.get(PHONE_SHOWN_SESSION_KEY, ""),
        "withdraw_minutes": WITHDRAW_MINUTES,
    }
    if campaign.kind in (CampaignKind.VOTE, CampaignKind.CONTEST):
        now = timezone.now()
        voting_open = campaign.voting_open_at(now)
        context.update(
            {
                "candidates": selectors.candidates_public(campaign),
                "voting_open": voting_open,
                "voting_over": now >= campaign.voting_window[1],
                "results": selectors.vote_results(campaign),
                "show_tallies": not (voting_open and campaign.hide_tallies_while_open),
                "voter_verified": _voter_hash(request) is not None,
                "code_form": CodeForm(),
            }
        )
    # After a submission the answer and the next step come first on the page (#outcome).
    context["answered"] = request.method == "POST"
    context.update(extra)
    context["error_form"] = next(
        (
            form
            for form in (context.get(name) for name in DETAIL_FORMS)
            if form is not None and form.is_bound and form.errors
        ),
        None,
    )
    return render(request, "campaigns/detail.html", context, status=status)


def _voter_hash(request: HttpRequest) -> str | None:
    voter = request.session.get(VOTER_SESSION_KEY) or {}
    if voter.get("until", 0) < timezone.now().timestamp():
        return None
    return voter.get("hash")


def _remember_withdrawable(request: HttpRequest, kind: str, pk: int) -> None:
    kept = request.session.get(WITHDRAWABLE_SESSION_KEY) or {}
    # Only the last few matter: after 10 minutes none can be taken back anyway.
    kept[kind] = [*kept.get(kind, [])[-19:], pk]
    request.session[WITHDRAWABLE_SESSION_KEY] = kept


def _may_withdraw(request: HttpRequest, kind: str, pk: int) -> bool:
    return pk in (request.session.get(WITHDRAWABLE_SESSION_KEY) or {}).get(kind, [])


def _withdraw_offer(request: HttpRequest, kind: str, pk: int, given_at) -> dict:
    """Whether this browser may still take this back, and until when (for the page)."""
    until = services.withdrawable_until(given_at)
    return {
        "withdraw_until": until,
        "withdraw_open": timezone.now() < until and _may_withdraw(request, kind, pk),
        "withdraw_minutes": WITHDRAW_MINUTES,
    }


def _flooding(
    request: HttpRequest, campaign: Campaign, *, form_name: str, form: Form
) -> HttpResponse | None:
    """The 429 page if this client sends sign-ups or entries too fast, else None."""
    try:
        services.campaign_form_guard(client=client_hash(request))
    except services.ParticipationLimited as exc:
        # What was typed comes back in an unbound form: a bound one would be validated to
        # show its errors, decoding the very upload the guard is there to spare.
        kept = type(form)(initial=form.data.dict())
        response = _render_detail(
            request, campaign, 429, refusal=exc.messages[0], **{form_name: kept}
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    return None
