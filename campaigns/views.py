from collections.abc import Callable

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenzhou_portal.clients import client_hash
from wenzhou_portal.phones import mobile_masked
from wenzhou_portal.qr import qr_svg_data_uri

from . import selectors, services
from .certificates import certificate_pdf, certificate_png
from .forms import (
    CampaignFilterForm,
    CancelCodeForm,
    CodeForm,
    EntryForm,
    PhoneForm,
    RegistrationConfirmForm,
    RegistrationForm,
    SignForm,
)
from .models import (
    KIND_DESCRIPTIONS,
    WITHDRAW_MINUTES,
    Campaign,
    CampaignKind,
    Candidate,
    EventRegistration,
    Signature,
    Vote,
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


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    form = CampaignFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    campaigns = selectors.campaigns_public(**{k: v for k, v in filters.items() if v})
    page = Paginator(campaigns, 12).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    kinds = [{"label": kind.label, "description": KIND_DESCRIPTIONS[kind]} for kind in CampaignKind]
    return render(
        request,
        "campaigns/landing.html",
        {"kinds": kinds, "form": form, "page": page, "query": query.urlencode()},
    )


def _published(slug: str) -> Campaign:
    # Tags come prefetched: the page lists them with their English names.
    return get_object_or_404(selectors.campaigns_with_codes(), slug=slug, is_published=True)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    if request.user.has_perm("campaigns.view_campaign"):
        # Editors preview drafts; their views are not counted as reach.
        campaign = get_object_or_404(Campaign, slug=slug)
        if not campaign.is_published:
            return _render_detail(request, campaign, preview=True)
    campaign = _published(slug)
    services.page_view_record(campaign_id=campaign.pk, client_key=services.client_key(request))
    if request.GET.get("step") == "verified" and _voter_hash(request) is not None:
        return _render_detail(request, campaign, answered=True, voter_verified_now=True)
    return _render_detail(request, campaign)


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


def _remember_withdrawable(request: HttpRequest, kind: str, pk: int) -> None:
    kept = request.session.get(WITHDRAWABLE_SESSION_KEY) or {}
    # Only the last few matter: after 10 minutes none can be taken back anyway.
    kept[kind] = [*kept.get(kind, [])[-19:], pk]
    request.session[WITHDRAWABLE_SESSION_KEY] = kept


def _may_withdraw(request: HttpRequest, kind: str, pk: int) -> bool:
    return pk in (request.session.get(WITHDRAWABLE_SESSION_KEY) or {}).get(kind, [])


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


def _withdraw_offer(request: HttpRequest, kind: str, pk: int, given_at) -> dict:
    """Whether this browser may still take this back, and until when (for the page)."""
    until = services.withdrawable_until(given_at)
    return {
        "withdraw_until": until,
        "withdraw_open": timezone.now() < until and _may_withdraw(request, kind, pk),
        "withdraw_minutes": WITHDRAW_MINUTES,
    }


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


@never_cache
@require_http_methods(["GET", "POST"])
def pledge_withdraw(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Ask "确定撤回吗？", then take the signature back (this browser, within 10 minutes)."""
    signature = _signature_from(token, slug)
    return _withdraw_page(
        request,
        campaign=signature.campaign,
        what="signature",
        row=signature,
        made_at=signature.signed_at,
        withdraw=lambda: services.signature_withdraw(signature_id=signature.pk),
        not_yours=gettext("只有签名时使用的这部手机（同一个浏览器）才能撤回这个签名。"),
        already=gettext("这个签名已经撤回了。"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def vote_withdraw(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    """Ask "确定撤回吗？", then take the vote back (this browser, within 10 minutes)."""
    campaign = _published(slug)
    vote = get_object_or_404(
        Vote.objects.select_related("candidate"), pk=vote_id, campaign=campaign
    )
    return _withdraw_page(
        request,
        campaign=campaign,
        what="vote",
        row=vote,
        made_at=vote.cast_at,
        withdraw=lambda: services.vote_withdraw(vote_id=vote.pk),
        not_yours=gettext("只有投票时使用的这部手机（同一个浏览器）才能撤回这一票。"),
        already=gettext("这一票已经撤回了。"),
    )


def _withdraw_page(
    request: HttpRequest,
    *,
    campaign,
    what: str,
    row,
    made_at,
    withdraw: Callable[[], object],
    not_yours: str,
    already: str,
) -> HttpResponse:
    """The confirmation step and its answer, for a signature or a vote alike."""
    kind = "signatures" if what == "signature" else "votes"
    context = {
        "campaign": campaign,
        "what": what,
        what: row,
        **_withdraw_offer(request, kind, row.pk, made_at),
    }
    if not _may_withdraw(request, kind, row.pk):
        context["refusal"] = not_yours
        return render(request, "campaigns/withdraw.html", context, status=403)
    if request.method == "POST":
        try:
            withdraw()
        except services.ParticipationRefused as exc:
            context["refusal"] = exc.messages[0]
            context["withdraw_open"] = False
            return render(request, "campaigns/withdraw.html", context, status=409)
        context["withdrawn"] = True
        context["withdraw_open"] = False
    elif row.withdrawn_at is not None:
        context["refusal"] = already
    elif not context["withdraw_open"]:
        context["refusal"] = gettext(
            "已经超过 %(n)s 分钟，不能再撤回了。如有疑问，请联系主办单位。"
        ) % {"n": WITHDRAW_MINUTES}
    return render(request, "campaigns/withdraw.html", context)


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


@never_cache
@require_POST
def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1 of signing up for an event: name and number; a code goes to the number."""
    campaign = _published(slug)
    form = RegistrationForm(request.POST)
    refused = _flooding(request, campaign, form_name="registration_form", form=form)
    if refused:
        return refused
    if not form.is_valid():
        return _render_detail(request, campaign, 400, registration_form=form)
    try:
        services.campaign_open_for(campaign, CampaignKind.EVENT)
        verification = services.phone_code_send(
            phone=form.cleaned_data["phone"], client=client_hash(request)
        )
    except ValidationError as exc:
        status = 429 if exc.code == "too_many_codes" else 400
        return _render_detail(
            request, campaign, status, registration_form=form, refusal=exc.messages[0]
        )
    request.session[REGISTRATION_SESSION_KEY] = {
        "verification": verification.pk,
        "name": form.cleaned_data["name"],
    }
    request.session[PHONE_SHOWN_SESSION_KEY] = mobile_masked(form.cleaned_data["phone"])
    return _render_detail(
        request,
        campaign,
        registration_pending=True,
        registration_name=form.cleaned_data["name"],
        confirm_form=RegistrationConfirmForm(),
    )


@never_cache
@require_POST
def event_register_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 2: the code proves the number; then the place (or the waiting list) is taken."""
    campaign = _published(slug)
    pending = request.session.get(REGISTRATION_SESSION_KEY) or {}
    form = RegistrationConfirmForm(request.POST)
    context = {
        "registration_pending": bool(pending),
        "registration_name": pending.get("name", ""),
        "confirm_form": form,
    }
    if not pending:
        return _render_detail(
            request, campaign, 400, refusal=gettext("请先填写姓名和手机号获取验证码。")
        )
    if not form.is_valid():
        return _render_detail(request, campaign, 400, **context)
    try:
        verification = services.phone_code_verify(
            verification_id=pending["verification"], code=form.cleaned_data["code"]
        )
        registration = services.event_register(
            campaign=campaign, name=pending["name"], verification=verification
        )
    except ValidationError as exc:
        return _render_detail(request, campaign, 400, refusal=exc.messages[0], **context)
    request.session.pop(REGISTRATION_SESSION_KEY, None)
    cancel_url = request.build_absolute_uri(
        reverse("campaigns:cancel", args=[registration.cancel_token])
    )
    return render(
        request,
        "campaigns/registered.html",
        {
            "campaign": campaign,
            "registration": registration,
            "cancel_url": cancel_url,
            "cancel_qr": qr_svg_data_uri(cancel_url),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def event_cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = (
        EventRegistration.objects.select_related("campaign").filter(cancel_token=token).first()
    )
    if registration is None:
        raise Http404
    context = {"registration": registration, "campaign": registration.campaign}
    if request.method == "POST":
        try:
            services.event_cancel(token=token)
        except ValidationError as exc:
            context["refusal"] = exc.messages[0]
        else:
            context["cancelled"] = True
    return render(request, "campaigns/cancel.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def event_cancel_by_code(request: HttpRequest) -> HttpResponse:
    """Cancel with the short code from the result page and the number's last four digits."""
    form = CancelCodeForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        registration = services.registration_by_short_code(
            code=form.cleaned_data["code"], phone_tail=form.cleaned_data["phone_tail"]
        )
        if registration is not None:
            return redirect(
                reverse("campaigns:cancel", args=[registration.cancel_token]) + "#outcome"
            )
        context["refusal"] = gettext(
            "没有找到这个报名。请核对取消码（报名成功页面上的 6 位字母和数字）和手机号后四位。"
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "campaigns/cancel_code.html", context, status=status)


def _voter_hash(request: HttpRequest) -> str | None:
    voter = request.session.get(VOTER_SESSION_KEY) or {}
    if voter.get("until", 0) < timezone.now().timestamp():
        return None
    return voter.get("hash")


@never_cache
@require_POST
def voter_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 2 of voting: the code proves the number; the session remembers it for a while."""
    campaign = _published(slug)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, campaign, 400, code_form=form, code_sent=True)
    try:
        hashed = services.phone_code_check(
            verification_id=request.session.get(VERIFICATION_SESSION_KEY) or 0,
            code=form.cleaned_data["code"],
        )
    except ValidationError as exc:
        return _render_detail(
            request, campaign, 400, code_form=form, code_sent=True, refusal=exc.messages[0]
        )
    request.session[VOTER_SESSION_KEY] = {
        "hash": hashed,
        "until": timezone.now().timestamp() + VOTER_SESSION_SECONDS,
    }
    # Back to the page (a reload sends nothing again), which says the number is proven.
    return redirect(campaign.get_absolute_url() + "?step=verified#outcome")


@never_cache
@require_POST
def vote(request: HttpRequest, slug: str, candidate_id: int) -> HttpResponse:
    campaign = _published(slug)
    hashed = _voter_hash(request)
    if hashed is None:
        return _render_detail(request, campaign, 400, refusal=gettext("请先验证手机号再投票。"))
    try:
        cast = services.vote_cast(
            campaign=campaign,
            candidate_id=candidate_id,
            hashed_phone=hashed,
            client_key=services.client_key(request),
        )
    except services.ParticipationRefused as exc:
        status = 429 if exc.code == "too_many_votes" else 400
        return _render_detail(request, campaign, status, refusal=exc.messages[0])
    _remember_withdrawable(request, "votes", cast.pk)
    return _render_detail(
        request,
        campaign,
        voted=cast,
        withdraw_until=services.withdrawable_until(cast.cast_at),
    )


@never_cache
@require_POST
def contest_enter(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _published(slug)
    form = EntryForm(request.POST, request.FILES)
    refused = _flooding(request, campaign, form_name="entry_form", form=form)
    if refused:
        return refused
    if not form.is_valid():
        return _render_detail(request, campaign, 400, entry_form=form)
    try:
        entry = services.contest_entry_submit(
            campaign=campaign,
            name=form.cleaned_data["name"],
            story=form.cleaned_data["story"],
            link=form.cleaned_data["link"],
            image=form.cleaned_data["image"],
            contact=form.cleaned_data["contact"],
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return _render_detail(request, campaign, 400, entry_form=form)
        return _render_detail(request, campaign, 400, entry_form=form, refusal=exc.messages[0])
    return redirect(reverse("campaigns:entry_status", args=[entry.status_token]) + "#outcome")


@never_cache
@require_GET
def entry_status(request: HttpRequest, token: str) -> HttpResponse:
    entry = get_object_or_404(Candidate.objects.select_related("campaign"), status_token=token)
    return render(
        request, "campaigns/entry_status.html", {"entry": entry, "campaign": entry.campaign}
    )


@require_GET
def entry_image(request: HttpRequest, pk: int) -> FileResponse:
    """An approved entry's image (re-encoded without metadata when it was received)."""
    from wenzhou_portal import images

    entry = get_object_or_404(Candidate, pk=pk, status=Candidate.Status.APPROVED)
    if not entry.image_path:
        raise Http404
    content_type = "image/png" if entry.image_path.endswith(".png") else "image/jpeg"
    return FileResponse(images.open_private(entry.image_path), content_type=content_type)


@require_GET
def cover_image(request: HttpRequest, slug: str) -> FileResponse:
    """A published campaign's cover image."""
    from wenzhou_portal import images

    campaign = _published(slug)
    if not campaign.cover_path:
        raise Http404
    content_type = "image/png" if campaign.cover_path.endswith(".png") else "image/jpeg"
    return FileResponse(images.open_private(campaign.cover_path), content_type=content_type)
