from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("reports", api.ReportViewSet, basename="report")
router.register("debunks", api.DebunkViewSet, basename="debunk")

urlpatterns = [
    path("reports/track/<str:code>/", api.ReportTrackView.as_view(), name="report-track"),
    path("reports/stats/", include("rumors.stats_api_urls")),
    path("debunks/labels/", api.DebunkLabelsView.as_view(), name="debunk-labels"),
    path("", include(router.urls)),
]
