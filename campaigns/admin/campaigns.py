"""The campaign in admin: its form's parts by kind, publishing and closing, its reach.

Publishing, unpublishing and closing go through the services (which write their own audit
event); "保存并发布" saves the edit, then publishes the same way.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.admin_audit import AuditedModelAdmin

from .. import selectors, services
from ..models import Campaign, CampaignKind, Candidate, ExternalReach
from .forms import CampaignForm, CandidateForm

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
