"""The campaigns API: public list and detail, and participation under the pages' rules."""

from collections.abc import Callable

from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from wenzhou_portal.api import ANY_SEGMENT, RateLimited, rate_limited_response
from wenzhou_portal.clients import client_hash
from wenzhou_portal.limits import Limit, limit_peek

from . import selectors, services
from .models import Campaign, CampaignKind
from .serializers import (
    CampaignDetailSerializer,
    CampaignSerializer,
    CodeSentSerializer,
    CodeSerializer,
    PhoneSerializer,
    PledgeSerializer,
    PledgeSignedSerializer,
    RegisteredSerializer,
    RegistrationSerializer,
    VoteCountedSerializer,
    VoterTokenSerializer,
    VoteSerializer,
)

VOTER_TOKEN_SALT = "campaigns.api.voter"  # noqa: S105  a signing namespace, not a secret
VOTER_TOKEN_SECONDS = 30 * 60


TOO_MANY_CODES = rate_limited_response(
    "Too many codes sent to this number (per day) or from this client (per hour).",
)
TOO_MANY_VOTES = rate_limited_response("Too many votes from this client (per hour).")
TOO_MANY_FORMS = rate_limited_response(
    "Too many event sign-ups or contest entries from this client (per minute).",
)


def _refused(exc: DjangoValidationError, *, wait: Callable[[], int] | None = None):
    """Raise the API's answer to a refusal from the services: 429 for a limit, else 400.

    ``wait`` is given by the operations whose service counts a limit (codes, votes).
    """
    if wait is not None and getattr(exc, "code", "") in ("too_many_codes", "too_many_votes"):
        raise RateLimited(retry_after=max(wait(), 1), detail=exc.messages[0])
    if hasattr(exc, "error_dict"):
        raise ValidationError(exc.message_dict)
    raise ValidationError({"non_field": exc.messages})


def _seconds_until_allowed(*checks: tuple[Limit, str]) -> int:
    # The services say only "refused"; how long until a (limit, key) pair lets the client
    # in again is read back without counting, so Retry-After tells the truth.
    return max(limit_peek(limit, key).retry_after for limit, key in checks)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=CampaignKind.values),
            OpenApiParameter("district", OpenApiTypes.STR, description="A district code."),
            OpenApiParameter("tag", OpenApiTypes.STR),
        ]
    )
)
class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Published campaigns, live first; filter with ?kind=, ?district=, ?tag=."""

    permission_classes = [AllowAny]
    authentication_classes = []
    lookup_field = "slug"
    # Any segment reaches the view (a dot too), so a bad slug gets the API's 404, not HTML.
    lookup_value_regex = ANY_SEGMENT
    serializer_class = CampaignSerializer

    def get_queryset(self):
        params = self.request.query_params
        kind = params.get("kind", "")
        if kind and kind not in CampaignKind.values:
            raise ValidationError({"kind": f"kind must be one of {', '.join(CampaignKind.values)}"})
        return selectors.campaigns_public(
            kind=kind, district=params.get("district", "")[:6], tag=params.get("tag", "")
        )

    def get_serializer_class(self):
        return CampaignSerializer if self.action == "list" else CampaignDetailSerializer

    def _campaign(self, slug: str) -> Campaign:
        return get_object_or_404(Campaign, slug=slug, is_published=True)

    @extend_schema(
        request=PhoneSerializer, responses={201: CodeSentSerializer, 429: TOO_MANY_CODES}
    )
    @action(detail=True, methods=["post"], url_path="phone-code")
    def phone_code(self, request, slug=None):
        campaign = self._campaign(slug)
        data = PhoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone = data.validated_data["phone"]
        try:
            if campaign.kind in (CampaignKind.VOTE, CampaignKind.CONTEST):
                if not campaign.voting_open_at(timezone.now()):
                    raise services.ParticipationRefused(
                        "现在不在投票时间内。", code="voting_closed"
                    )
            else:
                services.campaign_open_for(campaign, campaign.kind)
            verification = services.phone_code_send(phone=phone, client=client_hash(request))
        except DjangoValidationError as exc:
            _refused(
                exc,
                wait=lambda: _seconds_until_allowed(
                    (services.PHONE_CODE_PER_NUMBER, services.phone_hash(phone)),
                    (services.PHONE_CODE_PER_CLIENT, client_hash(request)),
                ),
            )
        return Response({"verification_id": verification.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(request=PledgeSerializer, responses={201: PledgeSignedSerializer})
    @action(detail=True, methods=["post"])
    def pledge(self, request, slug=None):
        campaign = self._campaign(slug)
        data = PledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            hashed = services.phone_code_check(
                verification_id=data.validated_data["verification_id"],
                code=data.validated_data["code"],
            )
            signature = services.pledge_sign(
                campaign=campaign,
                hashed_phone=hashed,
                display_name=data.validated_data["display_name"],
                district=data.validated_data.get("district", ""),
            )
        except DjangoValidationError as exc:
            _refused(exc)
        return Response({"number": signature.number}, status=status.HTTP_201_CREATED)

    @extend_schema(request=CodeSerializer, responses={200: VoterTokenSerializer})
    @action(detail=True, methods=["post"], url_path="voter-token")
    def voter_token(self, request, slug=None):
        self._campaign(slug)
        data = CodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            hashed = services.phone_code_check(
                verification_id=data.validated_data["verification_id"],
                code=data.validated_data["code"],
            )
        except DjangoValidationError as exc:
            _refused(exc)
        return Response({"voter_token": signing.dumps(hashed, salt=VOTER_TOKEN_SALT)})

    @extend_schema(
        request=VoteSerializer, responses={201: VoteCountedSerializer, 429: TOO_MANY_VOTES}
    )
    @action(detail=True, methods=["post"])
    def vote(self, request, slug=None):
        campaign = self._campaign(slug)
        data = VoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            hashed = signing.loads(
                data.validated_data["voter_token"],
                salt=VOTER_TOKEN_SALT,
                max_age=VOTER_TOKEN_SECONDS,
            )
        except signing.BadSignature as exc:
            raise ValidationError({"voter_token": "验证已过期或无效，请重新验证手机号。"}) from exc
        client_key = services.client_key(request)
        try:
            services.vote_cast(
                campaign=campaign,
                candidate_id=data.validated_data["candidate"],
                hashed_phone=hashed,
                client_key=client_key,
            )
        except DjangoValidationError as exc:
            _refused(
                exc, wait=lambda: _seconds_until_allowed((services.VOTES_PER_CLIENT, client_key))
            )
        return Response({"counted": True}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RegistrationSerializer, responses={201: RegisteredSerializer, 429: TOO_MANY_FORMS}
    )
    @action(detail=True, methods=["post"])
    def register(self, request, slug=None):
        campaign = self._campaign(slug)
        try:
            # The page's sign-up form spends the same budget (campaigns.views.common._flooding).
            services.campaign_form_guard(client=client_hash(request))
        except services.ParticipationLimited as exc:
            raise RateLimited(retry_after=exc.retry_after, detail=exc.messages[0]) from exc
        data = RegistrationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            verification = services.phone_code_verify(
                verification_id=data.validated_data["verification_id"],
                code=data.validated_data["code"],
            )
            registration = services.event_register(
                campaign=campaign, name=data.validated_data["name"], verification=verification
            )
        except DjangoValidationError as exc:
            _refused(exc)
        return Response(
            {"status": registration.status, "cancel_token": registration.cancel_token},
            status=status.HTTP_201_CREATED,
        )
