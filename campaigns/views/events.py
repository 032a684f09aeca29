"""Signing up for an event (a code proves the number) and cancelling a place."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from wenzhou_portal.clients import client_hash
from wenzhou_portal.phones import mobile_masked
from wenzhou_portal.qr import qr_svg_data_uri

from .. import services
from ..forms import CancelCodeForm, RegistrationConfirmForm, RegistrationForm
from ..models import CampaignKind, EventRegistration
from .common import (
    PHONE_SHOWN_SESSION_KEY,
    REGISTRATION_SESSION_KEY,
    _flooding,
    _published,
    _render_detail,
)


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
