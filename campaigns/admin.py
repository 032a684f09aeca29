"""Campaign editors create, preview, publish and close campaigns and see participation.

Publishing, closing, moderating entries, hiding signatures and excluding votes go through
the services, which write their own audit event; plain edits (a campaign's text, a
nominee, external reach, jury scores) are recorded by ``AuditedModelAdmin``, inline rows
included.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from wenzhou_portal import images
from wenzhou_portal.admin_audit import AuditedModelAdmin
from wenzhou_portal.csv_export import csv_download
from wenzhou_portal.districts import District

from . import selectors, services
from .models import (
    Campaign,
    CampaignKind,
    Candidate,
    EventRegistration,
    ExternalReach,
    JuryScore,
    PageViewDay,
    Signature,
    Vote,
)
from .slugs import slug_from_title, slug_unused


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
            self._save_m2m()
        return obj


class CandidateForm(ImageUploadMixin):
    # The moderation status is set by the approve and reject actions (entry_moderate).
    class Meta:
        model = Candidate
        fields = ("name", "name_en", "story", "story_en", "link", "order")


class CandidateAdminForm(CandidateForm):
    """Outside a campaign's page a nominee needs its campaign (fixed once it exists)."""

    class Meta(CandidateForm.Meta):
        fields = ("campaign", *CandidateForm.Meta.fields)


class CampaignForm(ImageUploadMixin):
    image_target = "cover_path"
    district_choices = forms.MultipleChoiceField(
        label=_("涉及县（市、区）"),
        required=False,
        choices=District.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    tags_text = forms.CharField(
        label=_("标签"),
        required=False,
        max_length=300,
        help_text=_("用逗号分隔，例如：青少年，网络素养。"),
    )
    tags_en_text = forms.CharField(
        label=_("英文标签（选填）"),
        required=False,
        max_length=300,
        help_text=_(
            "与上面的中文标签一一对应，按同样顺序用逗号分隔，例如：Youth, Digital literacy。"
        ),
    )

    class Meta:
        model = Campaign
        # district_choices and tags_text are rows (CampaignDistrict, CampaignTag), written
        # by services.campaign_codes_set once the campaign is saved.
        fields = (
            "title",
            "title_en",
            "slug",
            "kind",
            "summary",
            "summary_en",
            "body",
            "body_en",
            "organiser",
            "organiser_en",
            "district_choices",
            "tags_text",
            "tags_en_text",
            "starts_at",
            "ends_at",
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
        error_messages = {
            "slug": {
                "invalid": _(
                    "网址名只能用英文小写字母、数字和连字符（-），或者留空，由系统按标题生成。"
                ),
            },
            "title": {"required": _("请填写活动标题。")},
            "summary": {"required": _("请用一两句话介绍这个活动。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].label = _("封面图片")
        if self.instance.pk:
            self.fields["district_choices"].initial = self.instance.district_codes
            tags = list(self.instance.tag_links.all())
            self.fields["tags_text"].initial = "，".join(tag.name for tag in tags)
            self.fields["tags_en_text"].initial = ", ".join(tag.name_en for tag in tags)

    def clean_slug(self) -> str:
        """A blank slug is made from the title (pinyin); a typed one must be free."""
        slug = self.cleaned_data.get("slug", "")
        if not slug:
            title = self.cleaned_data.get("title", "")
            return slug_unused(slug_from_title(title), exclude_pk=self.instance.pk)
        clash = Campaign.objects.filter(slug=slug).exclude(pk=self.instance.pk).first()
        if clash is not None:
            raise ValidationError(
                _("网址名“%(slug)s”已被活动《%(title)s》使用，请换一个，或者留空由系统生成。")
                % {"slug": slug, "title": clash.title},
                code="slug_taken",
            )
        return slug

    def clean_tags_text(self) -> list[str]:
        return services.tags_parse(self.cleaned_data["tags_text"])

    def clean_tags_en_text(self) -> list[str]:
        # English names are separated by commas only: they have spaces inside.
        text = self.cleaned_data["tags_en_text"].replace("，", ",")
        return [" ".join(name.split()) for name in text.split(",")] if text.strip() else []

    def clean(self):
        cleaned = super().clean()
        tags, tags_en = cleaned.get("tags_text"), cleaned.get("tags_en_text")
        if tags is not None and tags_en and len(tags_en) != len(tags):
            self.add_error(
                "tags_en_text",
                _("英文标签要和中文标签一样多（中文 %(zh)s 个，英文 %(en)s 个），按同样顺序填写。")
                % {"zh": len(tags), "en": len(tags_en)},
            )
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        services.campaign_codes_set(
            campaign=self.instance,
            districts=self.cleaned_data["district_choices"],
            tags=self.cleaned_data["tags_text"],
            tags_en=self.cleaned_data.get("tags_en_text") or [],
        )


CAMPAIGN_FIELDSETS = [
    # (kinds that use the part, or () for all; the fieldset)
    (
        (),
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "kind",
                    "summary",
                    "body",
                    "organiser",
                    "upload",
                    "district_choices",
                    "tags_text",
                )
            },
        ),
    ),
    (
        (),
        (
            _("英文（选填）"),
            {
                "fields": (
                    "title_en",
                    "summary_en",
                    "body_en",
                    "organiser_en",
                    "tags_en_text",
                ),
                "description": _("英文页面显示这些内容；留空时显示中文并标明“(中文)”。"),
            },
        ),
    ),
    (
        (),
        (
            _("时间与目标"),
            {"fields": ("starts_at", "ends_at", "target_participants", "target_reads")},
        ),
    ),
    (
        (CampaignKind.VOTE, CampaignKind.CONTEST),
        (
            _("投票与评审（评选投票、创意大赛）"),
            {
                "fields": (
                    "votes_per_day",
                    "hide_tallies_while_open",
                    "public_weight",
                    "vote_starts_at",
                    "vote_ends_at",
                ),
                "description": _("只有评选投票和创意大赛使用这些设置。"),
            },
        ),
    ),
    (
        (CampaignKind.EVENT,),
        (
            _("报名（宣讲活动）"),
            {
                "fields": ("capacity", "venue"),
                "description": _("只有宣讲活动使用名额和地点。"),
            },
        ),
    ),
    (
        (),
        (_("发布与参与"), {"fields": ("is_published", "reach_figures", "participation_table")}),
    ),
]


class CandidateInline(admin.StackedInline):
    model = Candidate
    form = CandidateForm
    readonly_fields = ("status", "rejection_reason")
    extra = 0


class ExternalReachInline(admin.TabularInline):
    model = ExternalReach
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(AuditedModelAdmin):
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
    search_fields = ("title", "summary", "tag_links__name")
    form = CampaignForm
    inlines = [CandidateInline, ExternalReachInline]
    # Published is set by the publish / unpublish actions (campaign_publish…), not edited.
    readonly_fields = ("is_published", "reach_figures", "participation_table")
    actions = ["publish", "unpublish", "close_now"]
    change_form_template = "admin/campaigns/campaign/change_form.html"

    def get_fieldsets(self, request, obj=None):
        """Every part on a new campaign; on an existing one, only the parts its kind uses."""
        if obj is None:
            return [fieldset for _kinds, fieldset in CAMPAIGN_FIELDSETS]
        return [
            fieldset for kinds, fieldset in CAMPAIGN_FIELDSETS if not kinds or obj.kind in kinds
        ]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and obj.kind not in (CampaignKind.VOTE, CampaignKind.CONTEST):
            # Nominees and entries belong to votes and contests only.
            inlines = [inline for inline in inlines if not isinstance(inline, CandidateInline)]
        return inlines

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_publish"] = (
            obj is not None and not obj.is_published and self.has_change_permission(request, obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        if "_publish" in request.POST and self.has_change_permission(request, obj):
            # "保存并发布": the edit is saved; publishing goes through the service.
            try:
                services.campaign_publish(campaign_id=obj.pk, actor=request.user, request=request)
            except ValidationError as exc:
                self.message_user(request, f"{obj}：{' '.join(exc.messages)}", messages.WARNING)
            else:
                self.log_change(request, obj, _("发布"))
                self._published_message(request, obj)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _published_message(self, request, campaign: Campaign) -> None:
        self.message_user(
            request,
            format_html(
                _('《{}》已发布，公众现在可以看到它：<a href="{}">{}</a>'),
                campaign.title,
                campaign.get_absolute_url(),
                request.build_absolute_uri(campaign.get_absolute_url()),
            ),
            messages.SUCCESS,
        )

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

    def _through_service(self, request, queryset, service, history, done_message) -> None:
        """Call a staff service for each selected campaign; say which were refused and why."""
        done = 0
        for campaign in queryset:
            try:
                service(campaign_id=campaign.pk, actor=request.user, request=request)
            except ValidationError as exc:
                self.message_user(
                    request, f"{campaign}：{' '.join(exc.messages)}", messages.WARNING
                )
            else:
                done += 1
                self.log_change(request, campaign, history)
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("发布所选活动"))
    def publish(self, request, queryset):
        published = []
        for campaign in queryset:
            try:
                services.campaign_publish(
                    campaign_id=campaign.pk, actor=request.user, request=request
                )
            except ValidationError as exc:
                self.message_user(
                    request, f"{campaign}：{' '.join(exc.messages)}", messages.WARNING
                )
            else:
                self.log_change(request, campaign, _("发布"))
                published.append(campaign)
        for campaign in published:
            self._published_message(request, campaign)

    @admin.action(description=_("撤下所选活动（改为草稿）"))
    def unpublish(self, request, queryset):
        self._through_service(
            request,
            queryset,
            services.campaign_unpublish,
            _("撤下"),
            _("已撤下 %(n)s 个活动。"),
        )

    @admin.action(description=_("立即结束所选活动"))
    def close_now(self, request, queryset):
        self._through_service(
            request,
            queryset,
            services.campaign_close,
            _("提前结束"),
            _("已结束 %(n)s 个活动。"),
        )


@admin.register(Signature)
class SignatureAdmin(AuditedModelAdmin):
    list_display = (
        "campaign",
        "number",
        "display_name",
        "district",
        "is_hidden",
        "signed_at",
        "withdrawn_at",
    )
    list_filter = (
        "campaign",
        "is_hidden",
        "district",
        ("withdrawn_at", admin.EmptyFieldListFilter),
    )
    list_editable = ("is_hidden",)
    exclude = ("phone_hash",)
    # Withdrawn by the signer within 10 minutes (campaigns.services.signature_withdraw).
    readonly_fields = (
        "campaign",
        "number",
        "display_name",
        "district",
        "signed_at",
        "withdrawn_at",
    )

    actions = ["export_csv"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # Only "not on the wall" is editable here: moderation, so through the service.
        services.signature_hide(
            signature_id=obj.pk, hidden=obj.is_hidden, actor=request.user, request=request
        )

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
class EventRegistrationAdmin(AuditedModelAdmin):
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
class PageViewDayAdmin(AuditedModelAdmin):
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
