from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("市民网络观察团"), {"fields": ("is_citizen_observer",)}),
    )
    list_display = ("username", "email", "is_staff", "is_citizen_observer", "is_active")
    list_filter = ("is_staff", "is_citizen_observer", "is_active", "groups")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "action", "actor", "target", "ip_address")
    list_filter = ("action",)
    search_fields = ("target", "actor__username")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)

    # Audit events are append-only: nobody edits or deletes them, not even a superuser.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
