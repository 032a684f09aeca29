from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District


class CampaignKind(models.TextChoices):
    THEME = "theme", _("主题传播")
    CONTEST = "contest", _("创意大赛")
    PLEDGE = "pledge", _("网上签名")
    VOTE = "vote", _("评选投票")
    EVENT = "event", _("宣讲活动")


KIND_DESCRIPTIONS = {
    CampaignKind.THEME: _("围绕共同富裕、网络文化节等主题的网上传播周。"),
    CampaignKind.CONTEST: _("如“最美IN温州”短视频创意大赛：投稿、审核、公开展示和投票。"),
    CampaignKind.PLEDGE: _("如“文明上网，从你我做起”网上签名，可下载签名证书。"),
    CampaignKind.VOTE: _("如“最美互联网人”“最美外卖骑手”评选，公众投票与专家评审相结合。"),
    CampaignKind.EVENT: _("如青少年网络素养宣讲，在线报名，名额满后可候补。"),
}


class CampaignState(models.TextChoices):
    UPCOMING = "upcoming", _("即将开始")
    LIVE = "live", _("进行中")
    CLOSED = "closed", _("已结束")


class Campaign(models.Model):
    """A themed online campaign; its state follows from its dates."""

    title = models.CharField(_("标题"), max_length=120)
    slug = models.SlugField(_("网址名"), max_length=80, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=CampaignKind.choices)
    summary = models.CharField(_("简介"), max_length=300)
    body = models.TextField(_("正文（Markdown）"), blank=True)
    organiser = models.CharField(_("主办单位"), max_length=100, default="温州市委网信办")
    districts = models.CharField(_("涉及县（市、区）"), max_length=100, blank=True)
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("用逗号分隔。"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    is_published = models.BooleanField(_("已发布"), default=False)
    target_participants = models.PositiveIntegerField(_("目标参与人数"), null=True, blank=True)
    target_reads = models.PositiveBigIntegerField(_("目标阅读量"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    venue = models.CharField(_("地点"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("campaigns:detail", args=[self.slug])

    def state_at(self, moment) -> CampaignState:
        if moment < self.starts_at:
            return CampaignState.UPCOMING
        if moment < self.ends_at:
            return CampaignState.LIVE
        return CampaignState.CLOSED

    @property
    def state(self) -> CampaignState:
        return self.state_at(timezone.now())

    @property
    def district_codes(self) -> list[str]:
        return [code for code in self.districts.split(",") if code]

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.replace("，", ",").split(",") if tag.strip()]


class PhoneVerification(models.Model):
    """A text-message code sent to a number; only a keyed hash of the number is stored."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=100)  # "salt$hmac"
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("手机验证")
        verbose_name_plural = _("手机验证")

    def __str__(self) -> str:
        return f"{self.phone_hash[:8]}… {self.created_at:%Y-%m-%d %H:%M}"


class Signature(models.Model):
    """One pledge signature; one per verified phone number per campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="signatures")
    phone_hash = models.CharField(max_length=64)
    display_name = models.CharField(_("署名"), max_length=20)
    district = models.CharField(
        _("县（市、区）"), max_length=6, choices=District.choices, blank=True
    )
    number = models.PositiveIntegerField(_("签名序号"))
    is_hidden = models.BooleanField(_("不在签名墙显示"), default=False)
    signed_at = models.DateTimeField(_("签名时间"), default=timezone.now)

    class Meta:
        verbose_name = _("签名")
        verbose_name_plural = _("签名")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "phone_hash"], name="one_signature_per_phone"
            ),
            models.UniqueConstraint(fields=["campaign", "number"], name="signature_numbers_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.number}"


class EventRegistration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已报名")
        WAITLISTED = "waitlisted", _("候补")
        CANCELLED = "cancelled", _("已取消")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField(_("姓名"), max_length=30)
    phone_hash = models.CharField(max_length=64)
    phone_tail = models.CharField(_("手机尾号"), max_length=4)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    cancel_token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "phone_hash"],
                condition=~models.Q(status="cancelled"),
                name="one_live_registration_per_phone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.name}"


class ExternalReach(models.Model):
    """Reads on other platforms, entered by editors per platform and date."""

    class Platform(models.TextChoices):
        DOUYIN = "douyin", _("抖音")
        WECHAT = "wechat", _("微信")
        WEIBO = "weibo", _("微博")
        TOUTIAO = "toutiao", _("今日头条")
        OTHER = "other", _("其他")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="external_reach")
    platform = models.CharField(_("平台"), max_length=10, choices=Platform.choices)
    day = models.DateField(_("日期"))
    reads = models.PositiveBigIntegerField(_("阅读量"))

    class Meta:
        verbose_name = _("外部阅读量")
        verbose_name_plural = _("外部阅读量")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "platform", "day"], name="one_reach_row_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.platform} {self.day}"


class PageViewDay(models.Model):
    """Portal page views of a campaign per day, flushed from counters (no write per view)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="page_views")
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)
    unique_visitors = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("页面浏览")
        verbose_name_plural = _("页面浏览")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="one_view_row_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.day}: {self.views}"
