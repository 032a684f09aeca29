"""What citizens gave, seen by editors: signatures, event sign-ups, daily page views.

Rows are never added here. Hiding a signature from the wall is moderation, so it goes
through the service and its audit event. Signatures and sign-ups export as CSV.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.admin_audit import AuditedModelAdmin
from wenzhou_portal.csv_export import csv_download

from .. import services
from ..models import EventRegistration, PageViewDay, Signature


@admin.register(Signature)
class SignatureAdmin(AuditedModelAdmin):
    list_display = (
        "campaign",
        "number",
        "display_name",
        "district",
        "is_hidden",
        "signed_at",
        "withdrawn_at",
    )
    list_filter = (
        "campaign",
        "is_hidden",
        "district",
        ("withdrawn_at", admin.EmptyFieldListFilter),
    )
    list_editable = ("is_hidden",)
    exclude = ("phone_hash",)
    # Withdrawn by the signer within 10 minutes (campaigns.services.signature_withdraw).
    readonly_fields = (
        "campaign",
        "number",
        "display_name",
        "district",
        "signed_at",
        "withdrawn_at",
    )

    actions = ["export_csv"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # Only "not on the wall" is editable here: moderation, so through the service.
        services.signature_hide(
            signature_id=obj.pk, hidden=obj.is_hidden, actor=request.user, request=request
        )

    @admin.action(description=_("导出签名名单（姓名已遮挡，CSV）"))
    def export_csv(self, request, queryset):
        from wenzhou_portal.templatetags.portal import mask_name

        header = [_("活动"), _("签名序号"), _("署名"), _("县（市、区）"), _("签名时间")]
        rows = (
            [
                row.campaign.title,
                row.number,
                mask_name(row.display_name),
                row.get_district_display(),
                row.signed_at.isoformat(),
            ]
            for row in queryset.select_related("campaign").order_by("campaign", "number")
        )
        return csv_download([header, *rows], filename="signatures.csv")


@admin.register(EventRegistration)
class EventRegistrationAdmin(AuditedModelAdmin):
    list_display = ("campaign", "name", "phone_tail", "status", "created_at")
    list_filter = ("campaign", "status")
    exclude = ("phone_hash", "cancel_token")
    readonly_fields = ("campaign", "name", "phone_tail", "status", "created_at")
    actions = ["export_csv"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("导出报名名单（CSV）"))
    def export_csv(self, request, queryset):
        header = [_("活动"), _("姓名"), _("手机尾号"), _("状态"), _("报名时间")]
        rows = (
            [
                row.campaign.title,
                row.name,
                row.phone_tail,
                row.get_status_display(),
                row.created_at.isoformat(),
            ]
            for row in queryset.select_related("campaign").order_by("campaign", "created_at")
        )
        return csv_download([header, *rows], filename="attendees.csv")


@admin.register(PageViewDay)
class PageViewDayAdmin(AuditedModelAdmin):
    list_display = ("campaign", "day", "views", "unique_visitors")
    list_filter = ("campaign",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
