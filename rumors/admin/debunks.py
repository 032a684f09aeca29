"""Admin for debunks: drafting, publishing, correcting and withdrawing (never deleting)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.admin_audit import AuditedModelAdmin
from wenzhou_portal.districts import District
from wenzhou_portal.tags import tags_parse
from wenzhou_portal.text import has_spoofing, neutralise_html

from .. import selectors, services
from ..models import (
    Category,
    Debunk,
    DebunkAppearance,
    DebunkSource,
    Report,
)
from .display import _shown, _spoofing_badge

# The English siblings editors fill in; on English pages an empty one shows the Chinese
# with a "(中文)" mark.
ENGLISH_FIELDS = ["title_en", "claim_en", "summary_en", "body_en", "correction_note_en"]
ENGLISH_FIELDSET_CLASSES = ["collapse"]


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
    tags_text = forms.CharField(
        label=_("标签"), required=False, max_length=300, help_text=_("用逗号分隔。")
    )
    tags_text_en = forms.CharField(
        label=_("英文标签"),
        required=False,
        max_length=600,
        help_text=_("按中文标签的顺序，一个对一个，用逗号分隔；不填则英文页面显示中文。"),
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
            "keywords",
            *ENGLISH_FIELDS,
        ]
        error_messages = {"slug": {"unique": _("这个网址名已被其他辟谣使用，请换一个。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["district_choices"].initial = self.instance.district_codes
            self.fields["category_choices"].initial = self.instance.category_codes
            self.fields["tags_text"].initial = "，".join(self.instance.tag_list)
            english = self.instance.tag_list_en
            if any(english):
                self.fields["tags_text_en"].initial = ", ".join(english)

    def clean_tags_text(self) -> list[str]:
        try:
            return tags_parse(self.cleaned_data["tags_text"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean_tags_text_en(self) -> list[str]:
        # English tags are written with ASCII commas; the Chinese parser reads those too.
        try:
            return tags_parse(self.cleaned_data["tags_text_en"], max_length=60)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean(self):
        cleaned_data = super().clean()
        tags, english = cleaned_data.get("tags_text"), cleaned_data.get("tags_text_en")
        if tags is not None and english and len(english) != len(tags):
            self.add_error(
                "tags_text_en",
                _("英文标签要与中文标签一一对应：中文 %(zh)d 个，英文 %(en)d 个。")
                % {"zh": len(tags), "en": len(english)},
            )
        return cleaned_data

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

    def _save_m2m(self):
        super()._save_m2m()
        services.debunk_codes_set(
            debunk=self.instance,
            districts=self.cleaned_data["district_choices"],
            categories=self.cleaned_data["category_choices"],
            tags=self.cleaned_data["tags_text"],
            # No English tags typed (an empty list) means none: strict would refuse that.
            tags_en=dict(
                zip(
                    self.cleaned_data["tags_text"],
                    self.cleaned_data["tags_text_en"],
                    strict=False,
                )
            ),
        )


def _debunk_frozen(request, debunk: Debunk | None) -> bool:
    """A withdrawn debunk stays as it was; a published one is changed by the office only;
    a draft under a department the user does not belong to is seen, not rewritten."""
    if debunk is None:
        return False
    if debunk.is_withdrawn:
        return True
    if debunk.is_published and not request.user.has_perm("rumors.publish_debunk"):
        return True
    return not selectors.debunk_authority_permitted(request.user, debunk.authority_id)


class _EditableWithItsDebunk:
    """Sources and appearances can be changed exactly when their debunk can."""

    def has_add_permission(self, request, obj=None) -> bool:
        return not _debunk_frozen(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _debunk_frozen(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _debunk_frozen(request, obj) and super().has_delete_permission(request, obj)


class DebunkSourceInline(_EditableWithItsDebunk, admin.TabularInline):
    model = DebunkSource
    extra = 1


class DebunkAppearanceInline(_EditableWithItsDebunk, admin.TabularInline):
    model = DebunkAppearance
    extra = 1
    readonly_fields = ("hidden_characters",)

    # Accounts and links are often copied from citizens' reports.
    @admin.display(description=_("隐藏字符"))
    def hidden_characters(self, appearance: DebunkAppearance) -> SafeString | str:
        text = " ".join(part for part in (appearance.url, appearance.account) if part)
        if not has_spoofing(text):
            return "—"
        return format_html("{}{}", _spoofing_badge(), neutralise_html(text))


class DebunkStateFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", _("草稿")), ("published", _("已发布")), ("withdrawn", _("已撤回"))]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.filter(is_published=False)
        if self.value() == "published":
            return queryset.filter(is_published=True, withdrawn_at__isnull=True)
        if self.value() == "withdrawn":
            return queryset.filter(withdrawn_at__isnull=False)
        return queryset


class DebunkWithdrawForm(forms.Form):
    # Required-ness is the service's rule (debunk_withdraw); the form only shapes input.
    reason = forms.CharField(
        label=_("撤回理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("将显示在原辟谣网址上，并告知关联举报的举报人和接入的平台。"),
    )
    reason_en = forms.CharField(
        label=_("英文撤回理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("可选。不填则英文页面显示中文理由。"),
    )


# Enough to see which reports a withdrawal concerns; the report list has them all.
LINKED_REPORTS_SHOWN = 20


@admin.register(Debunk)
class DebunkAdmin(AuditedModelAdmin):
    form = DebunkForm
    inlines = [DebunkSourceInline, DebunkAppearanceInline]
    list_display = ("title", "verdict", "authority", "state", "published_at", "linked")
    list_filter = (DebunkStateFilter, "verdict", "authority")
    search_fields = ("title", "claim", "keywords")
    readonly_fields = (
        "is_published",
        "published_at",
        "corrected_at",
        "correction_note",
        "withdrawn_at",
        "withdrawal_reason",
        "shown_withdrawn_by",
    )
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
                    "tags_text",
                    "keywords",
                    "link_report_codes",
                ]
            },
        )
        status = [
            "is_published",
            "published_at",
            "corrected_at",
            "correction_note",
        ]
        if obj is not None and obj.is_withdrawn:
            status += ["withdrawn_at", "withdrawal_reason", "shown_withdrawn_by"]
        english = (
            _("English / 英文"),
            {
                "classes": ENGLISH_FIELDSET_CLASSES,
                "fields": [*ENGLISH_FIELDS[:4], "tags_text_en", ENGLISH_FIELDS[4]],
                "description": _("可选。未填写的内容在英文页面上显示中文，并标注“(中文)”。"),
            },
        )
        return [main, english, (_("发布与更正"), {"fields": status})]

    @admin.display(description=_("关联举报"), ordering="linked_count")
    def linked(self, obj: Debunk) -> int:
        return obj.linked_count

    @admin.display(description=_("状态"))
    def state(self, obj: Debunk) -> str:
        if obj.is_withdrawn:
            return gettext("已撤回")
        return gettext("已发布") if obj.is_published else gettext("草稿")

    @admin.display(description=Debunk._meta.get_field("withdrawn_by").verbose_name)
    def shown_withdrawn_by(self, obj: Debunk) -> SafeString | str:
        return neutralise_html(obj.withdrawn_by.get_username()) if obj.withdrawn_by else "—"

    def get_queryset(self, request):
        # Counted in the list query itself, not one query per row.
        debunks = (
            super()
            .get_queryset(request)
            .select_related("authority")
            .annotate(linked_count=Count("reports"))
        )
        return selectors.debunks_visible_to(request.user, debunks)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A department drafts under its own name only (the service checks it again).
        if db_field.name == "authority":
            kwargs["queryset"] = selectors.debunk_authorities_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request) -> dict:
        initial = super().get_changeform_initial_data(request)
        if "authority" not in initial and not selectors.is_office_admin(request.user):
            own = list(selectors.debunk_authorities_for(request.user).values_list("pk", flat=True))
            if len(own) == 1:
                initial["authority"] = own[0]
        return initial

    def has_change_permission(self, request, obj=None) -> bool:
        # Departments draft; once published only the office changes a debunk, and a
        # withdrawn one is kept as it was.
        if _debunk_frozen(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Published debunks are withdrawn, never deleted, not even by a superuser.
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # "Delete selected" with a published debunk among the drafts: refuse it, and say
        # why (rather than admin's "no permission to delete 辟谣").
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        published = [debunk for debunk in objs if debunk.is_published]
        if published:
            if super().has_delete_permission(request):
                perms_needed.discard(self.opts.verbose_name)
            protected = [
                *protected,
                *(
                    gettext("《%(title)s》已发布，只能撤回，不能删除。") % {"title": debunk.title}
                    for debunk in published
                ),
            ]
        return deleted, model_count, perms_needed, protected

    def save_model(self, request, obj, form, change):
        # The service checks the authority, saves and writes the audit record (in place of
        # AuditedModelAdmin's record, so one per save).
        services.debunk_draft_save(
            debunk=obj, actor=request.user, changed_fields=form.changed_data, request=request
        )
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
            path(
                "<int:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="rumors_debunk_withdraw",
            ),
            *super().get_urls(),
        ]

    def _linked_reports(self, request, debunk_id: int) -> list[tuple[Report, SafeString]]:
        # Citizens' text, scoped as everywhere, shown neutralised.
        reports = selectors.reports_visible_to(request.user).filter(debunk_id=debunk_id)
        return [
            (report, _shown(report.content, limit=60))
            for report in reports.order_by("created_at")[:LINKED_REPORTS_SHOWN]
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": request.user.has_perm("rumors.publish_debunk"),
            "linked_reports": self._linked_reports(request, object_id)
            if str(object_id).isdigit()
            else [],
            "withdraw_form": DebunkWithdrawForm(),
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
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("已发布《%(title)s》，关联的举报将自动办结。") % {"title": debunk.title},
            )

    def _visible_or_404(self, request, object_id) -> Debunk:
        debunk = self.get_queryset(request).filter(pk=object_id).first()
        if debunk is None:
            raise Http404
        return debunk

    def publish_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        debunk = self._visible_or_404(request, object_id)
        if request.method == "POST":
            self._publish(request, debunk)
        return HttpResponseRedirect(reverse("admin:rumors_debunk_change", args=[object_id]))

    def correct_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        debunk = self._visible_or_404(request, object_id)
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

    def withdraw_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Ask for the reason, then withdraw through the service (which checks everything)."""
        debunk = self._visible_or_404(request, object_id)
        change_url = reverse("admin:rumors_debunk_change", args=[debunk.pk])
        if not request.user.has_perm("rumors.publish_debunk"):
            raise PermissionDenied
        form = DebunkWithdrawForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                services.debunk_withdraw(
                    debunk_id=debunk.pk,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    reason_en=form.cleaned_data["reason_en"],
                    request=request,
                )
            except services.TransitionError as exc:
                for message in exc.messages:
                    messages.error(request, message)
                return HttpResponseRedirect(change_url)
            except ValidationError as exc:
                errors = exc.message_dict
                if "withdrawal_reason_en" in errors:
                    form.add_error("reason_en", errors["withdrawal_reason_en"])
                else:
                    form.add_error("reason", errors.get("withdrawal_reason", exc.messages))
            else:
                messages.success(
                    request,
                    _("已撤回《%(title)s》。原网址将显示撤回说明，关联举报保留关联。")
                    % {"title": debunk.title},
                )
                return HttpResponseRedirect(change_url)
        return TemplateResponse(
            request,
            "admin/rumors/debunk/withdraw.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": debunk,
                "title": _("撤回辟谣"),
                "subtitle": debunk.title,
                "form": form,
                "linked_count": debunk.linked_count,
            },
            status=400 if form.errors else 200,
        )
