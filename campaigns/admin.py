"""Campaign editors create, preview, publish and close campaigns and see participation."""

import csv
import io

from django.contrib import admin
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Campaign, EventRegistration, ExternalReach, PageViewDay, Signature


class ExternalReachInline(admin.TabularInline):
    model = ExternalReach
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "state_label",
        "is_published",
        "starts_at",
        "ends_at",
        "participants",
        "preview",
    )
    list_filter = ("kind", "is_published")
    search_fields = ("title", "summary", "tags")
    prepopulated_fields = {}
    inlines = [ExternalReachInline]
    readonly_fields = ("reach_figures",)
    actions = ["publish", "close_now"]

    @admin.display(description=_("状态"))
    def state_label(self, obj: Campaign) -> str:
        return obj.state.label

    @admin.display(description=_("参与人数"))
    def participants(self, obj: Campaign) -> int:
        return selectors.campaign_reach(obj)["participants"]["value"]

    @admin.display(description=_("预览"))
    def preview(self, obj: Campaign) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), _("查看")
        )

    @admin.display(description=_("传播与参与"))
    def reach_figures(self, obj: Campaign) -> str:
        if not obj.pk:
            return "—"
        figures = selectors.campaign_reach(obj)
        return format_html(
            "<ul>{}</ul>",
            format_html(
                "".join(
                    format_html("<li>{}：{}（{}）</li>", f["label"], f["value"], f["definition"])
                    for f in figures.values()
                )
            ),
        )

    @admin.action(description=_("发布所选活动"))
    def publish(self, request, queryset):
        queryset.update(is_published=True)

    @admin.action(description=_("立即结束所选活动"))
    def close_now(self, request, queryset):
        from django.utils import timezone

        now = timezone.now()
        for campaign in queryset.filter(ends_at__gt=now, starts_at__lt=now):
            campaign.ends_at = now
            campaign.save(update_fields=["ends_at"])


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ("campaign", "number", "display_name", "district", "is_hidden", "signed_at")
    list_filter = ("campaign", "is_hidden", "district")
    list_editable = ("is_hidden",)
    exclude = ("phone_hash",)
    readonly_fields = ("campaign", "number", "display_name", "district", "signed_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(EventRegistration)
class EventRegistrationAdmin(admin.ModelAdmin):
    list_display = ("campaign", "name", "phone_tail", "status", "created_at")
    list_filter = ("campaign", "status")
    exclude = ("phone_hash", "cancel_token")
    readonly_fields = ("campaign", "name", "phone_tail", "status", "created_at")
    actions = ["export_csv"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("导出报名名单（CSV）"))
    def export_csv(self, request, queryset):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([_("活动"), _("姓名"), _("手机尾号"), _("状态"), _("报名时间")])
        for row in queryset.select_related("campaign").order_by("campaign", "created_at"):
            writer.writerow(
                [
                    row.campaign.title,
                    row.name,
                    row.phone_tail,
                    row.get_status_display(),
                    row.created_at.isoformat(),
                ]
            )
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="attendees.csv"'
        return response


@admin.register(PageViewDay)
class PageViewDayAdmin(admin.ModelAdmin):
    list_display = ("campaign", "day", "views", "unique_visitors")
    list_filter = ("campaign",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
