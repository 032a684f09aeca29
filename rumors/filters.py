import django_filters
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District
from wenzhou_portal.timeparse import AwareDateTimeField

from . import selectors
from .models import Category, Debunk, Department, Platform, Report, Status, Verdict


class AwareIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 as every date-time from a client is read: aware, years 1970–2100.

    django-filter's own field lets "0001-01-01T00:00:00" through, which overflows on SQLite
    and silently means "anything" on PostgreSQL.
    """

    field_class = AwareDateTimeField


class StaffReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    district = django_filters.ChoiceFilter(choices=District.choices)
    department = django_filters.ModelChoiceFilter(
        field_name="lead_department", queryset=Department.objects.all(), label=_("牵头部门")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("是否超期"))
    created_after = AwareIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = AwareIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Report
        fields = []

    def filter_overdue(self, queryset, name, value):
        overdue = selectors.reports_overdue(queryset)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class DebunkFilter(django_filters.FilterSet):
    """The public debunk filters; each delegates to the one search selector."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, method="search")
    category = django_filters.ChoiceFilter(choices=Category.choices, method="search")
    district = django_filters.ChoiceFilter(choices=District.choices, method="search")
    date_from = django_filters.DateFilter(method="search")
    date_to = django_filters.DateFilter(method="search")

    class Meta:
        model = Debunk
        fields = []

    def search(self, queryset, name, value):
        return queryset & selectors.debunks_search(**{name: value})
