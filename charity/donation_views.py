"""Citizen pages of a gift: donate, confirm, pay, the receipt and its verification, the ledger.

The portal never holds money: a donor confirms here and pays at the organisation's own
provider (or, for a platform project, is sent to the designated platform). What this
browser started is remembered in its session, so only it may cancel a gift in time.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenzhou_portal.clients import client_hash
from wenzhou_portal.csv_export import csv_download
from wenzhou_portal.limits import Limit, limit_hit, wait_text
from wenzhou_portal.phones import mobile_masked

from . import selectors, services
from .forms import DonationForm, ReceiptLookupForm
from .models import DonationChannel, DonationStatus, EntryKind, Project
from .views import _stored_file

# The gift filled in and not yet confirmed: {"draft": DonationDraft.as_session(), "at": ts}.
DRAFT_SESSION_KEY = "charity_donation_draft"
DRAFT_SECONDS = 30 * 60
# References of the gifts this browser started: only it may cancel them.
DONATIONS_SESSION_KEY = "charity_donations"
LEDGER_PAGE_SIZE = 20

# Public forms anyone can post: every attempt counts, per client.
RECEIPT_LOOKUPS = Limit(
    "charity-receipt-lookups", ("CHARITY_FORM_LIMIT", "CHARITY_FORM_DAILY_LIMIT")
)
# Each confirmation opens an order at the organisation's provider.
DONATION_STARTS = Limit(
    "charity-donation-starts", ("CHARITY_FORM_LIMIT", "CHARITY_FORM_DAILY_LIMIT")
)

# A receipt's address is its key: search engines may not index it and no request made
# from it carries the path in a Referer ("strict-origin", as rumors' private link: with
# "no-referrer" the page's own cancel form would be refused by the CSRF check).
RECEIPT_REFERRER_POLICY = "strict-origin"


def _public_project(pk: int) -> Project:
    # The scope of projects_public without project_public's disclosure prefetches.
    found = selectors.projects_public().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _refused(request: HttpRequest, limit: Limit) -> int:
    """Seconds to wait when this client is over the limit, else 0."""
    decision = limit_hit(limit, client_hash(request))
    return 0 if decision.allowed else max(decision.retry_after, 1)


def _wait_message(retry_after: int) -> str:
    return gettext("提交太频繁了，请在 %(wait)s后再试。您填写的内容都还在。") % {
        "wait": wait_text(retry_after)
    }


def _refusal_onto(form, exc: ValidationError, *, rename: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form field it names; the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.error_dict.items():
        name = (rename or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


# --- The project page ------------------------------------------------------------------


# --- Giving: fill in, confirm, pay ----------------------------------------------------


def _draft(request: HttpRequest, project: Project):
    """The draft this browser filled in for this project, if still fresh."""
    kept = request.session.get(DRAFT_SESSION_KEY) or {}
    if time.time() - kept.get("at", 0) > DRAFT_SECONDS:
        return None
    draft = services.DonationDraft.from_session(kept.get("draft"))
    return draft if draft is not None and draft.project_id == project.pk else None


@never_cache
@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill in a gift; the service checks it and the next step shows it back to confirm."""
    found = _public_project(pk)
    refusals = services.donation_refusals(found)
    platform = found.donation_channel != DonationChannel.OWN
    context = {"project": found, "refusals": refusals, "platform": platform}
    if refusals or platform:
        # Nothing to fill in here: the reasons, or the way to the platform.
        return render(request, "charity/donate.html", context)
    if request.method == "POST":
        form = DonationForm(request.POST)
        if form.is_valid():
            try:
                draft = services.donation_draft_check(
                    project=found,
                    amount=form.cleaned_data["amount_text"],
                    donor_name=form.cleaned_data["donor_name"],
                    anonymous=form.cleaned_data["anonymous"],
                    message=form.cleaned_data["message"],
                    contact=form.cleaned_data["contact"],
                )
            except ValidationError as exc:
                _refusal_onto(form, exc, rename={"amount": form.cleaned_data["amount_field"]})
            else:
                request.session[DRAFT_SESSION_KEY] = {
                    "draft": draft.as_session(),
                    "at": time.time(),
                }
                return redirect(reverse("charity:donate_confirm", args=[found.pk]) + "#outcome")
    else:
        draft = _draft(request, found)
        form = DonationForm(initial=DonationForm.initial_from(draft) if draft else None)
    context["form"] = form
    return render(request, "charity/donate.html", context, status=400 if form.errors else 200)


def _contact_masked(contact: str) -> str:
    if not contact:
        return ""
    if "@" in contact:
        name, _at, domain = contact.partition("@")
        return f"{name[:1]}***@{domain}"
    return mobile_masked(contact)


def _remember_donation(request: HttpRequest, reference: str) -> None:
    kept = request.session.get(DONATIONS_SESSION_KEY) or []
    # Only the last few matter: after 10 minutes none can be cancelled anyway.
    request.session[DONATIONS_SESSION_KEY] = [*kept[-19:], reference]


@never_cache
@require_http_methods(["GET", "POST"])
def donate_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the gift back with the rules; on confirmation open the order and go to pay."""
    found = _public_project(pk)
    draft = _draft(request, found)
    if draft is None:
        messages.info(
            request,
            gettext("请先填写捐赠信息。填写后超过 %(minutes)s 分钟没有确认的，需要重新填写。")
            % {"minutes": DRAFT_SECONDS // 60},
        )
        return redirect(reverse("charity:donate", args=[found.pk]) + "#messages")
    context = {
        "project": found,
        "draft": draft,
        "contact_shown": _contact_masked(draft.contact),
        "cancel_minutes": settings.CHARITY_CANCEL_MINUTES,
        "order_minutes": settings.CHARITY_ORDER_MINUTES,
        "refusal": "",
    }
    if request.method == "POST":
        retry_after = _refused(request, DONATION_STARTS)
        if retry_after:
            context["refusal"] = _wait_message(retry_after)
            response = render(request, "charity/donate_confirm.html", context, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        try:
            donation, pay_url = services.donation_start(
                draft=draft,
                return_url_for=lambda reference: request.build_absolute_uri(
                    reverse("charity:receipt", args=[reference])
                ),
            )
        except services.CharityRefused as exc:
            context["refusal"] = " ".join(exc.messages)
            return render(request, "charity/donate_confirm.html", context, status=409)
        request.session.pop(DRAFT_SESSION_KEY, None)
        _remember_donation(request, donation.reference)
        return redirect(pay_url)
    return render(request, "charity/donate_confirm.html", context)


# --- The receipt, its cancellation, and looking one up --------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = RECEIPT_REFERRER_POLICY
    return response


def _donation(reference: str):
    normalised = services.reference_normalise(reference)
    donation = selectors.donation_by_reference(normalised) if normalised else None
    if donation is None:
        raise Http404
    return donation


def _receipt_page(request: HttpRequest, donation, *, status: int = 200, **extra) -> HttpResponse:
    deadline = services.cancel_deadline(donation)
    mine = donation.reference in (request.session.get(DONATIONS_SESSION_KEY) or [])
    context = {
        "donation": donation,
        "project": donation.project,
        "allocations": list(selectors.donation_allocations(donation)),
        "unallocated_fen": donation.amount_fen - donation.allocated_fen,
        "cancel_deadline": deadline,
        "may_cancel": mine and deadline is not None and timezone.now() < deadline,
        "cancel_minutes": settings.CHARITY_CANCEL_MINUTES,
        "cancel_refusal": "",
        **extra,
    }
    return _private(render(request, "charity/receipt.html", context, status=status))


@never_cache
@require_GET
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The receipt of one gift: what, to whom, where it stands, what it helped fund."""
    donation = _donation(reference)
    if donation.status == DonationStatus.PENDING:
        # The donor may be back before the provider's notification: ask the provider.
        donation = services.donation_refresh(reference=donation.reference)
    if donation.reference != reference:
        # One address per receipt (typed lower case or with dashes: the canonical one).
        return redirect("charity:receipt", reference=donation.reference)
    return _receipt_page(request, donation)


@never_cache
@require_POST
def receipt_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    """The donor takes the gift back within the window: refunded in full."""
    donation = _donation(reference)
    if donation.reference not in (request.session.get(DONATIONS_SESSION_KEY) or []):
        return _receipt_page(
            request,
            donation,
            status=403,
            cancel_refusal=gettext(
                "只有捐赠时使用的这部手机（同一个浏览器）才能撤销这笔捐赠。"
                "如需帮助，请联系发起组织。"
            ),
        )
    try:
        services.donation_cancel(reference=donation.reference)
    except services.CharityRefused as exc:
        donation.refresh_from_db()
        return _receipt_page(request, donation, status=409, cancel_refusal=" ".join(exc.messages))
    messages.success(
        request,
        gettext("这笔捐赠已撤销，%(amount)s 元将原路全额退回您的付款账户。")
        % {"amount": services.fen_display(donation.amount_fen)},
    )
    return redirect(reverse("charity:receipt", args=[donation.reference]) + "#outcome")


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Type a receipt reference (as printed, or full-width, or with dashes) to see it."""
    form = ReceiptLookupForm(request.POST or None)
    status = 200
    retry_after = 0
    if request.method == "POST":
        retry_after = _refused(request, RECEIPT_LOOKUPS)
        if retry_after:
            form.is_valid()
            form.add_error(None, _wait_message(retry_after))
            status = 429
        elif form.is_valid():
            normalised = services.reference_normalise(form.cleaned_data["reference"])
            donation = selectors.donation_by_reference(normalised) if normalised else None
            if donation is not None:
                return redirect(donation.get_absolute_url() + "#outcome")
            form.add_error(
                "reference",
                gettext(
                    "没有找到这个凭证号。凭证号是 16 位字母和数字，"
                    "在捐赠凭证页、短信或邮件里，请核对后重新输入。"
                ),
            )
        if status == 200:
            status = 400 if form.errors else 200
    response = _private(render(request, "charity/verify.html", {"form": form}, status=status))
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# --- The public ledger ----------------------------------------------------------------


@require_GET
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """Every yuan in and out of a project, with the running balance and the rows behind."""
    found = _public_project(pk)
    kind = request.GET.get("kind", "")
    if kind not in EntryKind.values:
        kind = ""
    entries = selectors.ledger_entries_public(found, kind=kind)
    disbursement = request.GET.get("disbursement", "")
    if disbursement.isdigit():
        entries = entries.filter(disbursement_id=int(disbursement))
    else:
        disbursement = ""
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "charity/ledger.html",
        {
            "project": found,
            "kind": kind,
            "kind_label": EntryKind(kind).label if kind else "",
            "disbursement_filter": disbursement,
            "page": page,
            "query": query.urlencode(),
            "cancel_minutes": settings.CHARITY_CANCEL_MINUTES,
        },
    )


@require_GET
def ledger_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole ledger as a spreadsheet (every cell formula-safe)."""
    found = _public_project(pk)
    return csv_download(selectors.ledger_csv_rows(found), filename=f"project-{found.pk}-ledger.csv")


@require_GET
def disbursement_copy(request: HttpRequest, pk: int) -> FileResponse:
    """The redacted public copy of an approved disbursement's evidence (never the original)."""
    found = selectors.disbursement_public(pk)
    if found is None or not selectors.projects_public().filter(pk=found.project_id).exists():
        raise Http404
    return _stored_file(found.public_copy.name, content_type=found.public_copy_type)
