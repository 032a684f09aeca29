from django.urls import path

from . import api

urlpatterns = [
    path("snapshots/", api.SnapshotListView.as_view(), name="index-snapshots"),
    path("latest/", api.LatestSnapshotView.as_view(), name="index-latest"),
]
