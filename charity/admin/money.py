"""The money in admin: donations, platform imports and disbursements.

Nothing here edits money. Donations arrive by the services (a platform import, a provider's
signed notification) and only their messages are moderated; imports run through
``platform_import``; disbursements are recorded through ``disbursement_record`` and decided
by a second reviewer through ``disbursement_approve`` / ``disbursement_refuse``. A
disbursement's evidence original is private: staff who may view disbursements download it
through this admin, never by a public address, and every download is an audit event.
"""

from pathlib import PurePosixPath

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from wenzhou_portal import images
from wenzhou_portal.audit import audit_record, audit_target
from wenzhou_portal.phones import mobile_masked

from .. import services
from ..models import Allocation, Disbursement, Donation, PlatformImport
from .base import ByProject, LedgerRecordAdmin, MoneyColumns, ask_reason, each, yuan
from .forms import DisbursementForm, PlatformImportForm


class RecordedByServiceAdmin(admin.ModelAdmin):
    """An admin whose add form records through its service as this user; a row is then read.

    The form's clean() calls the service (which saves and writes the audit event), so the
    admin's own saving does nothing.
    """

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
        form_class = super().get_form(request, obj, change, **kwargs)
        return type(form_class.__name__, (form_class,), {"actor": request.user, "request": request})

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        pass


def contact_masked(contact: str) -> str:
    """What staff see of a donor's receipt contact: never the whole of it."""
    if not contact:
        return "—"
    if "@" in contact:
        local, _at, domain = contact.partition("@")
        return f"{local[:1]}***@{domain}"
    return mobile_masked(contact)


def _warnings(notes: list[str]) -> str:
    if not notes:
        return "—"
    return format_html_join(
        mark_safe("<br>"), '<strong class="errornote">⚠ {}</strong>', ((note,) for note in notes)
    )


class AllocationInline(MoneyColumns, admin.TabularInline):
    """Which approved disbursements drew on which gifts (first in, first out)."""

    model = Allocation
    extra = 0
    can_delete = False
    fields = ("donation_shown", "disbursement_shown", "amount")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("donation", "disbursement__project")

    @admin.display(description=_("金额"))
    def amount(self, obj: Allocation) -> str:
        return yuan(obj.amount_fen)


# --- Donations -----------------------------------------------------------------------------


@admin.register(Donation)
class DonationAdmin(MoneyColumns, LedgerRecordAdmin):
    list_display = (
        "reference_display",
        "project_shown",
        "channel",
        "amount",
        "status",
        "paid_at",
        "message_status",
        "message_preview",
    )
    # Messages waiting for moderation are what reviewers look for first.
    list_filter = ("message_status", "status", "channel", ByProject)
    search_fields = ("reference",)
    search_help_text = _("输入捐赠凭证号（空格、横线都可以），或平台流水号、支付流水号。")
    list_select_related = ("project",)
    fields = (
        "reference_display",
        "project_shown",
        "channel",
        "amount",
        "status",
        "created_at",
        "paid_at",
        "refunded_at",
        "donor_shown",
        "message",
        "message_status",
        "contact_shown",
        "provider",
        "transaction_id",
        "refund_id",
        "import_shown",
        "platform_row_id",
        "allocated",
        "receipt_link",
    )
    readonly_fields = fields
    inlines = [AllocationInline]
    actions = ["messages_show", "messages_hide"]

    def has_moderate_permission(self, request) -> bool:
        # Moderating a message is the only change anyone makes to a donation, and only
        # through donation_message_moderate.
        return request.user.has_perm("charity.change_donation")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        reference = services.reference_normalise(term)
        if reference is not None:
            return queryset.filter(reference=reference), False
        return queryset.filter(platform_row_id=term) | queryset.filter(transaction_id=term), False

    @admin.display(description=_("捐赠凭证号"), ordering="reference")
    def reference_display(self, obj: Donation) -> str:
        return obj.reference_display

    @admin.display(description=_("金额"), ordering="amount_fen")
    def amount(self, obj: Donation) -> str:
        return yuan(obj.amount_fen)

    @admin.display(description=_("已被支出使用"))
    def allocated(self, obj: Donation) -> str:
        return yuan(obj.allocated_fen)

    @admin.display(description=_("留言"))
    def message_preview(self, obj: Donation) -> str:
        if not obj.message:
            return "—"
        return obj.message[:30] + ("…" if len(obj.message) > 30 else "")

    @admin.display(description=_("平台捐赠导入"))
    def import_shown(self, obj: Donation):
        return obj.platform_import or "—"

    @admin.display(description=_("捐赠人署名"))
    def donor_shown(self, obj: Donation) -> str:
        return obj.donor_name or _("匿名")

    @admin.display(description=_("接收凭证的联系方式（部分隐藏）"))
    def contact_shown(self, obj: Donation) -> str:
        return contact_masked(obj.contact)

    @admin.display(description=_("捐赠凭证页"))
    def receipt_link(self, obj: Donation) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("查看"))

    def _moderate(self, request, queryset, *, show: bool, history, done) -> None:
        each(
            self,
            request,
            queryset,
            lambda d: services.donation_message_moderate(
                donation_id=d.pk, show=show, actor=request.user, request=request
            ),
            history,
            done,
        )

    @admin.action(description=_("公开留言"), permissions=["moderate"])
    def messages_show(self, request, queryset):
        self._moderate(
            request, queryset, show=True, history=_("公开留言"), done=_("已公开 %(n)s 条留言。")
        )

    @admin.action(description=_("不公开留言"), permissions=["moderate"])
    def messages_hide(self, request, queryset):
        self._moderate(
            request,
            queryset,
            show=False,
            history=_("不公开留言"),
            done=_("已将 %(n)s 条留言设为不公开。"),
        )


# --- Platform imports ------------------------------------------------------------------------

# The columns of the downloadable template, each a spelling the import reads
# (charity.services.imports.COLUMNS).
TEMPLATE_COLUMNS = ("流水号", "捐赠时间", "金额（元）", "捐赠人", "捐赠人编号", "留言")


@admin.register(PlatformImport)
class PlatformImportAdmin(MoneyColumns, RecordedByServiceAdmin):
    form = PlatformImportForm
    list_display = (
        "project_shown",
        "source",
        "imported_at",
        "imported_by",
        "rows_in_file",
        "rows_added",
        "rows_known",
        "stated_total",
        "imported_total",
        "reconciled_shown",
        "difference",
    )
    list_filter = ("source", ByProject)
    list_select_related = ("project", "imported_by")
    add_fields = ("project", "source", "stated_total_yuan", "file")
    view_fields = (
        "project_shown",
        "source",
        "imported_at",
        "imported_by",
        "rows_in_file",
        "rows_added",
        "rows_known",
        "stated_total",
        "imported_total",
        "reconciled_shown",
        "difference",
        "file_digest",
        "donations_link",
    )

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # an import stands; a correction is a new file from the platform

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.view_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.view_fields

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("导入完成：新增 %(added)s 笔捐赠，%(known)s 笔此前已导入（没有重复记账）。")
            % {"added": obj.rows_added, "known": obj.rows_known},
            messages.SUCCESS,
        )
        if obj.reconciled:
            self.message_user(
                request,
                _("已核对：导入的平台捐赠合计与平台公示的累计筹款一致（%(total)s）。")
                % {"total": yuan(obj.stated_total_fen)},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _(
                    "未对平：平台公示 %(stated)s，已导入合计 %(imported)s，相差 %(difference)s。"
                    "请向平台或组织核实是否有漏导的明细。"
                )
                % {
                    "stated": yuan(obj.stated_total_fen),
                    "imported": yuan(obj.imported_total_fen),
                    "difference": yuan(obj.difference_fen),
                },
                messages.WARNING,
            )
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description=_("文件 SHA-256"))
    def file_digest(self, obj: PlatformImport) -> str:
        return obj.file_sha256

    @admin.display(description=_("平台公示累计"))
    def stated_total(self, obj: PlatformImport) -> str:
        return yuan(obj.stated_total_fen)

    @admin.display(description=_("已导入合计"))
    def imported_total(self, obj: PlatformImport) -> str:
        return yuan(obj.imported_total_fen)

    @admin.display(description=_("已对平"), boolean=True)
    def reconciled_shown(self, obj: PlatformImport) -> bool:
        return obj.reconciled

    @admin.display(description=_("相差"))
    def difference(self, obj: PlatformImport) -> str:
        return "—" if obj.reconciled else yuan(obj.difference_fen)

    @admin.display(description=_("本次新增的捐赠"))
    def donations_link(self, obj: PlatformImport) -> str:
        url = reverse("admin:charity_donation_changelist")
        return format_html(
            '<a href="{}?platform_import__id__exact={}">{}</a>',
            url,
            obj.pk,
            _("查看 %(n)s 笔") % {"n": obj.rows_added},
        )

    def get_urls(self):
        return [
            path(
                "template.csv",
                self.admin_site.admin_view(self.template_view),
                name="charity_platformimport_template",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request: HttpRequest) -> HttpResponse:
        """An empty donation list with the columns the import reads (for Excel: with a BOM)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            "\ufeff" + ",".join(TEMPLATE_COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="platform-donations.csv"'
        return response


# --- Disbursements ---------------------------------------------------------------------------


@admin.register(Disbursement)
class DisbursementAdmin(MoneyColumns, RecordedByServiceAdmin):
    form = DisbursementForm
    list_display = (
        "project_shown",
        "amount",
        "paid_on",
        "purpose",
        "payee",
        "status",
        "flags",
        "recorded_by",
        "decided_by",
    )
    list_filter = ("status", "evidence_reused", "amount_unusual", ByProject)
    search_fields = ("purpose", "payee", "project__title")
    list_select_related = ("project", "recorded_by", "decided_by")
    actions = ["approve", "refuse"]
    add_fields = (
        "project",
        "amount_yuan",
        "paid_on",
        "purpose",
        "payee",
        "evidence",
        "public_copy",
    )
    view_fields = (
        "flags",
        "project_shown",
        "amount",
        "paid_on",
        "purpose",
        "payee",
        "status",
        "recorded_by",
        "recorded_at",
        "decided_by",
        "decided_at",
        "decision_note",
        "evidence_link",
        "evidence_sha256",
        "public_copy_link",
    )

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # recorded is recorded: a mistake is refused and recorded again

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_decide_permission(self, request) -> bool:
        # Approving or refusing is the one change of a disbursement, through its services.
        return request.user.has_perm("charity.change_disbursement")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.view_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.view_fields

    def get_inlines(self, request, obj):
        return [AllocationInline] if obj is not None else []

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("已登记。须由另一位审核员批准后，这笔支出才记入公开账目。"),
            messages.INFO,
        )
        for flagged, text in (
            (obj.evidence_reused, _("注意：这份凭证原件与另一笔支出的凭证完全相同。")),
            (obj.amount_unusual, _("注意：这笔支出的金额异常偏高，请审批人重点核实。")),
        ):
            if flagged:
                self.message_user(request, text, messages.WARNING)
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description=_("金额"), ordering="amount_fen")
    def amount(self, obj: Disbursement) -> str:
        return yuan(obj.amount_fen)

    @admin.display(description=_("提示"))
    def flags(self, obj: Disbursement) -> str:
        notes = []
        if obj.evidence_reused:
            notes.append(_("凭证与其他支出重复"))
        if obj.amount_unusual:
            notes.append(_("金额异常偏高"))
        return _warnings(notes)

    @admin.display(description=_("支出凭证原件（不公开）"))
    def evidence_link(self, obj: Disbursement) -> str:
        return format_html(
            '<a href="{}">{}</a> {}',
            reverse("admin:charity_disbursement_evidence", args=[obj.pk, "original"]),
            _("下载原件"),
            _("（每次下载都记入审计日志）"),
        )

    @admin.display(description=_("公开的脱敏副本"))
    def public_copy_link(self, obj: Disbursement) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:charity_disbursement_evidence", args=[obj.pk, "public"]),
            _("下载副本"),
        )

    @admin.action(description=_("批准所选支出（登记人本人不能批准）"), permissions=["decide"])
    def approve(self, request, queryset):
        each(
            self,
            request,
            queryset,
            lambda d: services.disbursement_approve(
                disbursement_id=d.pk, actor=request.user, request=request
            ),
            _("批准"),
            _("已批准 %(n)s 笔支出，已记入公开账目。"),
        )

    @admin.action(description=_("不批准所选支出（需写明理由）"), permissions=["decide"])
    def refuse(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            title=_("不批准支出"),
            help_text=_("理由会告知登记人并留在记录中；不批准的支出不进入公开账目。"),
            service=lambda d, reason: services.disbursement_refuse(
                disbursement_id=d.pk, actor=request.user, reason=reason, request=request
            ),
            done=_("已将 %(n)s 笔支出标记为未批准。"),
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/evidence/<str:variant>/",
                self.admin_site.admin_view(self.evidence_view),
                name="charity_disbursement_evidence",
            ),
            *super().get_urls(),
        ]

    def evidence_view(self, request: HttpRequest, object_id: int, variant: str) -> FileResponse:
        """Stream a disbursement's evidence to staff who may view it; the original is audited."""
        if variant not in ("original", "public"):
            raise Http404
        disbursement = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, disbursement):
            raise PermissionDenied
        original = variant == "original"
        stored = disbursement.evidence if original else disbursement.public_copy
        try:
            # The original lives in private media, the public copy in the storage.
            handle = images.open_private(stored.name) if original else stored.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        if original:
            audit_record(
                action="charity.disbursement_evidence_downloaded",
                actor=request.user,
                target=audit_target(disbursement),
                request=request,
                detail={"sha256": disbursement.evidence_sha256},
            )
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"disbursement-{disbursement.pk}-{variant}"
            + PurePosixPath(stored.name).suffix,
            content_type=disbursement.evidence_type if original else disbursement.public_copy_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
