"""The citizen sign-in pages: number, code, sign-out and the notification choice."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import citizen_auth
from .clients import client_hash
from .phone_verification import PhoneVerificationRefused, phone_code_send
from .phones import mobile_masked


def _my_reports_url() -> str:
    # By name: the page belongs to the report desk, which this package does not import.
    return reverse("rumors:mine")


def _next_url(request: HttpRequest, raw: str | None) -> str:
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return _my_reports_url()


def _add_errors(form, error: ValidationError, field: str | None = None) -> None:
    for message in error.messages:
        form.add_error(field, message)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step one: the number; a code is texted to it."""
    next_url = _next_url(request, request.POST.get("next") or request.GET.get("next"))
    if citizen_auth.is_citizen(request.user):
        return redirect(next_url)
    form = citizen_auth.PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                verification = phone_code_send(phone=phone, client=client_hash(request))
            except PhoneVerificationRefused as exc:
                _add_errors(form, exc, "phone")
                status = 429
            else:
                request.session[citizen_auth.SIGN_IN_SESSION_KEY] = {
                    "verification": verification.pk,
                    "masked": mobile_masked(phone),
                    "next": next_url,
                }
                return redirect("citizen_sign_in_code")
    return render(
        request,
        "registration/citizen_sign_in.html",
        {"form": form, "next": next_url},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Step two: the code; the citizen is signed in (their account made the first time)."""
    pending = request.session.get(citizen_auth.SIGN_IN_SESSION_KEY)
    if not pending:
        return redirect("citizen_sign_in")
    form = citizen_auth.CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = citizen_auth.citizen_sign_in(
                    verification_id=pending["verification"],
                    code=form.cleaned_data["code"],
                    masked=pending["masked"],
                )
            except citizen_auth.CitizenSignInRefused as exc:
                request.session.pop(citizen_auth.SIGN_IN_SESSION_KEY, None)
                _add_errors(form, exc)
                status = 403
            except PhoneVerificationRefused as exc:
                _add_errors(form, exc, "code")
            else:
                # login() rotates the session key; the pending step goes with the old one.
                request.session.pop(citizen_auth.SIGN_IN_SESSION_KEY, None)
                login(request, user, backend="wenzhou_portal.accounts.PeopleOnlyBackend")
                return redirect(pending.get("next") or _my_reports_url())
    return render(
        request,
        "registration/citizen_sign_in_code.html",
        {"form": form, "masked": pending["masked"]},
        status=status,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out: the whole session is flushed, not only the account."""
    logout(request)
    return redirect("home")


@never_cache
@require_http_methods(["GET", "POST"])
@citizen_auth.citizen_required
def notify_set(request: HttpRequest) -> HttpResponse:
    """The citizen chooses how to be told about their reports."""
    user = request.user
    initial = {"channel": user.notify_channel, "email": user.email}
    form = citizen_auth.NotifyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                citizen_auth.citizen_notify_set(
                    citizen=user,
                    channel=form.cleaned_data["channel"],
                    email=form.cleaned_data["email"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, gettext("通知方式已保存。"))
                # The saved choice is the answer: the page opens at the message.
                return redirect(_my_reports_url() + "#messages")
    return render(request, "registration/citizen_notify.html", {"form": form}, status=status)
