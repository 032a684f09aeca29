"""The index API: snapshots as stored, never computed at request time."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from wenzhou_portal.api import error_response

from . import selectors, services
from .models import Snapshot
from .views import snapshot_document


class RobustnessSerializer(serializers.Serializer):
    """Where the rank lands when the weights are shaken (see the methodology page)."""

    rank_configured = serializers.IntegerField()
    rank_equal_weights = serializers.IntegerField()
    rank_min = serializers.IntegerField()
    rank_max = serializers.IntegerField()
    rank_median = serializers.FloatField()


class IndicatorResultSerializer(serializers.Serializer):
    raw = serializers.FloatField(allow_null=True, help_text="The measured value; null if none.")
    cases = serializers.IntegerField(allow_null=True, help_text="Cases behind a rate.")
    updated = serializers.DateTimeField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="0–100 after normalisation.")


class UnitResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    overall = serializers.FloatField(allow_null=True, help_text="Null if too much is missing.")
    rank = serializers.IntegerField(allow_null=True)
    improvement_rank = serializers.IntegerField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="Against the previous month.")
    dimensions = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text="Score per dimension code."
    )
    indicators = serializers.DictField(
        child=IndicatorResultSerializer(), help_text="Per indicator code."
    )
    flags = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text=(
            "[kind, detail, Chinese name, English name]; detail is an indicator or dimension "
            "code, or the missing share for insufficient_data."
        ),
    )
    robustness = RobustnessSerializer(allow_null=True)


class CityResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    overall = serializers.FloatField(allow_null=True)
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))


class SnapshotResultsSerializer(serializers.Serializer):
    units = serializers.DictField(child=UnitResultSerializer(), help_text="Per district code.")
    city = CityResultSerializer()


class SnapshotSerializer(serializers.Serializer):
    """One stored computation of one month: what the JSON download holds too."""

    period = serializers.CharField(help_text="YYYY-MM")
    version = serializers.IntegerField()
    published = serializers.BooleanField()
    computed_at = serializers.DateTimeField()
    stale = serializers.BooleanField(help_text="The method changed after this computation.")
    city_score = serializers.FloatField(allow_null=True)
    method = serializers.JSONField(
        help_text="The method as used: dimensions, indicators, goalposts, weights."
    )
    results = SnapshotResultsSerializer()


class SnapshotListView(APIView):
    """Every version of one month (`?period=YYYY-MM`), or the current one of each month."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, description="YYYY-MM, from 2000-01 to 2099-12"
            )
        ],
        # A plain list, newest first: at most 24 months, or the versions of one month.
        responses={200: SnapshotSerializer(many=True)},
    )
    def get(self, request):
        text = request.query_params.get("period")
        if text:
            try:
                period = services.parse_period(text)
            except DjangoValidationError as refused:
                raise ValidationError({"period": refused.messages}) from refused
            snapshots = list(Snapshot.objects.filter(period=period).order_by("-version"))
        else:
            snapshots = selectors.snapshots_current(periods=24)
        return Response([snapshot_document(snapshot) for snapshot in snapshots])


class LatestSnapshotView(APIView):
    """The newest month's current snapshot."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: SnapshotSerializer,
            404: error_response("No month has been computed yet."),
        }
    )
    def get(self, request):
        snapshots = selectors.snapshots_current(periods=1)
        if not snapshots:
            raise NotFound("还没有计算过清朗指数。")
        return Response(snapshot_document(snapshots[0]))
