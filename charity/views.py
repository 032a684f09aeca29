"""Public pages of 乐善365: projects raising now, a project, an organisation, the pact, apply."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from wenzhou_portal.clients import client_hash
from wenzhou_portal.storage import public_file_response

from . import selectors, services
from .forms import PactSignForm, ProjectFilterForm, application_form
from .models import Organisation, PactVersion

# The fundraising-plan filing register of the Ministry of Civil Affairs (慈善中国).
CSZG_URL = "https://cszg.mca.gov.cn/"


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    projects = selectors.projects_raising(
        district=filters.get("district", ""), cause=filters.get("cause", "")
    )
    page = Paginator(projects, 12).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "charity/landing.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(filters.get("district") or filters.get("cause")),
            "organisations": selectors.organisations_public().only(
                "name", "credit_code", "status", "district"
            ),
            "pact": selectors.pact_current(),
        },
    )


@require_GET
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A project: its facts and disclosures, and where its money comes from and goes."""
    found = selectors.project_public(pk)
    if found is None:
        raise Http404
    calendar = selectors.project_calendar(found)
    return render(
        request,
        "charity/project.html",
        {
            "project": found,
            "calendar": calendar,
            "next_due": calendar.next_due,
            "disclosures": list(found.disclosures.all()),
            "corrections": list(found.corrections.all()),
            "cszg_url": CSZG_URL,
            "qualified_today": found.organisation.qualified_on(timezone.localdate()),
            "donation_refusals": services.donation_refusals(found),
            "messages_shown": list(selectors.donation_messages_shown(found)),
            "cancel_minutes": settings.CHARITY_CANCEL_MINUTES,
        },
    )


@require_GET
def organisation(request: HttpRequest, credit_code: str) -> HttpResponse:
    found = selectors.organisation_public(credit_code)
    if found is None:
        raise Http404
    calendar = selectors.organisation_calendar(found)
    pact = selectors.pact_current()
    signature = selectors.pact_signature_latest(found)
    return render(
        request,
        "charity/organisation.html",
        {
            "organisation": found,
            "calendar": calendar,
            "punctuality": calendar.punctuality,
            "pact": pact,
            "signature": signature,
            "signed_current": signature is not None
            and pact is not None
            and signature.version_id == pact.pk,
            "refusals": services.project_open_refusals(found),
            "projects": selectors.projects_public(organisation=found),
            "annual_reports": found.disclosures.filter(kind="annual_report").order_by("-year"),
            "qualified_today": found.qualified_on(timezone.localdate()),
        },
    )


@require_GET
def pact(request: HttpRequest) -> HttpResponse:
    current = selectors.pact_current()
    if current is None:
        raise Http404
    return render(request, "charity/pact.html", {"pact": current})


def _field_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    pact_version = selectors.pact_current()
    form = application_form(request.POST or None, pact_published=pact_version is not None)
    limited = None
    if request.method == "POST":
        try:
            services.application_guard(client=client_hash(request))
        except services.ApplicationLimited as exc:
            limited = exc
            form.is_valid()  # the typed values come back, checked, beside the refusal
            form.add_error(None, exc.messages)
    if request.method == "POST" and limited is None and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "agree"}
        try:
            applied = services.organisation_apply(
                application=services.OrganisationApplication(**data)
            )
        except ValidationError as exc:
            _field_errors(form, exc)
        else:
            return render(request, "charity/applied.html", {"organisation": applied})
    response = render(
        request,
        "charity/apply.html",
        {"form": form, "pact": pact_version},
        status=429 if limited else 400 if form.errors else 200,
    )
    if limited:
        response["Retry-After"] = str(limited.retry_after)
    return response


def _signing(token: str) -> tuple[Organisation, PactVersion]:
    try:
        organisation_id, version_id = services.pact_sign_claim(token)
        found = Organisation.objects.get(pk=organisation_id)
        version = PactVersion.objects.get(pk=version_id, published_at__isnull=False)
    except (signing.BadSignature, Organisation.DoesNotExist, PactVersion.DoesNotExist):
        raise Http404 from None
    return found, version


@require_http_methods(["GET", "POST"])
def pact_sign(request: HttpRequest, token: str) -> HttpResponse:
    found, version = _signing(token)
    form = PactSignForm(request.POST or None)
    already = found.pact_signatures.filter(version=version).first()
    if request.method == "POST" and already is None and form.is_valid():
        try:
            already = services.pact_sign(
                organisation_id=found.pk,
                version_id=version.pk,
                signer_name=form.cleaned_data["signer_name"],
                signer_title=form.cleaned_data["signer_title"],
            )
        except ValidationError as exc:
            _field_errors(form, exc)
        else:
            return render(
                request,
                "charity/pact_signed.html",
                {"organisation": found, "pact": version, "signature": already},
            )
    return render(
        request,
        "charity/pact_sign.html",
        {"organisation": found, "pact": version, "form": form, "signature": already},
        status=400 if form.errors else 200,
    )


def _stored_file(name: str, *, content_type: str = "") -> HttpResponse:
    # A public record: a short-lived signed URL on object storage, streamed from local disk.
    return public_file_response(name, content_type=content_type)


@require_GET
def disclosure_document(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.disclosure_public(pk)
    if found is None:
        raise Http404
    return _stored_file(found.document.name, content_type=found.document_type)


@require_GET
def project_cover(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.project_public(pk)
    if found is None or not found.cover:
        raise Http404
    return _stored_file(found.cover.name)
