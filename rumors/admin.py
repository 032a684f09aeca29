"""Staff work on reports in admin, through the same selectors and services as the API."""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District

from . import selectors, services
from .models import (
    CalendarDay,
    Category,
    Debunk,
    DebunkAppearance,
    DebunkSource,
    Department,
    RejectionReason,
    Report,
    ReportEvent,
    RoutingRule,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "district", "email", "is_active")
    list_filter = ("kind", "district", "is_active")
    search_fields = ("name",)
    filter_horizontal = ("members",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
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
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否超期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已超期")), ("no", _("未超期"))]

    def queryset(self, request, queryset):
        overdue = selectors.reports_overdue(queryset)
        if self.value() == "yes":
            return overdue
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue.values("pk"))
        return queryset


class EscalatedFilter(admin.SimpleListFilter):
    title = _("超期上报")
    parameter_name = "escalated"

    def lookups(self, request, model_admin):
        return [("yes", _("已上报网信办")), ("reminded", _("已催办"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(escalated_at__isnull=False)
        if self.value() == "reminded":
            return queryset.filter(reminder_sent_at__isnull=False)
        return queryset


class ReportActionForm(forms.Form):
    action = forms.ChoiceField(choices=list(services.ACTION_LABELS.items()))
    public_text = forms.CharField(
        label=_("给举报人的说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal_text = forms.CharField(
        label=_("内部说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.ChoiceField(
        label=_("不予受理原因"),
        required=False,
        choices=[("", "---------"), *RejectionReason.choices],
    )
    redirect_to = forms.CharField(label=_("可另行反映的渠道"), required=False, max_length=200)
    department = forms.ModelChoiceField(
        label=_("分办到"), required=False, queryset=Department.objects.filter(is_active=True)
    )
    working_days = forms.IntegerField(
        label=_("办理时限（工作日）"), required=False, min_value=1, initial=5
    )
    primary_code = forms.CharField(label=_("合并到（查询码）"), required=False, max_length=40)
    category = forms.ChoiceField(label=_("类别"), required=False, choices=Category.choices)
    district = forms.ChoiceField(
        label=_("县（市、区）"), required=False, choices=[("", "---------"), *District.choices]
    )


CSV_COLUMNS = [
    ("tracking_code", _("查询码")),
    ("created_at", _("提交时间")),
    ("category", _("类别")),
    ("platform", _("平台")),
    ("district", _("县（市、区）")),
    ("status", _("状态")),
    ("lead_department", _("牵头部门")),
    ("due_at", _("办理期限")),
    ("closed_at", _("办结时间")),
    ("rating", _("评价")),
]


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    change_form_template = "admin/rumors/report/change_form.html"
    list_display = (
        "code",
        "category",
        "platform",
        "district",
        "status",
        "lead_department",
        "due_at",
        "overdue",
        "heat",
        "priority",
        "created_at",
    )
    list_filter = (
        "status",
        "category",
        "platform",
        "district",
        "lead_department",
        OverdueFilter,
        EscalatedFilter,
        "routing_state",
    )
    search_fields = ("tracking_code", "content", "account", "url")
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["export_csv"]
    fields = (
        "code",
        "category",
        "platform",
        "district",
        "url",
        "account",
        "place_description",
        "content",
        "seen_at",
        "status",
        "lead_department",
        "routing_rule",
        "due_at",
        "paused_at",
        "merged_into",
        "duplicate_of",
        "debunk",
        "public_feedback",
        "rating",
        "rating_comment",
        "priority",
        "created_at",
        "closed_at",
    )
    readonly_fields = fields

    @admin.display(description=_("查询码"), ordering="tracking_code")
    def code(self, obj: Report) -> str:
        return obj.formatted_tracking_code

    @admin.display(description=_("超期"), boolean=True)
    def overdue(self, obj: Report) -> bool:
        return obj.is_overdue

    def get_queryset(self, request):
        return selectors.reports_with_heat(selectors.reports_visible_to(request.user))

    @admin.display(description=_("热度"), ordering="heat")
    def heat(self, obj: Report) -> int:
        return obj.heat

    def get_search_results(self, request, queryset, search_term):
        code = services.tracking_code_normalise(search_term)
        if code:
            return queryset.filter(tracking_code=code), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request) -> bool:
        return False  # reports come from citizens only

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # fields are never edited directly; handling goes through the actions

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of a report is never deleted

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not selectors.is_office_admin(request.user):
            actions.pop("export_csv", None)
        return actions

    @admin.action(description=_("导出所选举报（CSV）"))
    def export_csv(self, request, queryset):
        if not selectors.is_office_admin(request.user):
            raise PermissionDenied
        writer = csv.writer(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow([str(label) for _name, label in CSV_COLUMNS])
            for report in queryset.select_related("lead_department").order_by("created_at"):
                yield writer.writerow(
                    [
                        report.formatted_tracking_code,
                        timezone.localtime(report.created_at).isoformat(),
                        report.get_category_display(),
                        report.get_platform_display(),
                        report.get_district_display(),
                        report.get_status_display(),
                        report.lead_department.name if report.lead_department else "",
                        timezone.localtime(report.due_at).isoformat() if report.due_at else "",
                        timezone.localtime(report.closed_at).isoformat()
                        if report.closed_at
                        else "",
                        report.get_rating_display(),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="reports.csv"'
        return response

    def get_urls(self):
        return [
            path(
                "<int:object_id>/act/",
                self.admin_site.admin_view(self.act_view),
                name="rumors_report_act",
            ),
            path(
                "<int:object_id>/contact/",
                self.admin_site.admin_view(self.contact_view),
                name="rumors_report_contact",
            ),
            *super().get_urls(),
        ]

    def _visible_or_404(self, request, object_id) -> Report:
        report = self.get_queryset(request).filter(pk=object_id).first()
        if report is None:
            raise Http404(_("举报不存在或您无权查看。"))
        return report

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self._visible_or_404(request, object_id)
        extra_context = extra_context or {}
        extra_context.update(
            {
                "events": ReportEvent.objects.filter(report=report).select_related(
                    "actor", "department"
                ),
                "evidence_items": report.evidence.all(),
                "co_handlers": report.co_handlers.all(),
                "allowed_actions": [
                    (name, services.ACTION_LABELS[name])
                    for name in services.actions_allowed(user=request.user, report=report)
                ],
                "action_form": ReportActionForm(
                    initial={"category": report.category, "district": report.district}
                ),
                "can_see_contact": selectors.is_office_admin(request.user),
                "can_see_original": selectors.is_office_admin(request.user),
                "has_contact": bool(report.contact_phone or report.contact_email),
                "duplicates": selectors.report_duplicate_candidates(report),
                "resembling_debunks": selectors.debunks_resembling(
                    text=report.content, url=report.url, account=report.account
                ),
            }
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def act_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        report = self._visible_or_404(request, object_id)
        change_url = reverse("admin:rumors_report_change", args=[report.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        form = ReportActionForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                for error in errors:
                    messages.error(request, f"{field}: {error}")
            return HttpResponseRedirect(change_url)
        try:
            services.report_act(user=request.user, report=report, data=form.cleaned_data)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您无权执行此操作。"))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            label = services.ACTION_LABELS[form.cleaned_data["action"]]
            messages.success(request, _("已完成：%(action)s") % {"action": label})
        return HttpResponseRedirect(change_url)

    def contact_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        report = self._visible_or_404(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:rumors_report_change", args=[report.pk]))
        contact = services.report_contact_view(report_id=report.pk, actor=request.user)
        return TemplateResponse(
            request,
            "admin/rumors/report/contact.html",
            {
                **self.admin_site.each_context(request),
                "report": report,
                "contact": contact,
                "opts": self.model._meta,
                "title": _("举报人联系方式"),
            },
        )


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "report", "kind", "actor", "department", "to_status")
    list_filter = ("kind",)
    list_select_related = ("report", "actor", "department")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(report__in=selectors.reports_visible_to(request.user))
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # events are append-only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DebunkForm(forms.ModelForm):
    district_choices = forms.MultipleChoiceField(
        label=_("涉及县（市、区）"),
        required=False,
        choices=District.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    category_choices = forms.MultipleChoiceField(
        label=_("涉及类别"),
        required=False,
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    link_report_codes = forms.CharField(
        label=_("关联举报（查询码，每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("发布后，这些举报将自动办结并附上本辟谣的链接。"),
    )

    class Meta:
        model = Debunk
        fields = [
            "title",
            "slug",
            "claim",
            "verdict",
            "summary",
            "body",
            "authority",
            "tags",
            "keywords",
        ]
        error_messages = {"slug": {"unique": _("这个网址名已被其他辟谣使用，请换一个。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["district_choices"].initial = self.instance.district_codes
            self.fields["category_choices"].initial = self.instance.category_codes

    def clean_link_report_codes(self) -> list[Report]:
        reports, unknown = [], []
        for line in self.cleaned_data["link_report_codes"].split():
            report = selectors.report_by_tracking_code(services.tracking_code_normalise(line))
            (reports.append(report) if report else unknown.append(line))
        if unknown:
            raise forms.ValidationError(
                _("找不到这些查询码：%(codes)s") % {"codes": "、".join(unknown)}
            )
        return reports

    def save(self, commit=True):
        debunk = super().save(commit=False)
        debunk.districts = Debunk.pack_codes(self.cleaned_data["district_choices"])
        debunk.categories = Debunk.pack_codes(self.cleaned_data["category_choices"])
        if commit:
            debunk.save()
        return debunk


class DebunkSourceInline(admin.TabularInline):
    model = DebunkSource
    extra = 1


class DebunkAppearanceInline(admin.TabularInline):
    model = DebunkAppearance
    extra = 1


@admin.register(Debunk)
class DebunkAdmin(admin.ModelAdmin):
    form = DebunkForm
    inlines = [DebunkSourceInline, DebunkAppearanceInline]
    list_display = ("title", "verdict", "authority", "is_published", "published_at", "linked")
    list_filter = ("is_published", "verdict", "authority")
    search_fields = ("title", "claim", "keywords")
    readonly_fields = ("is_published", "published_at", "corrected_at", "correction_note")
    actions = ["publish"]

    def get_fieldsets(self, request, obj=None):
        main = (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "claim",
                    "verdict",
                    "summary",
                    "body",
                    "authority",
                    "district_choices",
                    "category_choices",
                    "tags",
                    "keywords",
                    "link_report_codes",
                ]
            },
        )
        status = (
            _("发布与更正"),
            {"fields": ["is_published", "published_at", "corrected_at", "correction_note"]},
        )
        return [main, status]

    @admin.display(description=_("关联举报"), ordering="linked_count")
    def linked(self, obj: Debunk) -> int:
        return obj.linked_count

    def get_queryset(self, request):
        # Counted in the list query itself, not one query per row.
        debunks = (
            super()
            .get_queryset(request)
            .select_related("authority")
            .annotate(linked_count=Count("reports"))
        )
        if selectors.is_office_admin(request.user):
            return debunks
        return debunks.filter(authority__in=selectors.user_department_ids(request.user))

    def has_change_permission(self, request, obj=None) -> bool:
        # Departments draft; once published only the office changes a debunk.
        if (
            obj is not None
            and obj.is_published
            and not request.user.has_perm("rumors.publish_debunk")
        ):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        for report in form.cleaned_data.get("link_report_codes") or []:
            try:
                services.report_link_debunk(
                    report_id=report.pk, actor=request.user, debunk_id=obj.pk
                )
            except (PermissionDenied, ValidationError) as exc:
                messages.warning(request, f"{report.formatted_tracking_code}: {exc}")

    def get_urls(self):
        return [
            path(
                "<int:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="rumors_debunk_publish",
            ),
            path(
                "<int:object_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="rumors_debunk_correct",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": request.user.has_perm("rumors.publish_debunk"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("发布所选辟谣"))
    def publish(self, request, queryset):
        for debunk in queryset:
            self._publish(request, debunk)

    def _publish(self, request, debunk: Debunk) -> None:
        try:
            services.debunk_publish(debunk_id=debunk.pk, actor=request.user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("已发布《%(title)s》，关联的举报将自动办结。") % {"title": debunk.title},
            )

    def publish_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        debunk = self.get_queryset(request).filter(pk=object_id).first()
        if debunk is None:
            raise Http404
        if request.method == "POST":
            self._publish(request, debunk)
        return HttpResponseRedirect(reverse("admin:rumors_debunk_change", args=[object_id]))

    def correct_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        debunk = self.get_queryset(request).filter(pk=object_id).first()
        if debunk is None:
            raise Http404
        if request.method == "POST":
            try:
                services.debunk_correct(
                    debunk_id=debunk.pk, actor=request.user, note=request.POST.get("note", "")
                )
            except (PermissionDenied, ValidationError) as exc:
                for message in getattr(exc, "messages", [str(exc)]):
                    messages.error(request, message)
            else:
                messages.success(request, _("已更正，相关举报人将收到通知。"))
        return HttpResponseRedirect(reverse("admin:rumors_debunk_change", args=[object_id]))
