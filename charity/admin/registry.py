"""Charity reviewers verify organisations, publish the pact, review projects, publish disclosures.

Every status change goes through ``charity.services`` (which writes its own audit event):
verifying, rejecting and suspending an organisation, publishing a pact version, submitting,
approving, rejecting, completing and closing a project, publishing a disclosure, and
correcting a published project (one public correction record per changed field). Plain
edits of a draft project or an unpublished pact version are audited by the services or by
``AuditedModelAdmin``. Nothing of charity is deleted here: it is public record.
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..models import (
    PUBLIC_PROJECT_STATUSES,
    Correction,
    Disclosure,
    Organisation,
    OrganisationStatus,
    PactSignature,
    PactVersion,
    Project,
    ProjectStatus,
)
from .base import ReadOnlyRecordAdmin, ask_reason, each
from .forms import DisclosureForm, ProjectForm


class PactSignatureInline(admin.TabularInline):
    model = PactSignature
    extra = 0
    fields = ("version", "signer_name", "signer_title", "signed_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyRecordAdmin):
    list_display = ("name", "credit_code", "district", "status", "applied_at", "qualification")
    list_filter = ("status", "district")
    search_fields = ("name", "credit_code")
    readonly_fields = (
        "status",
        "status_reason",
        "status_changed_at",
        "status_changed_by",
        "verified_at",
        "verified_by",
        "applied_at",
        "open_for_projects",
        "pact_sign_link",
        "public_page",
    )
    fields = (
        "name",
        "credit_code",
        "registering_authority",
        "district",
        "summary",
        "contact_name",
        "contact_phone",
        "contact_email",
        "fundraising_certificate",
        "fundraising_valid_from",
        "fundraising_valid_until",
        *readonly_fields,
    )
    inlines = [PactSignatureInline]
    actions = ["verify", "reject", "suspend"]

    def has_add_permission(self, request) -> bool:
        # Organisations apply through the public form, which checks and signs the pact.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Once verified, the code is the organisation's identity on every page and record.
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status != OrganisationStatus.APPLIED:
            return ("credit_code", *fields)
        return fields

    @admin.display(description=_("公开募捐资格"))
    def qualification(self, obj: Organisation) -> str:
        return _("有效") if obj.qualified_on(timezone.localdate()) else "—"

    @admin.display(description=_("能否开设新项目"))
    def open_for_projects(self, obj: Organisation) -> str:
        reasons = services.project_open_refusals(obj)
        if not reasons:
            return _("可以")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in reasons))
        )

    @admin.display(description=_("签署最新公约的链接"))
    def pact_sign_link(self, obj: Organisation) -> str:
        pact = selectors.pact_current()
        if pact is None:
            return _("尚未发布公约。")
        if obj.pact_signatures.filter(version=pact).exists():
            return _("已签署第 %(n)s 版。") % {"n": pact.number}
        url = reverse("charity:pact_sign", args=[services.pact_sign_token(obj, pact)])
        return format_html(
            "{}<br><code>{}</code>",
            _("把这个链接发给该组织的负责人（%(days)s 天内有效）：")
            % {"days": services.PACT_SIGN_DAYS},
            url,
        )

    @admin.display(description=_("公开页面"))
    def public_page(self, obj: Organisation) -> str:
        if obj.status not in selectors.PUBLIC_ORGANISATION_STATUSES:
            return _("核验后公开。")
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("查看"))

    @admin.action(description=_("核验通过所选组织"))
    def verify(self, request, queryset):
        each(
            self,
            request,
            queryset,
            lambda o: services.organisation_verify(
                organisation_id=o.pk, actor=request.user, request=request
            ),
            _("核验通过"),
            _("已核验 %(n)s 个组织。"),
        )

    @admin.action(description=_("不予通过所选申请（需写明原因）"))
    def reject(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            title=_("不予通过组织申请"),
            help_text=_("会告知申请组织。"),
            service=lambda o, reason: services.organisation_reject(
                organisation_id=o.pk, reason=reason, actor=request.user, request=request
            ),
            done=_("已将 %(n)s 个申请标记为未通过。"),
        )

    @admin.action(description=_("暂停所选组织（需写明原因）"))
    def suspend(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            title=_("暂停公益组织"),
            help_text=_("原因会在组织的公开页面上显示。"),
            service=lambda o, reason: services.organisation_suspend(
                organisation_id=o.pk, reason=reason, actor=request.user, request=request
            ),
            done=_("已暂停 %(n)s 个组织。"),
        )


@admin.register(PactVersion)
class PactVersionAdmin(ReadOnlyRecordAdmin):
    list_display = ("number", "title", "published_at", "signature_count")
    readonly_fields = ("published_at",)
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        # A published version is what organisations signed: its text never changes.
        if obj is not None and obj.published_at is not None:
            return ("number", "title", "text", "published_at")
        return super().get_readonly_fields(request, obj)

    def get_queryset(self, request):
        # Counted in the list query itself, not one query per version.
        return super().get_queryset(request).annotate(signatures_counted=Count("signatures"))

    @admin.display(description=_("签署组织数"), ordering="signatures_counted")
    def signature_count(self, obj: PactVersion) -> int:
        return obj.signatures_counted

    @admin.action(description=_("发布所选版本（所有组织须重新签署后才能开设新项目）"))
    def publish(self, request, queryset):
        each(
            self,
            request,
            queryset.order_by("number"),
            lambda v: services.pact_publish(version_id=v.pk, actor=request.user, request=request),
            _("发布"),
            _("已发布 %(n)s 个版本。"),
        )


@admin.register(PactSignature)
class PactSignatureAdmin(ReadOnlyRecordAdmin):
    list_display = ("organisation", "version", "signer_name", "signer_title", "signed_at")
    list_filter = ("version",)

    def has_add_permission(self, request) -> bool:
        return False  # the organisation signs itself, through its link or its application

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DisclosureInline(admin.TabularInline):
    model = Disclosure
    extra = 0
    fields = ("kind", "title", "document_date", "published_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0
    fields = ("made_at", "kind", "field", "old_value", "new_value", "note", "made_by")
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        # Each row names its project and who made it: read with the rows, not once per row.
        return super().get_queryset(request).select_related("project", "made_by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyRecordAdmin):
    form = ProjectForm
    list_display = (
        "title",
        "organisation",
        "district",
        "cause",
        "status",
        "donation_channel",
        "starts_on",
        "ends_on",
    )
    list_filter = ("status", "donation_channel", "district", "cause")
    search_fields = ("title", "organisation__name", "filing_number")
    list_select_related = ("organisation",)
    inlines = [DisclosureInline, CorrectionInline]
    actions = ["submit", "approve", "reject", "complete", "close"]
    status_fields = ("status", "review_reason", "reviewed_at", "reviewed_by", "published_at")

    money_fields = ("money_figures", "ledger_link")
    # Where donations are taken is fixed at publication: a published project's donors were
    # sent there, and project_correct has no correction for it.
    channel_fields = ("donation_channel", "donation_url", "payment_provider")

    def get_readonly_fields(self, request, obj=None):
        fields = [*self.status_fields, "publish_check", *self.money_fields]
        if obj is not None and obj.status != ProjectStatus.DRAFT:
            fields += list(services.FIXED_AFTER_DRAFT)
        if obj is not None and obj.status in PUBLIC_PROJECT_STATUSES:
            fields += ["starts_on", "is_public_fundraising", *self.channel_fields]
        return fields

    def get_fields(self, request, obj=None):
        fields = [
            *ProjectForm.Meta.fields,
            "target_yuan",
            "cover_upload",
            "publish_check",
            *self.money_fields,
            *self.status_fields,
        ]
        if obj is not None and obj.status in PUBLIC_PROJECT_STATUSES:
            fields.remove("cover_upload")  # the cover is chosen before publication
            fields.insert(0, "correction_note")
        return fields

    @admin.display(description=_("发布前检查"))
    def publish_check(self, obj: Project) -> str:
        if obj is None or not obj.pk:
            return "—"
        if obj.status in PUBLIC_PROJECT_STATUSES:
            return _("已发布。")
        reasons = services.project_publish_refusals(obj)
        if not reasons:
            return _("可以发布。")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in reasons))
        )

    @admin.display(description=_("善款（来自账目）"))
    def money_figures(self, obj: Project) -> str:
        if obj is None or not obj.pk:
            return "—"
        return format_html(
            "{}：{} 元<br>{}：{} 元<br>{}：{} 元<br><strong>{}：{} 元</strong>",
            _("累计收到捐赠"),
            services.fen_display(obj.raised_fen),
            _("撤销退款"),
            services.fen_display(obj.refunded_fen),
            _("已批准支出"),
            services.fen_display(obj.spent_fen),
            _("余额"),
            services.fen_display(obj.balance_fen),
        )

    @admin.display(description=_("公开账目"))
    def ledger_link(self, obj: Project) -> str:
        if obj is None or not obj.pk or obj.status not in PUBLIC_PROJECT_STATUSES:
            return _("发布后公开。")
        return format_html(
            '<a href="{}">{}</a>', reverse("charity:ledger", args=[obj.pk]), _("查看公开账目")
        )

    def save_model(self, request, obj, form, change) -> None:
        cover = form.cleaned_data.get("cover_upload")
        if obj.pk and obj.status in PUBLIC_PROJECT_STATUSES:
            # Published: every change is a correction, visible on the project page.
            changes = {
                name: getattr(obj, name)
                for name in [*form.changed_data, "target_fen"]
                if name in services.CORRECTABLE_FIELDS
            }
            services.project_correct(
                project_id=obj.pk,
                changes=changes,
                note=form.cleaned_data.get("correction_note", ""),
                actor=request.user,
                request=request,
            )
            return
        if cover:
            obj.cover.name = cover
        services.project_save_draft(
            project=obj, actor=request.user, request=request, changed=form.changed_data
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class ServiceCheckedForm(form_class):
            """The services' refusals, shown on the form instead of failing the save."""

            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                instance = self.instance
                if instance.pk and instance.status in PUBLIC_PROJECT_STATUSES:
                    note = self.cleaned_data.get("correction_note", "").strip()
                    if set(self.changed_data) - {"correction_note"} and not note:
                        self.add_error(
                            "correction_note",
                            _("已发布项目的每一处修改都要写明更正说明，说明会在项目页公开。"),
                        )
                elif instance.pk is None and "organisation" in self.cleaned_data:
                    reasons = services.project_open_refusals(self.cleaned_data["organisation"])
                    if reasons:
                        self.add_error("organisation", reasons)

        return ServiceCheckedForm

    @admin.action(description=_("提交审核"))
    def submit(self, request, queryset):
        each(
            self,
            request,
            queryset,
            lambda p: services.project_submit(project_id=p.pk, actor=request.user, request=request),
            _("提交审核"),
            _("已提交 %(n)s 个项目。"),
        )

    @admin.action(description=_("审核通过并发布（开始募捐）"))
    def approve(self, request, queryset):
        each(
            self,
            request,
            queryset,
            lambda p: services.project_approve(
                project_id=p.pk, actor=request.user, request=request
            ),
            _("审核通过"),
            _("已发布 %(n)s 个项目。"),
        )

    @admin.action(description=_("不予通过（退回草稿，需写明原因）"))
    def reject(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            title=_("项目不予通过"),
            help_text=_("项目退回草稿，原因显示给发起组织。"),
            service=lambda p, reason: services.project_reject(
                project_id=p.pk, reason=reason, actor=request.user, request=request
            ),
            done=_("已退回 %(n)s 个项目。"),
        )

    @admin.action(description=_("标记募捐结束"))
    def complete(self, request, queryset):
        each(
            self,
            request,
            queryset,
            lambda p: services.project_complete(
                project_id=p.pk, actor=request.user, request=request
            ),
            _("募捐结束"),
            _("已将 %(n)s 个项目标记为募捐结束。"),
        )

    @admin.action(description=_("结项（须已公开结项信息和剩余财产处理）"))
    def close(self, request, queryset):
        each(
            self,
            request,
            queryset,
            lambda p: services.project_close(project_id=p.pk, actor=request.user, request=request),
            _("结项"),
            _("已结项 %(n)s 个项目。"),
        )


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyRecordAdmin):
    form = DisclosureForm
    list_display = ("title", "organisation", "project", "kind", "document_date", "published_at")
    list_filter = ("kind",)
    search_fields = ("title", "organisation__name", "project__title")
    list_select_related = ("organisation", "project")
    autocomplete_fields = ()

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # published documents stand; a mistake is answered by a new disclosure

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class WithActor(form_class):
            pass

        WithActor.actor = request.user
        WithActor.request = request
        return WithActor

    def save_model(self, request, obj, form, change) -> None:
        pass  # disclosure_publish saved it (and wrote the audit event) when the form was clean

    def save_related(self, request, form, formsets, change) -> None:
        pass


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyRecordAdmin):
    list_display = ("project", "kind", "field", "made_at", "made_by")
    list_filter = ("kind",)
    list_select_related = ("project", "made_by")

    def has_add_permission(self, request) -> bool:
        return False  # made by editing a published project (services.project_correct)

    def has_change_permission(self, request, obj=None) -> bool:
        return False
