"""The ledger in admin, read only: entries, allocations, payment notices and the proofs.

Every row here is written by the money services; nobody adds, changes or deletes one in
admin. A reviewer may run the nightly proof at once ("立即核对").
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wenzhou_portal.audit import audit_record, audit_target

from .. import services
from ..models import Allocation, LedgerEntry, LedgerProof, PaymentNotice
from .base import ByProject, LedgerRecordAdmin, MoneyColumns, yuan


@admin.register(LedgerEntry)
class LedgerEntryAdmin(MoneyColumns, LedgerRecordAdmin):
    list_display = (
        "recorded_at",
        "project_shown",
        "kind",
        "amount",
        "balance_after",
        "donation_shown",
        "disbursement_shown",
    )
    list_filter = ("kind", ByProject)
    list_select_related = ("project", "donation", "disbursement__project")
    search_fields = ("donation__reference",)

    @admin.display(description=_("金额"), ordering="amount_fen")
    def amount(self, obj: LedgerEntry) -> str:
        return ("+" if obj.is_money_in else "−") + yuan(obj.amount_fen)

    @admin.display(description=_("余额"))
    def balance_after(self, obj: LedgerEntry) -> str:
        return yuan(obj.balance_after_fen)


@admin.register(Allocation)
class AllocationAdmin(MoneyColumns, LedgerRecordAdmin):
    list_display = ("donation_shown", "disbursement_shown", "amount")
    list_select_related = ("donation", "disbursement__project")
    search_fields = ("donation__reference",)

    @admin.display(description=_("金额"), ordering="amount_fen")
    def amount(self, obj: Allocation) -> str:
        return yuan(obj.amount_fen)


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(LedgerRecordAdmin):
    list_display = ("received_at", "provider", "outcome", "reference", "notice_id", "detail")
    list_filter = ("outcome", "provider")
    search_fields = ("reference", "notice_id")


@admin.register(LedgerProof)
class LedgerProofAdmin(LedgerRecordAdmin):
    list_display = ("ran_at", "projects_checked", "ok_shown", "problem_count")
    fields = ("ran_at", "projects_checked", "ok_shown", "problems_shown")
    readonly_fields = fields
    change_list_template = "admin/charity/ledgerproof/change_list.html"

    def has_prove_permission(self, request) -> bool:
        # A proof is added only by running one (the nightly task, or the button here).
        return request.user.has_perm("charity.add_ledgerproof")

    @admin.display(description=_("全部一致"), boolean=True)
    def ok_shown(self, obj: LedgerProof) -> bool:
        return obj.ok

    @admin.display(description=_("问题数"))
    def problem_count(self, obj: LedgerProof) -> int:
        return len(obj.problems)

    @admin.display(description=_("发现的问题"))
    def problems_shown(self, obj: LedgerProof) -> str:
        if not obj.problems:
            return _("每个项目的公开数字都与账目和明细一致。")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}（#{}）{}：{} {}，{} {}，{} {}</li>",
                (
                    (
                        problem["title"],
                        problem["project"],
                        problem["figure"],
                        _("公开数字"),
                        problem["shown"],
                        _("账目"),
                        problem["ledger"],
                        _("明细"),
                        problem["records"],
                    )
                    for problem in obj.problems
                ),
            ),
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_prove": self.has_prove_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "prove/",
                self.admin_site.admin_view(require_POST(self.prove_view)),
                name="charity_ledgerproof_prove",
            ),
            *super().get_urls(),
        ]

    def prove_view(self, request: HttpRequest) -> HttpResponse:
        """Run the nightly proof now and show its result."""
        if not self.has_prove_permission(request):
            raise PermissionDenied
        proof = services.ledger_prove()
        audit_record(
            action="charity.ledger_proof_run",
            actor=request.user,
            target=audit_target(proof),
            request=request,
            detail={"problems": len(proof.problems)},
        )
        if proof.ok:
            self.message_user(
                request,
                _("核对完成：%(n)s 个项目的公开数字都与账目一致。") % {"n": proof.projects_checked},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("核对发现 %(n)s 处不一致，已通知网信办和公益审核员。")
                % {"n": len(proof.problems)},
                messages.ERROR,
            )
        return HttpResponseRedirect(reverse("admin:charity_ledgerproof_change", args=[proof.pk]))
