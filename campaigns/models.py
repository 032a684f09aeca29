from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


# A signature or a vote can be taken back this long after it was given (MIIT's
# age-friendly rules: an undo for legal and financial submissions).
WITHDRAW_MINUTES = 10


class CampaignState(models.TextChoices):
    UPCOMING = "upcoming", _("即将开始")
    LIVE = "live", _("进行中")
    CLOSED = "closed", _("已结束")


class Campaign(models.Model):
    """A themed online campaign; its state follows from its dates."""

    title = models.CharField(_("标题"), max_length=120)
    title_en = models.CharField(_("英文标题"), max_length=120, blank=True)
    # Left blank in admin, the slug is made from the title (pinyin): campaigns.slugs.
    slug = models.SlugField(
        _("网址名"),
        max_length=80,
        unique=True,
        blank=True,
        help_text=_("留空则按标题自动生成（拼音），例如 wen-ming-shang-wang。"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=CampaignKind.choices)
    summary = models.CharField(_("简介"), max_length=300)
    summary_en = models.CharField(_("英文简介"), max_length=300, blank=True)
    body = models.TextField(_("正文（Markdown）"), blank=True)
    body_en = models.TextField(_("英文正文（Markdown）"), blank=True)
    cover_path = models.CharField(max_length=200, blank=True, editable=False)
    organiser = models.CharField(_("主办单位"), max_length=100, default="温州市委网信办")
    organiser_en = models.CharField(_("主办单位（英文）"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    # Any edit moves it: the public pages' cache follows it (campaigns.page_versions).
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    is_published = models.BooleanField(_("已发布"), default=False)
    target_participants = models.PositiveIntegerField(_("目标参与人数"), null=True, blank=True)
    target_reads = models.PositiveBigIntegerField(_("目标阅读量"), null=True, blank=True)
    # Votes and contests: published on the page before voting opens (national rules on
    # online rankings: no paid votes, no share-to-unlock, expert judgment weighed in).
    votes_per_day = models.PositiveSmallIntegerField(
        _("每人每天可投票数"), default=1, validators=[MinValueValidator(1)]
    )
    hide_tallies_while_open = models.BooleanField(_("投票期间隐藏票数"), default=False)
    public_weight = models.PositiveSmallIntegerField(
        _("公众投票权重（%）"), default=40, validators=[MaxValueValidator(100)]
    )
    vote_starts_at = models.DateTimeField(_("投票开始"), null=True, blank=True)
    vote_ends_at = models.DateTimeField(_("投票结束"), null=True, blank=True)
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
    def jury_weight(self) -> int:
        return 100 - self.public_weight

    @property
    def voting_window(self) -> tuple:
        return (self.vote_starts_at or self.starts_at, self.vote_ends_at or self.ends_at)

    def voting_open_at(self, moment) -> bool:
        start, end = self.voting_window
        return start <= moment < end

    # Districts and tags are child rows; selectors prefetch "district_links" and
    # "tag_links", and these read the prefetched rows (one query per list, not per row).
    @property
    def district_codes(self) -> list[str]:
        return sorted(link.district for link in self.district_links.all())

    @property
    def tag_list(self) -> list[str]:
        return [link.name for link in self.tag_links.all()]


class CampaignDistrict(models.Model):
    """A district a campaign concerns (one row per district)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="district_links")
    district = models.CharField(_("县（市、区）"), max_length=6, choices=District.choices)

    class Meta:
        verbose_name = _("涉及县（市、区）")
        verbose_name_plural = _("涉及县（市、区）")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "district"], name="one_campaign_district")
        ]
        indexes = [models.Index(fields=["district", "campaign"])]

    def __str__(self) -> str:
        return self.get_district_display()


class CampaignTag(models.Model):
    """A tag on a campaign (青少年, 网络文化节…), one row per tag, kept in the order typed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tag_links")
    name = models.CharField(_("标签"), max_length=30)
    name_en = models.CharField(_("英文标签"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="one_campaign_tag")
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


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
    # Set when the signer takes it back (within WITHDRAW_MINUTES): off the wall, not counted.
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签名")
        verbose_name_plural = _("签名")
        ordering = ["-number"]
        constraints = [
            # A withdrawn signature no longer holds the number: its signer may sign again.
            models.UniqueConstraint(
                fields=["campaign", "phone_hash"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_signature_per_phone",
            ),
            models.UniqueConstraint(fields=["campaign", "number"], name="signature_numbers_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.number}"


class Candidate(models.Model):
    """A nominee of a public vote (added by editors) or a contest entry (sent by citizens)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="candidates")
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    story = models.TextField(_("介绍"), max_length=2000)
    story_en = models.TextField(_("英文介绍"), max_length=2000, blank=True)
    link = models.URLField(_("作品链接"), blank=True)
    image_path = models.CharField(max_length=200, blank=True, editable=False)
    entrant_contact = models.CharField(_("投稿人联系方式"), max_length=60, blank=True)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=Status.choices, default="pending"
    )
    rejection_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    status_token = models.CharField(
        max_length=43, unique=True, null=True, blank=True, editable=False
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("候选人与作品")
        verbose_name_plural = _("候选人与作品")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="rejected_candidate_has_a_reason",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Vote(models.Model):
    """One public vote; suspicious votes are excluded with a reason, never deleted."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="votes")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="votes")
    phone_hash = models.CharField(max_length=64)
    client_key = models.CharField(max_length=64, db_index=True)
    cast_on = models.DateField()
    slot = models.PositiveSmallIntegerField()
    cast_at = models.DateTimeField(default=timezone.now, db_index=True)
    is_flagged = models.BooleanField(_("疑似刷票"), default=False)
    is_excluded = models.BooleanField(_("已剔除"), default=False)
    exclusion_reason = models.CharField(_("剔除原因"), max_length=200, blank=True)
    # Set when the voter takes the vote back (within WITHDRAW_MINUTES): the row stays on
    # record, is left out of every tally and frees its daily slot.
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        constraints = [
            # The n-th vote of a voter's day exists once: the daily limit holds under
            # concurrent requests because the database refuses a second row for a slot.
            # A withdrawn vote gives its slot back.
            models.UniqueConstraint(
                fields=["campaign", "phone_hash", "cast_on", "slot"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_vote_per_daily_slot",
            ),
            models.CheckConstraint(
                condition=~models.Q(is_excluded=True) | ~models.Q(exclusion_reason=""),
                name="excluded_vote_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} {self.cast_on}"


class JuryScore(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="jury_scores")
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评委"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        _("评分（0–100）"), validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("评委评分")
        verbose_name_plural = _("评委评分")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "juror"], name="one_score_per_juror"),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="jury_score_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.score}"


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
    # What an elder types to cancel, with the number's last four digits (no long link).
    short_code = models.CharField(
        _("取消码"), max_length=8, unique=True, null=True, blank=True, editable=False
    )
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
