from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from wenzhou_portal import images as evidence_files

from . import limits, selectors, services
from .forms import DebunkSearchForm, RatingForm, ReportForm, TrackForm
from .jsonld import claim_review
from .models import CATEGORY_EXAMPLES, NATIONAL_CENTRE_CATEGORIES, Category, Evidence, Platform

SUBMITTED_SESSION_KEY = "rumors_submitted_code"


def _category_notes() -> list[dict]:
    return [
        {
            "value": category.value,
            "label": category.label,
            "example": CATEGORY_EXAMPLES[category],
            "national": category in NATIONAL_CENTRE_CATEGORIES,
        }
        for category in Category
    ]


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "rumors/landing.html",
        {"categories": _category_notes(), "platforms": Platform.choices},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    refused = None
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        # A flooding client is refused before its uploads are decoded; a valid report is
        # counted against the budgets only when it is accepted.
        refused = limits.submission_attempt(request)
        data = None
        if refused is None and form.is_valid():
            try:
                data = services.report_input_validate(form.to_input())
            except ValidationError as exc:
                form.add_service_errors(exc)
        if data is not None:
            # Counted against the budgets only once the report is acceptable.
            refused = limits.submission_accept(request)
            if refused is None:
                report = services.report_submit(
                    data=data,
                    images=form.cleaned_data["images"],
                    reporter=request.user if request.user.is_authenticated else None,
                )
                request.session[SUBMITTED_SESSION_KEY] = report.tracking_code
                return redirect("rumors:submitted")
        status = 429 if refused else 400
    else:
        form = ReportForm()
        status = 200
    response = render(
        request,
        "rumors/report_form.html",
        {
            "form": form,
            "categories": _category_notes(),
            "refusal": limits.submission_refusal_text(refused) if refused else "",
        },
        status=status,
    )
    if refused:
        response["Retry-After"] = str(refused.retry_after)
    return response


@never_cache
@require_GET
def report_submitted(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SUBMITTED_SESSION_KEY)
    report = selectors.report_by_tracking_code(code)
    if report is None:
        return redirect("rumors:new")
    answered = selectors.debunks_resembling(
        text=report.content, url=report.url, account=report.account
    )
    return render(request, "rumors/report_submitted.html", {"report": report, "answered": answered})


@never_cache
@require_http_methods(["GET", "POST"])
def report_track(request: HttpRequest) -> HttpResponse:
    context: dict = {"form": TrackForm(), "searched": False}
    if request.method == "POST":
        refused = limits.lookup_attempt(request)
        if refused:
            return _lookup_refused(request, refused)
        form = TrackForm(request.POST)
        context["form"] = form
        if form.is_valid():
            context.update(_tracking_context(form.cleaned_data["code"]))
    return render(request, "rumors/report_track.html", context)


def _lookup_refused(request: HttpRequest, refused) -> HttpResponse:
    response = render(
        request,
        "429.html",
        {"refusal": limits.lookup_refusal_text(refused)},
        status=429,
    )
    response["Retry-After"] = str(refused.retry_after)
    return response


def _tracking_context(raw_code: str) -> dict:
    report = selectors.report_by_tracking_code(services.tracking_code_normalise(raw_code))
    # A malformed code and an unknown one answer the same way: nothing to enumerate.
    if report is None:
        return {"searched": True, "report": None}
    return {
        "searched": True,
        "report": report,
        "timeline": selectors.report_public_timeline(report),
        "outcome": selectors.report_public_outcome(report),
        "rating_form": RatingForm(initial={"code": report.tracking_code})
        if report.status == "resolved" and not report.rating
        else None,
    }


@never_cache
@require_http_methods(["POST"])
def report_rate(request: HttpRequest) -> HttpResponse:
    refused = limits.lookup_attempt(request)
    if refused:
        return _lookup_refused(request, refused)
    form = RatingForm(request.POST)
    context: dict = {"form": TrackForm()}
    if form.is_valid():
        context.update(_tracking_context(form.cleaned_data["code"]))
        report = context.get("report")
        if report is not None:
            try:
                services.report_rate(
                    report=report,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
                context.update(_tracking_context(report.tracking_code))
                context["rated"] = True
            except ValidationError as exc:
                context["rating_errors"] = exc.messages
        return render(request, "rumors/report_track.html", context)
    context.update(_tracking_context(request.POST.get("code", "")))
    if context.get("report") is not None and context.get("rating_form") is not None:
        context["rating_form"] = form
    return render(request, "rumors/report_track.html", context, status=400)


@never_cache
@require_GET
def evidence_file(request: HttpRequest, pk: int, variant: str) -> FileResponse:
    """Serve a screenshot to staff who may see its report; the original to office admins only."""
    item = get_object_or_404(
        Evidence.objects.select_related("report"),
        pk=pk,
        report__in=selectors.reports_visible_to(request.user),
    )
    if variant == "original":
        if not selectors.is_office_admin(request.user):
            raise PermissionDenied
        path, content_type = item.original_path, f"image/{item.original_format.lower()}"
    elif variant == "redacted":
        path, content_type = item.redacted_path, item.redacted_content_type
    else:
        raise Http404
    response = FileResponse(evidence_files.open_private(path), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@require_GET
def debunk_list(request: HttpRequest) -> HttpResponse:
    form = DebunkSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    debunks = selectors.debunks_search(**{k: v for k, v in filters.items() if v})
    page = Paginator(debunks, 10).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rumors/debunk_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def debunk_detail(request: HttpRequest, slug: str) -> HttpResponse:
    debunk = selectors.debunk_public_by_slug(slug)
    if debunk is None:
        raise Http404
    if debunk.is_withdrawn:
        # 410 Gone: the address existed and is gone for good; the old content is not shown.
        return render(request, "rumors/debunk_withdrawn.html", {"debunk": debunk}, status=410)
    return render(
        request,
        "rumors/debunk_detail.html",
        {
            "debunk": debunk,
            "related": selectors.debunks_related(debunk),
            "claim_review": claim_review(
                debunk, request.build_absolute_uri(debunk.get_absolute_url())
            ),
            "page_url": request.build_absolute_uri(debunk.get_absolute_url()),
        },
    )


@require_GET
def debunk_suggest(request: HttpRequest) -> JsonResponse:
    """Published debunks resembling what a citizen is typing (progressive enhancement)."""
    refused = limits.suggest_attempt(request)
    if refused:
        response = JsonResponse(
            {"errors": [{"field": "q", "message": limits.lookup_refusal_text(refused)}]},
            status=429,
        )
        response["Retry-After"] = str(refused.retry_after)
        return response
    text = request.GET.get("q", "")[:2000]
    found = selectors.debunks_resembling(
        text=text,
        url=request.GET.get("url", "")[:1000],
        account=request.GET.get("account", "")[:200],
    )
    return JsonResponse(
        {
            "results": [
                {
                    "title": debunk.title,
                    "verdict": str(debunk.get_verdict_display()),
                    "url": debunk.get_absolute_url(),
                }
                for debunk in found
            ]
        }
    )
