from django.urls import path

from . import stats_views

# Included from rumors/urls.py, so the names resolve as "rumors:stats" and "rumors:stats_csv".
urlpatterns = [
    path("", stats_views.stats_page, name="stats"),
    path("report-statistics.csv", stats_views.stats_csv, name="stats_csv"),
]
