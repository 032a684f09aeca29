"""Admin for the report desk's reference data: departments, routing rules, holidays."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.admin_audit import AuditedModelAdmin

from ..models import (
    CalendarDay,
    Department,
    RoutingRule,
)


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ("name", "name_en", "kind", "district", "email", "is_active")
    list_filter = ("kind", "district", "is_active")
    search_fields = ("name", "name_en")
    filter_horizontal = ("members",)
    fieldsets = [
        (None, {"fields": ["name", "kind", "district", "email", "members", "is_active"]}),
        (_("English / 英文"), {"classes": ["collapse"], "fields": ["name_en"]}),
    ]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedModelAdmin):
    """Rules are edited here; admin's history keeps each change with who made it."""

    list_display = (
        "__str__",
        "category",
        "platform",
        "district",
        "lead_department",
        "working_days",
        "is_active",
    )
    list_filter = ("is_active", "category", "platform", "district", "lead_department")
    filter_horizontal = ("co_handlers",)
    list_select_related = ("lead_department",)


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
