from django.urls import path

from . import views

app_name = "civility_index"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("methodology/", views.methodology, name="methodology"),
    path("districts/<str:code>/", views.district_detail, name="district"),
    path("snapshots/<str:period>.csv", views.download_csv, name="download_csv"),
    path("snapshots/<str:period>.json", views.download_json, name="download_json"),
]
