from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.exceptions import Ratelimited

from rumors.limits import lookup_limited

from . import selectors, services
from .forms import CampaignFilterForm, PhoneForm, RegistrationForm, SignForm
from .models import KIND_DESCRIPTIONS, Campaign, CampaignKind, EventRegistration, Signature

VERIFICATION_SESSION_KEY = "campaigns_verification"
CERTIFICATE_SALT = "campaigns.certificate"


def _client_key(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") + "|" + request.headers.get("user-agent", "")[:100]


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
    return get_object_or_404(Campaign, slug=slug, is_published=True)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _published(slug)
    services.page_view_record(campaign_id=campaign.pk, client_key=_client_key(request))
    return _render_detail(request, campaign)


def _render_detail(request, campaign: Campaign, status: int = 200, **extra) -> HttpResponse:
    context = {
        "campaign": campaign,
        "reach": selectors.campaign_reach(campaign),
        "wall": selectors.signature_wall(campaign) if campaign.kind == CampaignKind.PLEDGE else [],
        "phone_form": PhoneForm(),
        "sign_form": None,
        "registration_form": RegistrationForm(),
        "page_url": request.build_absolute_uri(campaign.get_absolute_url()),
    }
    context.update(extra)
    return render(request, "campaigns/detail.html", context, status=status)


@never_cache
@require_POST
def pledge_code(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1 of signing: send a code to the citizen's phone."""
    campaign = _published(slug)
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, campaign, 400, phone_form=form)
    try:
        services.campaign_open_for(campaign, CampaignKind.PLEDGE)
        verification = services.phone_code_send(
            phone=form.cleaned_data["phone"], client_key=_client_key(request)
        )
    except services.ParticipationRefused as exc:
        return _render_detail(
            request,
            campaign,
            429 if exc.code == "too_many_codes" else 400,
            refusal=exc.messages[0],
            phone_form=form,
        )
    request.session[VERIFICATION_SESSION_KEY] = verification.pk
    return _render_detail(request, campaign, sign_form=SignForm(), code_sent=True)


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
    token = signing.dumps(signature.pk, salt=CERTIFICATE_SALT)
    return redirect("campaigns:signed", slug=campaign.slug, token=token)


@never_cache
@require_GET
def pledge_signed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    signature = _signature_from(token, slug)
    return render(
        request,
        "campaigns/signed.html",
        {"signature": signature, "campaign": signature.campaign, "token": token},
    )


def _signature_from(token: str, slug: str) -> Signature:
    try:
        pk = signing.loads(token, salt=CERTIFICATE_SALT)
    except signing.BadSignature as exc:
        raise Http404 from exc
    return get_object_or_404(
        Signature.objects.select_related("campaign"), pk=pk, campaign__slug=slug
    )


@require_GET
def pledge_certificate(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The signer's certificate as an SVG image (the browser's own fonts draw the text)."""
    signature = _signature_from(token, slug)
    svg = render_to_string(
        "campaigns/certificate.svg", {"signature": signature, "campaign": signature.campaign}
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pledge-{signature.number}.svg"'
    return response


@never_cache
@require_POST
def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _published(slug)
    if lookup_limited(request):
        raise Ratelimited
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, campaign, 400, registration_form=form)
    try:
        registration = services.event_register(
            campaign=campaign, name=form.cleaned_data["name"], phone=form.cleaned_data["phone"]
        )
    except ValidationError as exc:
        return _render_detail(
            request, campaign, 400, registration_form=form, refusal=exc.messages[0]
        )
    return render(
        request, "campaigns/registered.html", {"campaign": campaign, "registration": registration}
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
