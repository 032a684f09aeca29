from django.urls import path

from wenzhou_portal.page_cache import public_page

from . import api
from .page_versions import index_version

urlpatterns = [
    path(
        "snapshots/",
        public_page(index_version, negotiated=True)(api.SnapshotListView.as_view()),
        name="index-snapshots",
    ),
    path(
        "latest/",
        public_page(index_version, negotiated=True)(api.LatestSnapshotView.as_view()),
        name="index-latest",
    ),
]
