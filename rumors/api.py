"""The report desk's JSON API: citizens submit and track; staff list, read and act."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from wenzhou_portal.api import ANY_SEGMENT, RateLimited, error_response, rate_limited_response
from wenzhou_portal.api_tokens import ApiTokenAuthentication
from wenzhou_portal.timeparse import parse_aware_datetime

from . import limits, selectors, services
from .filters import DebunkFilter, StaffReportFilter
from .models import ReportEvent
from .serializers import (
    ACTION_SERIALIZERS,
    ActiveDebunkLabelSerializer,
    DebunkDetailSerializer,
    DebunkLabelTombstoneSerializer,
    DebunkListSerializer,
    PublicTrackSerializer,
    ReporterAnswerSerializer,
    ReportSubmitSerializer,
    ReviewRequestSerializer,
    StaffReportDetailSerializer,
    StaffReportSerializer,
    SubmittedSerializer,
    WithdrawnDebunkSerializer,
)
from .services import reporter


class ReportTrackView(APIView):
    """The public timeline of one report; any miss answers the same 404."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses={
            200: PublicTrackSerializer,
            404: error_response("No report has this tracking code (any miss looks the same)."),
            429: rate_limited_response("Too many lookups from this client; wait, then try again."),
        }
    )
    def get(self, request, code: str):
        _count_lookup(request)
        report = selectors.report_by_tracking_code(reporter.tracking_code_read(code))
        if report is None:
            raise NotFound(TRACKING_MISS)
        return _public_track(report)


TRACKING_MISS = "没有找到与该查询码对应的举报。"


def _count_lookup(request) -> None:
    refused = limits.lookup_attempt(request)
    if refused:
        raise RateLimited(
            retry_after=refused.retry_after, detail=limits.lookup_refusal_text(refused)
        )


def _public_track(report) -> Response:
    body = {
        "tracking_code": report.formatted_tracking_code,
        "category": report.category,
        "public_status": report.public_status.value,
        "public_status_label": str(report.public_status.label),
        "outcome": selectors.report_public_outcome(report),
        "timeline": selectors.report_public_timeline(report),
    }
    response = Response(PublicTrackSerializer(body).data)
    response["Cache-Control"] = "no-store"
    return response


def _reporter_step(run):
    """Run a reporter's step by code: any miss is the lookup's 404, a refusal is 409."""
    try:
        report = run()
    except reporter.ReportNotFound as exc:
        raise NotFound(TRACKING_MISS) from exc
    except services.TransitionError as exc:
        return Response(
            {"errors": [{"field": "status", "message": message} for message in exc.messages]},
            status=status.HTTP_409_CONFLICT,
        )
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    return _public_track(selectors.report_by_tracking_code(report.tracking_code))


class ReportAnswerView(APIView):
    """The reporter answers a request for information (multipart for screenshots)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request=ReporterAnswerSerializer,
        responses={
            200: PublicTrackSerializer,
            404: error_response(
                "No report with this tracking code is waiting for its reporter's answer "
                "(an unknown code and a closed report look the same)."
            ),
            429: rate_limited_response("Too many lookups from this client; wait, then try again."),
        },
        summary="Answer a request for more information (up to five screenshots in `images`)",
    )
    def post(self, request, code: str):
        _count_lookup(request)
        serializer = ReporterAnswerSerializer(data=_submission_data(request))
        serializer.is_valid(raise_exception=True)
        return _reporter_step(
            lambda: services.report_reporter_answer(
                tracking_code=code,
                text=serializer.validated_data["text"],
                images=serializer.validated_data.get("images", []),
            )
        )


class ReportReviewView(APIView):
    """An unsatisfied reporter asks for a second look (复核), once, within 15 working days."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=ReviewRequestSerializer,
        responses={
            200: PublicTrackSerializer,
            404: error_response("No report has this tracking code (any miss looks the same)."),
            409: error_response(
                "A second look cannot be asked for: already asked, the 15 working days have "
                "passed, or the report is not resolved and rated unsatisfied (the message "
                "says which)."
            ),
            429: rate_limited_response("Too many lookups from this client; wait, then try again."),
        },
        summary="Ask for a second look at an outcome rated unsatisfied",
    )
    def post(self, request, code: str):
        _count_lookup(request)
        serializer = ReviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _reporter_step(
            lambda: services.report_review_request(
                tracking_code=code, reason=serializer.validated_data["reason"]
            )
        )


def _run_action(name: str):
    responses = {200: StaffReportDetailSerializer}
    if name != "note":  # a note may be added in any state
        responses[409] = error_response(
            "The report's current state does not allow this action (already closed, not "
            "yet routed…); the message says which state it is in."
        )

    def run(self, request, pk=None):
        report = self.get_object()
        # Who may act is decided before what they sent is read: a 403, not a 400.
        if not services.action_permitted(user=request.user, report=report, action=name):
            raise PermissionDenied(gettext("您无权对该举报执行此操作。"))
        serializer = ACTION_SERIALIZERS[name](data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.report_action_take(
                actor=request.user,
                report_id=report.pk,
                action=name,
                values=serializer.validated_data,
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.TransitionError as exc:
            return Response(
                {"errors": [{"field": "status", "message": message} for message in exc.messages]},
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ValidationError(exc.message_dict) from exc
            raise ValidationError({"non_field": exc.messages}) from exc
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(StaffReportDetailSerializer(fresh).data)

    run.__name__ = name
    endpoint = action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(run)
    # Outside @action: it replaces the function's kwargs, where the schema override lives, so
    # applied the other way round the override was dropped (the body was documented as a report).
    return extend_schema(
        request=ACTION_SERIALIZERS[name],
        responses=responses,
        summary=str(services.ACTION_LABELS[name]),
    )(endpoint)


class CanViewReports(BasePermission):
    """Staff whose role reads reports (handlers, office admins, auditors); not other staff."""

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("rumors.view_report")


class ReportViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Citizens file reports here; staff list and read them, scoped exactly as in admin."""

    filterset_class = StaffReportFilter
    # Any segment reaches the view, so "/reports/abc/" gets the API's 404, not the URL
    # resolver's HTML page.
    lookup_value_regex = ANY_SEGMENT
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        return [IsAdminUser(), CanViewReports()]

    @extend_schema(
        request={"multipart/form-data": ReportSubmitSerializer},
        responses={
            201: SubmittedSerializer,
            429: rate_limited_response(
                "Too many submissions from this client (per minute or per day, counted "
                "whether or not they were valid); the message says how long to wait."
            ),
        },
        summary="File a report (multipart; up to five screenshots in `images`)",
        description=(
            "At least one of `url`, `account` and `place_description` must be filled in "
            "(the body's `anyOf`); giving `contact_phone` or `contact_email` needs "
            "`contact_consent` true."
        ),
    )
    def create(self, request, *args, **kwargs):
        # One round trip: the attempt counted, one report reserved from the budgets.
        checked = limits.submission_check(request)
        refused = checked.flood_refusal
        if refused:
            raise RateLimited(
                retry_after=refused.retry_after, detail=limits.submission_refusal_text(refused)
            )
        serializer = ReportSubmitSerializer(data=_submission_data(request))
        try:
            serializer.is_valid(raise_exception=True)
            data = services.report_input_validate(serializer.to_input())
        except (ValidationError, DjangoValidationError) as exc:
            # Counted against the budgets only if the report is acceptable.
            limits.submission_release(checked)
            if isinstance(exc, DjangoValidationError):
                raise ValidationError(exc.message_dict) from exc
            raise
        refused = checked.budget_refusal
        if refused:
            raise RateLimited(
                retry_after=refused.retry_after, detail=limits.submission_refusal_text(refused)
            )
        report = services.report_submit(
            data=data,
            images=serializer.validated_data.get("images", []),
            # The service decides what a signed-in reporter gets (an observer's priority).
            reporter=request.user if request.user.is_authenticated else None,
        )
        return Response(SubmittedSerializer(report).data, status=status.HTTP_201_CREATED)

    def get_queryset(self):
        reports = selectors.reports_visible_to(self.request.user).order_by(
            "-priority", "-created_at"
        )
        if self.action != "list":
            reports = reports.prefetch_related(
                "co_handlers",
                Prefetch(
                    "events", queryset=ReportEvent.objects.select_related("actor", "department")
                ),
            )
        return reports

    def get_serializer_class(self):
        return StaffReportSerializer if self.action == "list" else StaffReportDetailSerializer


def _submission_data(request):
    """The submitted fields, uploads by reference.

    ``request.data.copy()`` would deep-copy the uploads, and a large photo spooled to a
    temporary file cannot be copied: a citizen's 7 MB photo must get "too large", not 500.
    A form body stays a QueryDict, so DRF reads its blank fields as a form's.
    """
    if not hasattr(request.data, "getlist"):
        return request.data
    data = QueryDict(mutable=True)
    for key, values in request.data.lists():
        if key != "images":
            data.setlist(key, values)
    data.setlist("images", request.FILES.getlist("images"))
    return data


# Every action of the table is an endpoint: POST /api/v1/reports/{id}/<action>/.
for _name in services.ACTIONS:
    setattr(ReportViewSet, _name, _run_action(_name))


class DebunkViewSet(viewsets.ReadOnlyModelViewSet):
    """Published debunks, with the same search and filters as the public pages."""

    permission_classes = [AllowAny]
    filterset_class = DebunkFilter
    lookup_field = "slug"
    lookup_value_regex = ANY_SEGMENT  # a dot too: "/debunks/a.b/" is the API's 404, not HTML

    def get_queryset(self):
        return selectors.debunks_published().select_related("authority").prefetch_related("sources")

    def get_serializer_class(self):
        return DebunkListSerializer if self.action == "list" else DebunkDetailSerializer

    @extend_schema(
        responses={
            200: DebunkDetailSerializer,
            404: error_response("No published debunk has this slug."),
            410: OpenApiResponse(
                WithdrawnDebunkSerializer,
                description="The debunk was withdrawn (撤回): when and why, not its content.",
            ),
        }
    )
    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            debunk = selectors.debunk_public_by_slug(kwargs[self.lookup_field])
            if debunk is None or not debunk.is_withdrawn:
                raise
        body = {
            "slug": debunk.slug,
            "status": "withdrawn",
            "withdrawn": True,
            "withdrawn_at": debunk.withdrawn_at,
            "withdrawal_reason": debunk.withdrawal_reason,
            "withdrawal_reason_en": debunk.withdrawal_reason_en,
            "authority": debunk.authority.name,
            "authority_en": debunk.authority.name_en,
        }
        return Response(WithdrawnDebunkSerializer(body).data, status=status.HTTP_410_GONE)


LABEL_SERIALIZERS = {
    "active": ActiveDebunkLabelSerializer,
    "withdrawn": DebunkLabelTombstoneSerializer,
}


class DebunkLabelsView(APIView):
    """The debunk-label feed for platforms (辟谣标签): poll it cheaply with ETag or ?since=."""

    permission_classes = [AllowAny]
    # Open to all; a platform's token, when sent, is checked and its use recorded (no
    # session: the feed is public and cacheable).
    authentication_classes = [ApiTokenAuthentication]

    @extend_schema(
        description=(
            "Every published debunk as a label, oldest change first. A withdrawn debunk "
            "(撤回) stays in the feed as a tombstone with the same `id`, "
            '`"status": "withdrawn"`, `"withdrawn": true`, `withdrawn_at` and '
            "`withdrawal_reason`: remove every tag with that id. A withdrawal moves the "
            "label's `updated_at` and changes the feed's `ETag` and `Last-Modified`, so a "
            "conditional request answers 200 with the tombstone, and a `?since=` poll from "
            "before the withdrawal receives it."
        ),
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description=(
                    "Only labels created, changed or withdrawn after this time (ISO 8601)."
                ),
            )
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="DebunkLabelEntry",
                serializers=LABEL_SERIALIZERS,
                resource_type_field_name="status",
                many=True,
            ),
            304: OpenApiResponse(description="not modified"),
        },
    )
    def get(self, request):
        since = _parse_since(request.query_params.get("since"))
        etag, last_modified = selectors.debunk_labels_version(since=since)
        if not_modified(request, etag=etag, last_modified=last_modified):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            labels = selectors.debunk_labels(since=since)
            response = Response(
                [LABEL_SERIALIZERS[label["status"]](label).data for label in labels]
            )
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        response["Cache-Control"] = "public, max-age=60"
        return response


def _parse_since(value: str | None):
    if not value:
        return None
    try:
        return parse_aware_datetime(value)
    except DjangoValidationError as exc:
        raise ValidationError({"since": exc.messages}) from exc


def not_modified(request, *, etag: str, last_modified) -> bool:
    """True if the client's cached copy is current (If-None-Match wins over If-Modified-Since)."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match == "*"
    if_modified_since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if if_modified_since is not None and last_modified is not None:
        return int(last_modified.timestamp()) <= if_modified_since
    return False
