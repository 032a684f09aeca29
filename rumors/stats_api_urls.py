from django.urls import path

from . import stats_views

urlpatterns = [
    path("", stats_views.ReportStatisticsView.as_view(), name="report-stats"),
]
