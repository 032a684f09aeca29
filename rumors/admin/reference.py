"""Admin for the report desk's reference data: departments, routing rules, holidays."""

from django.contrib import admin

from wenzhou_portal.admin_audit import AuditedModelAdmin

from ..models import (
    CalendarDay,
    Department,
    RoutingRule,
)


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "district", "email", "is_active")
    list_filter = ("kind", "district", "is_active")
    search_fields = ("name",)
    filter_horizontal = ("members",)


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
