import django_filters
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District

from . import selectors
from .models import Category, Department, Platform, Report, Status


class StaffReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    district = django_filters.ChoiceFilter(choices=District.choices)
    department = django_filters.ModelChoiceFilter(
        field_name="lead_department", queryset=Department.objects.all(), label=_("牵头部门")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("是否超期"))
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Report
        fields = []

    def filter_overdue(self, queryset, name, value):
        overdue = selectors.reports_overdue(queryset)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
