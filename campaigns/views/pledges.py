"""Signing a pledge in two steps (a code, then the signature), and the signer's certificate.

``pledge_code`` also sends the code that proves a voter's number: both start the same way.
"""

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from wenzhou_portal.clients import client_hash
from wenzhou_portal.phones import mobile_masked

from .. import services
from ..certificates import certificate_pdf, certificate_png
from ..forms import PhoneForm, SignForm
from ..models import CampaignKind, Signature
from .common import (
    CERTIFICATE_SALT,
    PHONE_SHOWN_SESSION_KEY,
    VERIFICATION_SESSION_KEY,
    _published,
    _remember_withdrawable,
    _render_detail,
    _withdraw_offer,
)


@never_cache
@require_POST
def pledge_code(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1 of signing or voting: send a code to the citizen's phone."""
    campaign = _published(slug)
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, campaign, 400, phone_form=form)
    try:
        if campaign.kind in (CampaignKind.VOTE, CampaignKind.CONTEST):
            if not campaign.voting_open_at(timezone.now()):
                raise services.ParticipationRefused(
                    gettext("现在不在投票时间内。"), code="voting_closed"
                )
        else:
            services.campaign_open_for(campaign, CampaignKind.PLEDGE)
        verification = services.phone_code_send(
            phone=form.cleaned_data["phone"], client=client_hash(request)
        )
    except ValidationError as exc:
        return _render_detail(
            request,
            campaign,
            429 if exc.code == "too_many_codes" else 400,
            refusal=exc.messages[0],
            phone_form=form,
        )
    request.session[VERIFICATION_SESSION_KEY] = verification.pk
    request.session[PHONE_SHOWN_SESSION_KEY] = mobile_masked(form.cleaned_data["phone"])
    extra = {"code_sent": True}
    if campaign.kind == CampaignKind.PLEDGE:
        extra["sign_form"] = SignForm()
    return _render_detail(request, campaign, **extra)


@never_cache
@require_POST
def pledge_sign(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 2: check the code and sign."""
    campaign = _published(slug)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, campaign, 400, sign_form=form, code_sent=True)
    try:
        hashed = services.phone_code_check(
            verification_id=request.session.get(VERIFICATION_SESSION_KEY) or 0,
            code=form.cleaned_data["code"],
        )
        signature = services.pledge_sign(
            campaign=campaign,
            hashed_phone=hashed,
            display_name=form.cleaned_data["display_name"],
            district=form.cleaned_data["district"],
        )
    except ValidationError as exc:
        return _render_detail(
            request, campaign, 400, sign_form=form, code_sent=True, refusal=exc.messages[0]
        )
    request.session.pop(VERIFICATION_SESSION_KEY, None)
    _remember_withdrawable(request, "signatures", signature.pk)
    token = signing.dumps(signature.pk, salt=CERTIFICATE_SALT)
    return redirect(reverse("campaigns:signed", args=[campaign.slug, token]) + "#outcome")


@never_cache
@require_GET
def pledge_signed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    signature = _signature_from(token, slug)
    return render(
        request,
        "campaigns/signed.html",
        {
            "signature": signature,
            "campaign": signature.campaign,
            "token": token,
            **_withdraw_offer(request, "signatures", signature.pk, signature.signed_at),
        },
    )


def _signature_from(token: str, slug: str) -> Signature:
    try:
        pk = signing.loads(token, salt=CERTIFICATE_SALT)
    except signing.BadSignature as exc:
        raise Http404 from exc
    return get_object_or_404(
        Signature.objects.select_related("campaign"), pk=pk, campaign__slug=slug
    )


def _certificate_gone(request: HttpRequest, signature: Signature) -> HttpResponse:
    return render(
        request,
        "campaigns/certificate_gone.html",
        {"signature": signature, "campaign": signature.campaign},
        status=410,
    )


@require_GET
def pledge_certificate(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The signer's certificate as a picture a phone saves to its album (PNG)."""
    signature = _signature_from(token, slug)
    if signature.withdrawn_at is not None:
        return _certificate_gone(request, signature)
    response = HttpResponse(certificate_png(signature), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="pledge-{signature.number}.png"'
    return response


@require_GET
def pledge_certificate_pdf(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The signer's certificate as an A5 PDF to print."""
    signature = _signature_from(token, slug)
    if signature.withdrawn_at is not None:
        return _certificate_gone(request, signature)
    response = HttpResponse(certificate_pdf(signature), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pledge-{signature.number}.pdf"'
    return response
