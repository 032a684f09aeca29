"""The index API: snapshots as stored, never computed at request time."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Snapshot
from .views import snapshot_document


class SnapshotListView(APIView):
    """Every version of one month (`?period=YYYY-MM`), or the current one of each month."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, description="YYYY-MM")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        text = request.query_params.get("period")
        if text:
            period = services.parse_period(text)
            if period is None:
                raise ValidationError({"period": "月份格式应为 YYYY-MM，例如 2026-10。"})
            snapshots = list(Snapshot.objects.filter(period=period).order_by("-version"))
        else:
            snapshots = selectors.snapshots_current(periods=24)
        return Response([snapshot_document(snapshot) for snapshot in snapshots])


class LatestSnapshotView(APIView):
    """The newest month's current snapshot."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        snapshots = selectors.snapshots_current(periods=1)
        if not snapshots:
            raise NotFound("还没有计算过清朗指数。")
        return Response(snapshot_document(snapshots[0]))
