from django.urls import include, path

from . import views

app_name = "rumors"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("new/", views.report_new, name="new"),
    path("submitted/", views.report_submitted, name="submitted"),
    path("track/", views.report_track, name="track"),
    path("track/rate/", views.report_rate, name="rate"),
    path("stats/", include("rumors.stats_urls")),
    path(
        "evidence/<int:pk>/<str:variant>/",
        views.evidence_file,
        name="evidence",
    ),
]
