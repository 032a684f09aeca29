"""What every charity admin shares: the public-record base, and actions that call services."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.admin_audit import AuditedModelAdmin

from ..services import fen_display
from .forms import ReasonForm


class ProjectFilter(admin.RelatedOnlyFieldListFilter):
    """Only the projects that have rows of the model listed, under a title staff read."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("项目")


ByProject = ("project", ProjectFilter)


class MoneyColumns:
    """The money rows' links to their project, gift and disbursement, under Chinese headings."""

    @admin.display(description=_("项目"), ordering="project__title")
    def project_shown(self, obj):
        return obj.project

    @admin.display(description=_("捐赠"))
    def donation_shown(self, obj):
        return obj.donation or "—"

    @admin.display(description=_("支出"))
    def disbursement_shown(self, obj):
        return obj.disbursement or "—"


def yuan(fen: int) -> str:
    """Fen as staff read them: "1,280.50 元", a difference keeping its sign."""
    sign = "-" if fen < 0 else ""
    return gettext("%(amount)s 元") % {"amount": sign + fen_display(abs(fen))}


class ReadOnlyRecordAdmin(AuditedModelAdmin):
    """Public record: never deleted in admin."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LedgerRecordAdmin(admin.ModelAdmin):
    """Rows the money services write and nobody edits: read in admin, never added or changed."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _refusal_messages(exc: ValidationError, field: str) -> list[str]:
    # A refusal names its field (error_dict) or speaks about the whole step; either is shown.
    if hasattr(exc, "error_dict"):
        return exc.message_dict.get(field, exc.messages)
    return exc.messages


def ask_reason(modeladmin, request, queryset, *, title, help_text, service, done):
    """An intermediate page asks for the reason; then the service runs for each row."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    form.fields["reason"].help_text = help_text
    if form.is_bound and form.is_valid():
        current = None
        try:
            with transaction.atomic():
                for current in queryset:
                    service(current, form.cleaned_data["reason"])
                    modeladmin.log_change(request, current, str(title))
        except ValidationError as exc:
            shown = _refusal_messages(exc, "reason")
            if len(queryset) > 1:
                # All or none were done: say which row stopped them.
                shown = [f"{current}：{text}" for text in shown]
            form.add_error("reason", shown)
        else:
            modeladmin.message_user(request, done % {"n": len(queryset)}, messages.SUCCESS)
            return None
    return TemplateResponse(
        request,
        "admin/charity/reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "title": title,
            "objects": queryset,
            "form": form,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
        status=400 if form.errors else 200,
    )


def each(modeladmin, request, queryset, service, history, done) -> None:
    """Call a service for each selected row; say which were refused and why."""
    count = 0
    for obj in queryset:
        try:
            service(obj)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{obj}：{' '.join(exc.messages)}", messages.WARNING)
        else:
            count += 1
            modeladmin.log_change(request, obj, str(history))
    if count:
        modeladmin.message_user(request, done % {"n": count}, messages.SUCCESS)
