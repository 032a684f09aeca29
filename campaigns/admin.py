"""Campaign editors create, preview, publish and close campaigns and see participation."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from wenzhou_portal import images
from wenzhou_portal.csv_export import csv_download
from wenzhou_portal.districts import District

from . import selectors, services
from .models import (
    Campaign,
    Candidate,
    EventRegistration,
    ExternalReach,
    JuryScore,
    PageViewDay,
    Signature,
    Vote,
)


class ImageUploadMixin(forms.ModelForm):
    """An optional image field: decoded, re-encoded without metadata, stored privately."""

    image_target = "image_path"
    upload = forms.FileField(
        label=_("图片"), required=False, help_text=_("JPEG、PNG 或 WebP，不超过 5 MB。")
    )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        return images.validate_evidence_image(upload) if upload else None

    def save(self, commit=True):
        obj = super().save(commit=False)
        decoded = self.cleaned_data.get("upload")
        if decoded is not None:
            redacted = images.redacted_copy(decoded)
            setattr(
                obj,
                self.image_target,
                images.store_private(
                    redacted.data, extension=redacted.extension, folder="campaigns"
                ),
            )
        if commit:
            obj.save()
        return obj


class CandidateForm(ImageUploadMixin):
    class Meta:
        model = Candidate
        fields = ("name", "story", "link", "status", "rejection_reason", "order")


class CampaignForm(ImageUploadMixin):
    image_target = "cover_path"
    district_choices = forms.MultipleChoiceField(
        label=_("涉及县（市、区）"),
        required=False,
        choices=District.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Campaign
        fields = (
            "title",
            "slug",
            "kind",
            "summary",
            "body",
            "organiser",
            "tags",
            "starts_at",
            "ends_at",
            "is_published",
            "target_participants",
            "target_reads",
            "votes_per_day",
            "hide_tallies_while_open",
            "public_weight",
            "vote_starts_at",
            "vote_ends_at",
            "capacity",
            "venue",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].label = _("封面图片")
        if self.instance.pk:
            self.fields["district_choices"].initial = self.instance.district_codes

    def save(self, commit=True):
        obj = super().save(commit=False)
        codes = self.cleaned_data.get("district_choices") or []
        obj.districts = f",{','.join(codes)}," if codes else ""
        if commit:
            obj.save()
        return obj


class CandidateInline(admin.StackedInline):
    model = Candidate
    form = CandidateForm
    extra = 0


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
        "preview",
    )
    list_filter = ("kind", "is_published")
    search_fields = ("title", "summary", "tags")
    form = CampaignForm
    inlines = [CandidateInline, ExternalReachInline]
    readonly_fields = ("reach_figures", "participation_table")
    actions = ["publish", "close_now"]

    @admin.display(description=_("状态"))
    def state_label(self, obj: Campaign) -> str:
        return obj.state.label

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
        items = format_html_join(
            "",
            "<li>{}：{}（{}）</li>",
            ((f["label"], f["value"], f["definition"]) for f in figures.values()),
        )
        return format_html("<ul>{}</ul>", items)

    @admin.display(description=_("每日参与情况"))
    def participation_table(self, obj: Campaign) -> str:
        if not obj.pk:
            return "—"
        rows = selectors.participation_by_day(obj)
        if not rows:
            return _("暂无参与。")
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("日期"),
            _("签名"),
            _("报名"),
            _("投稿"),
            _("投票"),
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (r["day"], r["signatures"], r["registrations"], r["entries"], r["votes"])
                for r in rows
            ),
        )
        return format_html("<table>{}{}</table>", header, body)

    @admin.action(description=_("发布所选活动"))
    def publish(self, request, queryset):
        for campaign in queryset.filter(is_published=False):
            campaign.is_published = True
            campaign.save(update_fields=["is_published"])
            self.log_change(request, campaign, _("发布"))

    @admin.action(description=_("立即结束所选活动"))
    def close_now(self, request, queryset):
        from django.utils import timezone

        now = timezone.now()
        for campaign in queryset.filter(ends_at__gt=now, starts_at__lt=now):
            campaign.ends_at = now
            campaign.save(update_fields=["ends_at"])
            self.log_change(request, campaign, _("提前结束"))


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ("campaign", "number", "display_name", "district", "is_hidden", "signed_at")
    list_filter = ("campaign", "is_hidden", "district")
    list_editable = ("is_hidden",)
    exclude = ("phone_hash",)
    readonly_fields = ("campaign", "number", "display_name", "district", "signed_at")

    actions = ["export_csv"]

    def has_add_permission(self, request) -> bool:
        return False

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
class PageViewDayAdmin(admin.ModelAdmin):
    list_display = ("campaign", "day", "views", "unique_visitors")
    list_filter = ("campaign",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class JuryScoreInline(admin.TabularInline):
    model = JuryScore
    extra = 1
    autocomplete_fields = ()


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    """The moderation queue for contest entries, and jury scoring."""

    list_display = ("name", "campaign", "status", "created_at")
    list_filter = ("status", "campaign")
    readonly_fields = ("entrant_contact", "created_at")
    exclude = ("image_path", "status_token")
    inlines = [JuryScoreInline]
    actions = ["approve"]

    form = CandidateForm

    @admin.action(description=_("通过所选作品"))
    def approve(self, request, queryset):
        for candidate in queryset:
            services.entry_moderate(candidate_id=candidate.pk, approve=True)
            self.log_change(request, candidate, _("审核通过"))


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
    )
    list_filter = ("campaign", "is_flagged", "is_excluded")
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
        )
        self.message_user(request, _("已剔除 %(n)s 票。") % {"n": count})
