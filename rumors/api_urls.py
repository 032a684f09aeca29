from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("reports", api.ReportViewSet, basename="report")
router.register("debunks", api.DebunkViewSet, basename="debunk")

urlpatterns = [
    path("reports/track/<str:code>/", api.ReportTrackView.as_view(), name="report-track"),
    path("reports/track/<str:code>/answer/", api.ReportAnswerView.as_view(), name="report-answer"),
    path("reports/track/<str:code>/review/", api.ReportReviewView.as_view(), name="report-review"),
    path("reports/stats/", include("rumors.stats_api_urls")),
    path("debunks/labels/", api.DebunkLabelsView.as_view(), name="debunk-labels"),
    path("", include(router.urls)),
]
