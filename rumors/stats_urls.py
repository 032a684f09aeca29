from django.urls import path

from wenzhou_portal.page_cache import public_page

from . import stats_views

# Included from rumors/urls.py, so the names resolve as "rumors:stats" and "rumors:stats_csv".
urlpatterns = [
    # Figures of every report: no version follows them, so a copy lives a minute at most.
    path("", public_page(seconds=60)(stats_views.stats_page), name="stats"),
    path("report-statistics.csv", stats_views.stats_csv, name="stats_csv"),
]
