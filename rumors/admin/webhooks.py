"""Admin for webhooks: office admins manage endpoints; staff read the delivery log."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.admin_audit import AuditedModelAdmin, SecretShownOnceMixin

from ..models import WebhookDelivery, WebhookEndpoint
from ..services import webhook_secret_generate


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SecretShownOnceMixin, AuditedModelAdmin):
    """Endpoints are switched off, never deleted: their deliveries are the log."""

    list_display = ("name", "department", "url", "is_active", "created_at")
    list_filter = ("is_active", "department")
    search_fields = ("name", "url")
    fields = ("name", "department", "url", "is_active")
    list_select_related = ("department",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.secret = webhook_secret_generate()
            obj.shown_secret = obj.secret
        super().save_model(request, obj, form, change)

    created_page_template = "admin/rumors/webhookendpoint/created.html"
    created_page_title = _("Webhook 回调已创建")
    created_page_object_name = "endpoint"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only, written only by the webhook service."""

    list_display = (
        "created_at",
        "endpoint",
        "event_kind",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "next_retry_at",
        "delivered_at",
    )
    list_filter = ("state", "endpoint__department", "event_kind")
    search_fields = ("=delivery_id",)
    fields = (
        "delivery_id",
        "endpoint",
        "display_report",
        "event_kind",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "next_retry_at",
        "delivered_at",
        "created_at",
        "body",
    )
    readonly_fields = fields
    list_select_related = ("endpoint__department",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("举报编号"))
    def display_report(self, delivery) -> int:
        return delivery.event.report_id
