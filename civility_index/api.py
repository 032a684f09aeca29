"""The index API: snapshots as stored, never computed at request time."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from wenzhou_portal.api import error_response

from . import selectors, services
from .models import Snapshot
from .serializers import SnapshotSerializer
from .views import snapshot_document


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
            raise NotFound(gettext("还没有计算过清朗指数。"))
        return Response(snapshot_document(snapshots[0]))
