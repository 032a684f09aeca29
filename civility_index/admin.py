"""Index editors keep the method, the reference data and the entered values here.

Plain edits are recorded by ``AuditedModelAdmin``; a change of method, an import, a
publication and a requested recomputation go through the services, which write their
own audit event.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.admin_audit import AuditedModelAdmin
from wenzhou_portal.audit import audit_target

from . import services
from .models import (
    Dimension,
    DistrictPopulation,
    EnteredValue,
    Indicator,
    MethodSettings,
    Snapshot,
)


class MethodChangeMixin:
    """Saving or deleting any part of the method bumps its version and marks snapshots stale."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.has_changed():
            self._method_changed(request, audit_target(obj))

    def delete_model(self, request, obj):
        target = audit_target(obj)
        super().delete_model(request, obj)
        self._method_changed(request, target)

    def delete_queryset(self, request, queryset):
        targets = [audit_target(obj) for obj in queryset]
        super().delete_queryset(request, queryset)
        if targets:
            self._method_changed(request, ", ".join(targets))

    def _method_changed(self, request, cause: str) -> None:
        version = services.method_changed(actor=request.user, request=request, cause=cause)
        messages.info(
            request,
            _("计算方法已更新为 v%(version)s，已有结果标记为待重新计算。") % {"version": version},
        )


@admin.register(Dimension)
class DimensionAdmin(MethodChangeMixin, AuditedModelAdmin):
    list_display = ("name_zh", "code", "weight", "floor", "order")


@admin.register(Indicator)
class IndicatorAdmin(MethodChangeMixin, AuditedModelAdmin):
    list_display = (
        "name_zh",
        "code",
        "dimension",
        "direction",
        "weight",
        "scheme",
        "lower",
        "upper",
        "source",
        "is_active",
    )
    list_filter = ("dimension", "source", "is_active")


@admin.register(MethodSettings)
class MethodSettingsAdmin(MethodChangeMixin, AuditedModelAdmin):
    list_display = ("__str__", "normalisation", "max_missing_share", "min_cases", "updated_at")

    def has_add_permission(self, request) -> bool:
        return not MethodSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DistrictPopulation)
class DistrictPopulationAdmin(AuditedModelAdmin):
    list_display = ("district", "population", "year")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV 文件"),
        help_text=_("列：indicator, district, period (YYYY-MM), value, cases（可选）。"),
    )


@admin.register(EnteredValue)
class EnteredValueAdmin(AuditedModelAdmin):
    list_display = ("indicator", "district", "period", "value", "cases", "entered_by", "updated_at")
    list_filter = ("indicator", "district", "period")
    # entered_by may be empty, so admin's own select_related() would not follow it.
    list_select_related = ("indicator", "entered_by")
    change_list_template = "admin/civility_index/enteredvalue/change_list.html"

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="civility_index_enteredvalue_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            raw = form.cleaned_data["file"].read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("请使用 UTF-8 编码的 CSV 文件。"))
            else:
                report = services.entered_values_import(
                    text=text, actor=request.user, request=request
                )
                if report.ok:
                    messages.success(
                        request,
                        _("已导入：新增 %(created)s 条，更新 %(updated)s 条。")
                        % {"created": report.created, "updated": report.updated},
                    )
                    return HttpResponseRedirect(
                        reverse("admin:civility_index_enteredvalue_changelist")
                    )
        return TemplateResponse(
            request,
            "admin/civility_index/enteredvalue/import.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "report": report,
                "opts": self.model._meta,
                "title": _("导入填报数据"),
            },
            status=400 if report is not None and not report.ok else 200,
        )


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = (
        "period",
        "version",
        "method_version",
        "city_score",
        "is_published",
        "is_stale",
        "computed_at",
    )
    list_filter = ("is_published", "is_stale")
    readonly_fields = (
        "period",
        "version",
        "method_version",
        "computed_at",
        "is_published",
        "published_at",
        "is_stale",
        "city_score",
    )
    exclude = ("results", "method")
    actions = ["recompute", "publish"]
    change_list_template = "admin/civility_index/snapshot/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("重新计算所选月份"))
    def recompute(self, request, queryset):
        periods = services.snapshot_recompute_request(
            periods=[s.period for s in queryset], actor=request.user, request=request
        )
        messages.success(request, _("已安排重新计算 %(n)s 个月份。") % {"n": len(periods)})

    @admin.action(description=_("发布所选版本（作为修订）"))
    def publish(self, request, queryset):
        published = 0
        for snapshot in queryset:
            try:
                services.snapshot_publish(
                    snapshot_id=snapshot.pk, actor=request.user, request=request
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.warning(request, message)
            else:
                published += 1
        if published:
            messages.success(request, _("已发布。"))

    def get_urls(self):
        return [
            path(
                "recompute-current/",
                self.admin_site.admin_view(self.recompute_current),
                name="civility_index_snapshot_recompute",
            ),
            *super().get_urls(),
        ]

    def recompute_current(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and self.has_change_permission(request):
            current = services.month_start(timezone.localdate())
            services.snapshot_recompute_request(
                periods=[services.previous_month(current), current],
                actor=request.user,
                request=request,
            )
            messages.success(request, _("已安排重新计算本月和上月。"))
        return HttpResponseRedirect(reverse("admin:civility_index_snapshot_changelist"))
