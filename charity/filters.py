"""The public filters of the charity API; each narrows the one public selector."""

import django_filters
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District

from .models import PUBLIC_PROJECT_STATUSES, Cause, Organisation, Project
from .selectors import PUBLIC_ORGANISATION_STATUSES


class ProjectFilter(django_filters.FilterSet):
    district = django_filters.ChoiceFilter(choices=District.choices, label=_("县（市、区）"))
    cause = django_filters.ChoiceFilter(choices=Cause.choices, label=_("领域"))
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in PUBLIC_PROJECT_STATUSES], label=_("状态")
    )
    organisation = django_filters.CharFilter(
        field_name="organisation__credit_code", label=_("发起组织的统一社会信用代码")
    )

    class Meta:
        model = Project
        fields = []


class OrganisationFilter(django_filters.FilterSet):
    district = django_filters.ChoiceFilter(choices=District.choices, label=_("县（市、区）"))
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in PUBLIC_ORGANISATION_STATUSES], label=_("状态")
    )

    class Meta:
        model = Organisation
        fields = []
