"""Votes and contests in admin: moderating entries, jury scores, excluding suspect votes."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.admin_audit import AuditedModelAdmin

from .. import services
from ..models import Candidate, JuryScore, Vote
from .forms import CandidateAdminForm


class JuryScoreInline(admin.TabularInline):
    model = JuryScore
    extra = 1
    autocomplete_fields = ()

    def get_queryset(self, request):
        # Each row's title names its nominee: read with the scores, not once per row.
        return super().get_queryset(request).select_related("candidate", "juror")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "juror":
            # The jurors to choose from, read once per request: each row's select would
            # otherwise read them again (one query per score), and admin builds this form
            # more than once a page. Validation still checks the chosen juror against the
            # field's queryset.
            if not hasattr(request, "_jury_choices"):
                request._jury_choices = list(field.choices)
            field.choices = request._jury_choices
        return field


class RejectionForm(forms.Form):
    # Required-ness is the service's rule (entry_moderate); the form only shapes input.
    reason = forms.CharField(
        label=_("未通过原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("投稿人在作品状态页上会看到这个原因。"),
    )


@admin.register(Candidate)
class CandidateAdmin(AuditedModelAdmin):
    """The moderation queue for contest entries, and jury scoring."""

    list_display = ("name", "campaign", "status", "created_at")
    list_filter = ("status", "campaign")
    # The status is moderation: set by the approve and reject actions, through the service.
    readonly_fields = ("status", "rejection_reason", "entrant_contact", "created_at")
    exclude = ("image_path", "status_token")
    inlines = [JuryScoreInline]
    actions = ["approve", "reject"]

    form = CandidateAdminForm

    def get_readonly_fields(self, request, obj=None):
        # Its votes and scores belong to its campaign: a nominee never moves.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else ("campaign", *fields)

    @admin.action(description=_("通过所选作品"))
    def approve(self, request, queryset):
        approved = 0
        for candidate in queryset.exclude(status=Candidate.Status.APPROVED):
            services.entry_moderate(
                candidate_id=candidate.pk, approve=True, actor=request.user, request=request
            )
            self.log_change(request, candidate, _("审核通过"))
            approved += 1
        self.message_user(request, _("已通过 %(n)s 个作品。") % {"n": approved})

    @admin.action(description=_("不通过所选作品（需写明原因）"))
    def reject(self, request, queryset):
        """Ask for the reason on an intermediate page, then reject through the service."""
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                with transaction.atomic():  # one reason for all: all rejected, or none
                    for candidate in queryset:
                        services.entry_moderate(
                            candidate_id=candidate.pk,
                            approve=False,
                            reason=form.cleaned_data["reason"],
                            actor=request.user,
                            request=request,
                        )
                        self.log_change(request, candidate, _("审核未通过"))
            except ValidationError as exc:
                form.add_error("reason", exc.message_dict.get("rejection_reason", exc.messages))
            else:
                self.message_user(
                    request, _("已将 %(n)s 个作品标记为未通过。") % {"n": len(queryset)}
                )
                return None
        return TemplateResponse(
            request,
            "admin/campaigns/candidate/reject.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("作品未通过审核"),
                "candidates": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
            status=400 if form.errors else 200,
        )


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """Votes are reviewed, flagged and excluded with a reason; never deleted."""

    list_display = (
        "candidate",
        "cast_at",
        "client_key",
        "is_flagged",
        "is_excluded",
        "exclusion_reason",
        "withdrawn_at",
    )
    # A withdrawn vote stays on record, out of every tally (services.vote_withdraw).
    list_filter = (
        "campaign",
        "is_flagged",
        "is_excluded",
        ("withdrawn_at", admin.EmptyFieldListFilter),
    )
    actions = ["exclude_votes"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("剔除所选投票（疑似刷票）"))
    def exclude_votes(self, request, queryset):
        count = services.votes_exclude(
            vote_ids=list(queryset.values_list("pk", flat=True)),
            reason=str(_("短时间内大量来自少数设备的投票，判定为刷票")),
            actor=request.user,
            request=request,
        )
        self.message_user(request, _("已剔除 %(n)s 票。") % {"n": count})
