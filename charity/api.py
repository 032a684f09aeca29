"""The charity API: public, read-only lists and details of organisations and projects."""

from django.db.models import Prefetch
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from wenzhou_portal.api import ANY_SEGMENT

from . import selectors
from .filters import OrganisationFilter, ProjectFilter
from .models import Disclosure
from .serializers import (
    OrganisationDetailSerializer,
    OrganisationSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
)


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Verified (and suspended) charity organisations; filter with ?district=, ?status=."""

    permission_classes = [AllowAny]
    authentication_classes = []
    filterset_class = OrganisationFilter
    lookup_field = "credit_code"
    lookup_value_regex = ANY_SEGMENT  # a bad code gets the API's 404, not the HTML page

    def get_queryset(self):
        return selectors.organisations_public()

    def get_serializer_class(self):
        return OrganisationSerializer if self.action == "list" else OrganisationDetailSerializer


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Published projects; filter with ?district=, ?cause=, ?status=, ?organisation=."""

    permission_classes = [AllowAny]
    authentication_classes = []
    filterset_class = ProjectFilter
    lookup_value_regex = ANY_SEGMENT

    def get_queryset(self):
        rows = selectors.projects_public()
        if self.action == "retrieve":
            rows = rows.prefetch_related(
                Prefetch("disclosures", queryset=Disclosure.objects.order_by("-published_at")),
                "corrections",
            )
        return rows

    def get_serializer_class(self):
        return ProjectSerializer if self.action == "list" else ProjectDetailSerializer
