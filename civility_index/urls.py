from django.urls import path

from wenzhou_portal.page_cache import public_page

from . import views
from .page_versions import index_version

app_name = "civility_index"
urlpatterns = [
    path("", public_page(index_version)(views.dashboard), name="dashboard"),
    path("methodology/", public_page(index_version)(views.methodology), name="methodology"),
    path(
        "districts/<str:code>/", public_page(index_version)(views.district_detail), name="district"
    ),
    path("snapshots/<str:period>.csv", views.download_csv, name="download_csv"),
    path("snapshots/<str:period>.json", views.download_json, name="download_json"),
]
