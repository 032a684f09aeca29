import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenzhou_portal import images as evidence_files
from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.citizen_auth import NotifyForm, citizen_required
from wenzhou_portal.phones import mobile_masked
from wenzhou_portal.qr import qr_svg_data_uri
from wenzhou_portal.share_text import link_from_share_text
from wenzhou_portal.templatetags.portal import localized_text

from . import limits, selectors, services
from .forms import (
    AnswerForm,
    DebunkSearchForm,
    LinkSendForm,
    RatingForm,
    ReportForm,
    ReviewRequestForm,
    TrackForm,
)
from .jsonld import claim_review
from .models import (
    CATEGORY_EXAMPLES,
    NATIONAL_CENTRE_CATEGORIES,
    Category,
    Evidence,
    Platform,
    Status,
)
from .services import reporter
from .services.claims import ClaimRefused, report_claim

SUBMITTED_SESSION_KEY = "rumors_submitted_code"
# The link taken out of a pasted share text, to say on the confirmation what was done.
LINK_CONTEXT_SESSION_KEY = "rumors_submitted_link_from_share_text"


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
    held = None
    answered: list = []
    if request.method == "POST":
        # One round trip for the limits: a flooding client is refused before its uploads
        # are decoded (what it had already had held is kept); the report reserved from the
        # budgets is given back unless it is accepted.
        checked = limits.submission_check(request)
        refused = checked.flood_refusal
        form = ReportForm(request.POST, None if refused else request.FILES)
        data = None
        form.is_valid()
        try:
            data = services.report_input_validate(form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc)
        if form.errors:
            data = None
            limits.submission_release(checked)
        if data is not None and refused is None:
            refused = checked.budget_refusal
            if refused is None:
                report = services.report_submit(
                    data=data,
                    images=form.images_to_submit(),
                    reporter=request.user if request.user.is_authenticated else None,
                )
                form.release_held()
                request.session[SUBMITTED_SESSION_KEY] = report.tracking_code
                request.session[LINK_CONTEXT_SESSION_KEY] = data.url if form.link_context else ""
                return redirect("rumors:submitted")
        held = form.hold_images()
        status = 429 if refused else 400
        cleaned = getattr(form, "cleaned_data", {})
        # Without JavaScript, the debunks the as-you-type suggestions would have shown.
        answered = selectors.debunks_resembling(
            text=str(request.POST.get("content", ""))[:2000],
            url=cleaned.get("url") or "",
            account=cleaned.get("account") or "",
        )
    else:
        form = ReportForm()
        status = 200
    response = render(
        request,
        "rumors/report_form.html",
        {
            "form": form,
            "held": held,
            "answered": answered,
            "categories": _category_notes(),
            "refusal": limits.submission_refusal_text(refused) if refused else "",
        },
        status=status,
    )
    if refused:
        response["Retry-After"] = str(refused.retry_after)
    return response


def _submitted_report(request: HttpRequest):
    return selectors.report_by_tracking_code(request.session.get(SUBMITTED_SESSION_KEY))


@never_cache
@require_GET
def report_submitted(request: HttpRequest) -> HttpResponse:
    report = _submitted_report(request)
    if report is None:
        return redirect("rumors:new")
    return _submitted_page(request, report, LinkSendForm())


def _submitted_page(
    request: HttpRequest, report, link_form: LinkSendForm, *, status: int = 200
) -> HttpResponse:
    answered = selectors.debunks_resembling(
        text=report.content, url=report.url, account=report.account
    )
    private_url = reporter.report_private_url(report)
    response = render(
        request,
        "rumors/report_submitted.html",
        {
            "report": report,
            "answered": answered,
            "private_url": private_url,
            "private_qr": qr_svg_data_uri(private_url),
            "link_form": link_form,
            "told_by": report.notification_channels(),
            "contact_phone_masked": mobile_masked(report.contact_phone),
            "link_from_share_text": request.session.get(LINK_CONTEXT_SESSION_KEY, ""),
        },
        status=status,
    )
    return _private(response)


@never_cache
@require_http_methods(["POST"])
def report_link_send(request: HttpRequest) -> HttpResponse:
    """Send the private link of the report just filed (this session's) to a typed address."""
    report = _submitted_report(request)
    if report is None:
        return redirect("rumors:new")
    form = LinkSendForm(request.POST)
    if not form.is_valid():
        return _submitted_page(request, report, form, status=400)
    try:
        channel, address = reporter.link_address_read(form.cleaned_data["address"])
        refused = limits.link_send_attempt(
            request, address=address, tracking_code=report.tracking_code
        )
        if refused:
            form.add_error("address", limits.link_send_refusal_text(refused))
            response = _submitted_page(request, report, form, status=429)
            response["Retry-After"] = str(refused.retry_after)
            return response
        reporter.report_link_send(report=report, address=address)
    except reporter.LinkNotSent as exc:
        for message in exc.messages:
            form.add_error("address", message)
        return _submitted_page(request, report, form, status=400)
    messages.success(
        request,
        gettext("查询链接已发送到您的手机 %(to)s，请注意查收短信。")
        % {"to": mobile_masked(address)}
        if channel == "sms"
        else gettext("查询链接已发送到您的电子邮箱 %(to)s，请注意查收。") % {"to": address},
    )
    return redirect("rumors:submitted")


def _my_reports_page(request: HttpRequest, claim_form=None, status: int = 200) -> HttpResponse:
    user = request.user
    context = {
        "reports": selectors.reports_of_citizen(user),
        "claim_form": claim_form or TrackForm(),
        "notify_form": NotifyForm(initial={"channel": user.notify_channel, "email": user.email}),
    }
    return _private(render(request, "rumors/my_reports.html", context, status=status))


@never_cache
@require_GET
@citizen_required
def my_reports(request: HttpRequest) -> HttpResponse:
    """我的举报: the signed-in citizen's reports, each opening its private tracking page."""
    return _my_reports_page(request)


@never_cache
@require_POST
@citizen_required
def my_reports_claim(request: HttpRequest) -> HttpResponse:
    """Claim an anonymously filed report by its tracking code."""
    refused = limits.lookup_attempt(request)
    if refused:
        return _lookup_refused(request, refused)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _my_reports_page(request, form, status=400)
    try:
        report = report_claim(citizen=request.user, code=form.cleaned_data["code"])
    except ClaimRefused as exc:
        form.add_error(None, exc)
        return _my_reports_page(request, form, status=404)
    messages.success(
        request,
        gettext("举报 %(code)s 已加入我的举报。") % {"code": report.formatted_tracking_code},
    )
    return redirect("rumors:mine")


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
    return _private(render(request, "rumors/report_track.html", context))


@never_cache
@require_GET
def report_track_private(request: HttpRequest, code: str) -> HttpResponse:
    """The private link: the tracking page with the code filled in."""
    refused = limits.lookup_attempt(request)
    if refused:
        return _lookup_refused(request, refused)
    context = _tracking_context(code)
    if context["report"] is None:
        return _miss(request)
    return _private(render(request, "rumors/report_track.html", context))


# The private link's page keeps its address to itself: search engines may not index it,
# and no request made from it (a stylesheet, a form, a link followed) carries its path in
# a Referer. "strict-origin" and not "no-referrer": with "no-referrer" browsers send
# `Origin: null` on the page's own form posts, which Django's CSRF check refuses, so the
# answer, the rating and the senior-mode switch would all fail on it.
REFERRER_POLICY = "strict-origin"


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = REFERRER_POLICY
    return response


def _miss(request: HttpRequest) -> HttpResponse:
    """Any miss, however it came about: the same page, the same words, the same status."""
    return _private(
        render(
            request,
            "rumors/report_track.html",
            {"form": TrackForm(), "searched": True, "report": None},
            status=404,
        )
    )


def _lookup_refused(request: HttpRequest, refused) -> HttpResponse:
    response = render(
        request,
        "429.html",
        {"refusal": limits.lookup_refusal_text(refused)},
        status=429,
    )
    response["Retry-After"] = str(refused.retry_after)
    return _private(response)


def _tracking_context(raw_code: str) -> dict:
    report = selectors.report_by_tracking_code(reporter.tracking_code_read(raw_code))
    # A malformed code and an unknown one answer the same way: nothing to enumerate.
    if report is None:
        return {"searched": True, "report": None}
    initial = {"code": report.tracking_code}
    review_refusal = reporter.review_refusal(report)
    information_request = reporter.report_information_request(report)
    return {
        "searched": True,
        "report": report,
        "form": TrackForm(initial={"code": report.formatted_tracking_code}),
        "timeline": selectors.report_public_timeline(report),
        "outcome": selectors.report_public_outcome(report),
        "rating_form": RatingForm(initial=initial)
        if report.status == Status.RESOLVED and not report.rating
        else None,
        "information_request": information_request,
        "answer_form": AnswerForm(initial=initial) if information_request else None,
        "review_form": ReviewRequestForm(initial=initial) if not review_refusal else None,
        "review_last_day": reporter.review_last_day(report) if not review_refusal else None,
    }


@never_cache
@require_http_methods(["POST"])
def report_answer(request: HttpRequest) -> HttpResponse:
    """The reporter answers a request for information; back to the private link after."""
    refused = limits.lookup_attempt(request)
    if refused:
        return _lookup_refused(request, refused)
    # Counted before the screenshots are decoded: a flood is refused cheaply.
    form = AnswerForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            report = reporter.report_reporter_answer(
                tracking_code=form.cleaned_data["code"],
                text=form.cleaned_data["text"],
                images=form.images_to_submit(),
            )
        except reporter.ReportNotFound:
            return _miss(request)
        except ValidationError as exc:
            errors = _add_errors(form, exc)
        else:
            form.release_held()
            messages.success(request, gettext("谢谢！您的补充已提交，办理部门会继续处理。"))
            return redirect("rumors:track_private", code=report.tracking_code)
    context = _tracking_context(request.POST.get("code", ""))
    report = context["report"]
    if report is None or context["answer_form"] is None:
        return _miss(request)
    context["answer_form"] = form
    context["answer_errors"] = errors
    context["answer_held"] = form.hold_images()
    return _private(render(request, "rumors/report_track.html", context, status=400))


@never_cache
@require_http_methods(["POST"])
def report_review(request: HttpRequest) -> HttpResponse:
    """An unsatisfied reporter asks for a second look; back to the private link after."""
    refused = limits.lookup_attempt(request)
    if refused:
        return _lookup_refused(request, refused)
    form = ReviewRequestForm(request.POST)
    errors: list[str] = []
    status = 400
    if form.is_valid():
        try:
            report = reporter.report_review_request(
                tracking_code=form.cleaned_data["code"], reason=form.cleaned_data["reason"]
            )
        except reporter.ReportNotFound:
            return _miss(request)
        except services.TransitionError as exc:
            errors, status = exc.messages, 409
        except ValidationError as exc:
            errors = _add_errors(form, exc)
        else:
            messages.success(request, gettext("您的复核申请已提交。"))
            return redirect("rumors:track_private", code=report.tracking_code)
    context = _tracking_context(request.POST.get("code", ""))
    if context["report"] is None:
        return _miss(request)
    if context["review_form"] is not None:
        context["review_form"] = form
    context["review_errors"] = errors
    return _private(render(request, "rumors/report_track.html", context, status=status))


def _add_errors(form, error: ValidationError) -> list[str]:
    """Put a service's refusal on the form's fields; what has no field is returned."""
    if not hasattr(error, "error_dict"):
        return error.messages
    loose = []
    for field, field_messages in error.message_dict.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
        else:
            loose.extend(field_messages)
    return loose


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
        return _private(render(request, "rumors/report_track.html", context))
    context.update(_tracking_context(request.POST.get("code", "")))
    if context.get("report") is not None and context.get("rating_form") is not None:
        context["rating_form"] = form
    return _private(render(request, "rumors/report_track.html", context, status=400))


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
    try:
        handle = evidence_files.open_private(path)
    except FileNotFoundError as exc:
        raise Http404 from exc
    if variant == "original":
        # Who looked at what a citizen sent, untouched: the original is streamed from here
        # only (never by a URL), so this record is complete.
        audit_record(
            action="rumors.evidence_original_viewed",
            actor=request.user,
            target=audit_target(item.report),
            request=request,
            detail={"evidence": item.pk, "sha256": item.original_sha256},
        )
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@require_GET
def debunk_list(request: HttpRequest) -> HttpResponse:
    form = DebunkSearchForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.get("q"):
        filters["q"] = _search_words(filters["q"])
    debunks = selectors.debunks_search(**{k: v for k, v in filters.items() if v})
    page = Paginator(debunks, 10).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rumors/debunk_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


# Douyin's share title names the account ("【某某的作品】"): not words of the claim.
_SHARE_AUTHOR = re.compile(r"【[^】]{0,40}的作品】")


def _search_words(query: str) -> str:
    """What to search for in a pasted share text: its title, without link and app words."""
    link, context = link_from_share_text(query)
    if not link:
        return query
    words = _SHARE_AUTHOR.sub(" ", context).replace("【", " ").replace("】", " ")
    return " ".join(words.split()) or link


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
                    "title": localized_text(debunk, "title"),
                    "verdict": str(debunk.get_verdict_display()),
                    "summary": localized_text(debunk, "summary"),
                    "url": debunk.get_absolute_url(),
                }
                for debunk in found
            ]
        }
    )
