import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District


class Category(models.TextChoices):
    RUMOR = "rumor", _("谣言")
    FRAUD = "fraud", _("诈骗")
    PORNOGRAPHY = "pornography", _("色情低俗")
    VIOLENCE_TERROR = "violence_terror", _("暴恐血腥")
    CYBERBULLYING = "cyberbullying", _("网络暴力")
    HARM_TO_MINORS = "harm_to_minors", _("侵害未成年人")
    LIVESTREAM_DISORDER = "livestream_disorder", _("直播短视频乱象")
    PERSONAL_INFORMATION = "personal_information", _("侵犯个人信息")
    OTHER = "other", _("其他")


# One short, plain example per category, shown before the form is sent.
CATEGORY_EXAMPLES = {
    Category.RUMOR: _("例如：“某小区自来水被污染，千万别喝”，但没有任何官方消息。"),
    Category.FRAUD: _("例如：冒充客服要求“退款”并索要银行卡验证码。"),
    Category.PORNOGRAPHY: _("例如：短视频评论区里发布色情图片或招嫖信息。"),
    Category.VIOLENCE_TERROR: _("例如：传播血腥暴力视频，或宣扬恐怖主义。"),
    Category.CYBERBULLYING: _("例如：公开他人住址电话，组织网友辱骂某人。"),
    Category.HARM_TO_MINORS: _("例如：诱导未成年人打赏、或向孩子推送不良内容。"),
    Category.LIVESTREAM_DISORDER: _("例如：直播间虚假带货、低俗表演或炫富引流。"),
    Category.PERSONAL_INFORMATION: _("例如：售卖快递单号、身份证照片等个人信息。"),
    Category.OTHER: _("其他违法和不良信息。"),
}

# Categories for which the national 12377 centre is also the place to go.
NATIONAL_CENTRE_CATEGORIES = frozenset({Category.VIOLENCE_TERROR})


class Platform(models.TextChoices):
    DOUYIN = "douyin", _("抖音")
    WECHAT = "wechat", _("微信")
    WEIBO = "weibo", _("微博")
    KUAISHOU = "kuaishou", _("快手")
    XIAOHONGSHU = "xiaohongshu", _("小红书")
    TOUTIAO = "toutiao", _("今日头条")
    BILIBILI = "bilibili", _("哔哩哔哩")
    TIEBA = "tieba", _("百度贴吧")
    ZHIHU = "zhihu", _("知乎")
    OTHER = "other", _("其他网站或应用")


class DepartmentKind(models.TextChoices):
    OFFICE = "office", _("网信办")
    DISTRICT_OFFICE = "district_office", _("县（市、区）网信办")
    SECTOR = "sector", _("行业主管部门")


class Department(models.Model):
    """A body that handles reports: the office, a district office or a sector department."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    district = models.CharField(
        _("所属县（市、区）"), max_length=6, choices=District.choices, blank=True
    )
    email = models.EmailField(_("工作邮箱"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("成员"),
        related_name="departments",
        blank=True,
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("处置部门")
        verbose_name_plural = _("处置部门")
        ordering = ["kind", "district", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="office"),
                name="one_office_department",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="district_office") | ~models.Q(district=""),
                name="district_office_has_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def notification_address(self, channel: str) -> str:
        """The department's shared mailbox (its members are told one by one)."""
        return self.email if channel == "email" and self.is_active else ""


class RoutingRule(models.Model):
    """Which department leads on a report; the most specific matching rule wins."""

    category = models.CharField(_("类别"), max_length=30, choices=Category.choices, blank=True)
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices, blank=True)
    district = models.CharField(
        _("县（市、区）"), max_length=6, choices=District.choices, blank=True
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="lead_rules",
    )
    co_handlers = models.ManyToManyField(
        Department,
        verbose_name=_("协办部门"),
        related_name="co_handling_rules",
        blank=True,
        help_text=_("联合联动：协办部门可查看并批注，由牵头部门统一反馈。"),
    )
    working_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"), default=5, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("分办规则")
        verbose_name_plural = _("分办规则")
        ordering = ["category", "platform", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "platform", "district"],
                condition=models.Q(is_active=True),
                name="one_active_rule_per_match",
            ),
            models.CheckConstraint(
                condition=models.Q(working_days__gte=1), name="rule_working_days_positive"
            ),
        ]

    def __str__(self) -> str:
        parts = [
            self.get_category_display() if self.category else _("任意类别"),
            self.get_platform_display() if self.platform else _("任意平台"),
            self.get_district_display() if self.district else _("任意地区"),
        ]
        return " / ".join(str(part) for part in parts) + f" → {self.lead_department}"

    @property
    def specificity(self) -> int:
        return sum(bool(value) for value in (self.category, self.platform, self.district))


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休息）")
    WORKDAY = "workday", _("调休上班日")


class CalendarDay(models.Model):
    """An exception to the Monday-to-Friday week: a public holiday or a make-up working day."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Status(models.TextChoices):
    """Internal states; citizens see the coarser PublicStatus."""

    RECEIVED = "received", _("已接收")
    TRIAGE = "triage", _("待人工分办")
    ROUTED = "routed", _("已分办")
    IN_PROGRESS = "in_progress", _("处置中")
    WAITING_REPORTER = "waiting_reporter", _("等待举报人补充")
    RESOLVED = "resolved", _("已办结")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


class PublicStatus(models.TextChoices):
    RECEIVED = "received", _("受理")
    ROUTED = "routed", _("分办")
    IN_PROGRESS = "in_progress", _("处置中")
    ANSWERED = "answered", _("已反馈")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


PUBLIC_STATUS = {
    Status.RECEIVED: PublicStatus.RECEIVED,
    Status.TRIAGE: PublicStatus.RECEIVED,
    Status.ROUTED: PublicStatus.ROUTED,
    Status.IN_PROGRESS: PublicStatus.IN_PROGRESS,
    Status.WAITING_REPORTER: PublicStatus.IN_PROGRESS,
    Status.RESOLVED: PublicStatus.ANSWERED,
    Status.REJECTED: PublicStatus.REJECTED,
    Status.MERGED: PublicStatus.MERGED,
}
OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.TRIAGE,
        Status.ROUTED,
        Status.IN_PROGRESS,
        Status.WAITING_REPORTER,
    }
)
CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.REJECTED, Status.MERGED})


class RoutingState(models.TextChoices):
    PENDING = "pending", _("待分办")
    DONE = "done", _("已分办")


class RejectionReason(models.TextChoices):
    NOT_HARMFUL = "not_harmful", _("经核查不属于违法和不良信息")
    OUT_OF_AREA = "out_of_area", _("不属于本地管辖")
    INSUFFICIENT = "insufficient", _("线索不足，无法核查")
    ALREADY_REMOVED = "already_removed", _("信息已删除或不可访问")
    OTHER_CHANNEL = "other_channel", _("应通过其他渠道办理")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Report(models.Model):
    """A citizen's report of harmful information; its events are the record of handling."""

    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True, editable=False)
    # What open-data views (Open311) call the report: never the secret tracking code.
    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    category = models.CharField(_("类别"), max_length=30, choices=Category.choices)
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices)
    url = models.URLField(_("网址"), max_length=1000, blank=True)
    account = models.CharField(_("账号名称"), max_length=200, blank=True)
    place_description = models.CharField(_("位置描述"), max_length=300, blank=True)
    content = models.TextField(_("举报内容"))
    seen_at = models.DateTimeField(_("发现时间"), null=True, blank=True)
    district = models.CharField(
        _("涉及县（市、区）"), max_length=6, choices=District.choices, blank=True
    )
    contact_phone = models.CharField(_("联系手机"), max_length=11, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    contact_consent = models.BooleanField(_("同意联系"), default=False)
    contact_erased_at = models.DateTimeField(_("联系方式清除时间"), null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("举报人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)

    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    routing_state = models.CharField(
        _("分办状态"), max_length=10, choices=RoutingState.choices, default=RoutingState.PENDING
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_reports",
    )
    co_handlers = models.ManyToManyField(
        Department, verbose_name=_("协办部门"), related_name="co_handled_reports", blank=True
    )
    routing_rule = models.ForeignKey(
        RoutingRule,
        verbose_name=_("分办规则"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    routed_at = models.DateTimeField(_("分办时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("暂停计时时间"), null=True, blank=True)
    due_warning_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    # Working days counted against the holiday calendar when the step happened, so that
    # statistics are plain database aggregates.
    working_days_to_first_response = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )
    working_days_to_close = models.PositiveIntegerField(null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_reports",
    )
    rejection_reason = models.CharField(
        _("不予受理原因"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    public_feedback = models.TextField(_("公开反馈"), blank=True)
    # PROTECT: a report keeps its debunk; a published debunk is withdrawn, never deleted.
    debunk = models.ForeignKey(
        "Debunk",
        verbose_name=_("关联辟谣"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    normalized_url = models.CharField(max_length=1000, blank=True, db_index=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复于"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suspected_duplicates",
        help_text=_("自动识别为同一事项的较早举报；工作人员可以撤销。"),
    )
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-priority", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="")
                | ~models.Q(account="")
                | ~models.Q(place_description=""),
                name="report_has_a_place",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="merged_report_names_its_primary",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="rejected_report_has_a_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(rating="") | models.Q(status="resolved"),
                name="only_resolved_reports_are_rated",
            ),
        ]
        indexes = [models.Index(fields=["routing_state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.formatted_tracking_code} {self.get_category_display()}"

    def notification_channels(self) -> list[str]:
        """How the reporter asked to be told (nothing without consent or once erased)."""
        if not self.contact_consent or self.contact_erased_at:
            return []
        return [
            channel
            for channel, address in (("email", self.contact_email), ("sms", self.contact_phone))
            if address
        ]

    def notification_address(self, channel: str) -> str:
        """The reporter's address, read at send time: none once erased or without consent."""
        if channel not in self.notification_channels():
            return ""
        return self.contact_email if channel == "email" else self.contact_phone

    def notification_label(self) -> str:
        return gettext("举报人（%(code)s）") % {"code": self.formatted_tracking_code}

    @property
    def tracking_code_groups(self) -> list[str]:
        code = self.tracking_code
        return [code[i : i + 4] for i in range(0, len(code), 4)]

    @property
    def formatted_tracking_code(self) -> str:
        return "-".join(self.tracking_code_groups)

    @property
    def public_status(self) -> PublicStatus:
        return PUBLIC_STATUS[Status(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.paused_at is None
            and self.due_at is not None
            and self.due_at < timezone.now()
        )


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交举报")
    ROUTED = "routed", _("自动分办")
    TRIAGED = "triaged", _("转入人工分办")
    ASSIGNED = "assigned", _("人工分办")
    REROUTED = "rerouted", _("重新分办")
    ACCEPTED = "accepted", _("开始处置")
    NOTE = "note", _("内部批注")
    SENT_BACK = "sent_back", _("退回网信办")
    PAUSED = "paused", _("等待举报人补充")
    RESUMED = "resumed", _("恢复办理")
    RESOLVED = "resolved", _("办结反馈")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("合并")
    RECLASSIFIED = "reclassified", _("更正类别或地区")
    CONTACT_VIEWED = "contact_viewed", _("查看联系方式")
    CONTACT_ERASED = "contact_erased", _("清除联系方式")
    DUE_WARNING = "due_warning", _("临期提醒")
    REMINDER = "reminder", _("超期催办")
    ESCALATED = "escalated", _("超期上报")
    RATED = "rated", _("举报人评价")


class ReportEvent(models.Model):
    """One step in a report's history; append-only."""

    report = models.ForeignKey(
        Report, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices, blank=True)
    public_text = models.TextField(_("公开说明"), blank=True)
    internal_text = models.TextField(_("内部说明"), blank=True)
    due_at = models.DateTimeField(_("当时期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # Set by a task that must tell a report something once ("debunk-correction:7:…"): the
    # database keeps it to one event per report, however often the task is delivered.
    once_key = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "once_key"],
                condition=~models.Q(once_key=""),
                name="one_event_per_report_and_once_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class Evidence(models.Model):
    """A screenshot: the untouched original (office admins only) and a redacted copy."""

    report = models.ForeignKey(
        Report, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="evidence"
    )
    original_path = models.CharField(max_length=200, editable=False)
    original_sha256 = models.CharField(_("原图 SHA-256"), max_length=64, editable=False)
    original_format = models.CharField(_("原图格式"), max_length=10, editable=False)
    original_size = models.PositiveIntegerField(_("原图字节数"), editable=False)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now, editable=False)
    redacted_path = models.CharField(max_length=200, editable=False)
    redacted_content_type = models.CharField(max_length=30, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)

    class Meta:
        verbose_name = _("证据截图")
        verbose_name_plural = _("证据截图")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.original_sha256[:12]} ({self.width}×{self.height})"


class Verdict(models.TextChoices):
    FALSE = "false", _("谣言")
    INACCURATE = "inaccurate", _("不实")
    MISLEADING = "misleading", _("误导")
    TRUE = "true", _("属实")
    UNVERIFIED = "unverified", _("未证实")


# schema.org ClaimReview ratings: 1 (false) to 5 (true); unverified has no numeric value.
VERDICT_RATING = {
    Verdict.FALSE: 1,
    Verdict.INACCURATE: 2,
    Verdict.MISLEADING: 2,
    Verdict.UNVERIFIED: 3,
    Verdict.TRUE: 5,
}


PUBLISHED_DEBUNK_NOT_DELETABLE = _("已发布的辟谣不能删除，只能撤回。")


class DebunkQuerySet(models.QuerySet):
    def delete(self):
        # A bulk delete (admin's "delete selected", a shell) refuses published debunks too.
        published = list(self.filter(is_published=True)[:10])
        if published:
            raise ProtectedError(PUBLISHED_DEBUNK_NOT_DELETABLE, published)
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class Debunk(models.Model):
    """An official answer to a claim that circulated online (辟谣).

    Once published it is never deleted: it is withdrawn (撤回) with a reason, and stays as
    a tombstone for the reports linked to it and for platforms polling the label feed.
    """

    title = models.CharField(_("标题"), max_length=200)
    slug = models.SlugField(
        _("网址名"),
        max_length=120,
        unique=True,
        allow_unicode=False,
        help_text=_("用于网址，只能包含小写字母、数字和短横线，例如 water-supply-rumor。"),
    )
    claim = models.TextField(_("网传说法"))
    verdict = models.CharField(_("结论"), max_length=12, choices=Verdict.choices)
    summary = models.TextField(_("摘要"), max_length=600)
    body = models.TextField(_("正文（Markdown）"), blank=True)
    authority = models.ForeignKey(
        Department, verbose_name=_("发布机关"), on_delete=models.PROTECT, related_name="debunks"
    )
    # Codes stored as ",330302,330303," so one substring lookup filters on any database.
    districts = models.CharField(_("涉及县（市、区）"), max_length=100, blank=True)
    categories = models.CharField(_("涉及类别"), max_length=200, blank=True)
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("用逗号分隔。"))
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("供平台识别谣言，用逗号分隔。")
    )
    is_published = models.BooleanField(_("已发布"), default=False, db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    corrected_at = models.DateTimeField(_("更正时间"), null=True, blank=True)
    correction_note = models.TextField(_("更正说明"), blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, db_index=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撰写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = DebunkQuerySet.as_manager()

    class Meta:
        verbose_name = _("辟谣")
        verbose_name_plural = _("辟谣")
        ordering = ["-published_at", "-pk"]
        permissions = [("publish_debunk", _("可以发布和更正辟谣"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_published=False) | models.Q(published_at__isnull=False),
                name="published_debunk_has_a_date",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | (models.Q(is_published=True) & ~models.Q(withdrawal_reason="")),
                name="withdrawn_debunk_was_published_with_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("debunks:detail", args=[self.slug])

    def delete(self, *args, **kwargs):
        # Asked of the database: an instance loaded as a draft may have been published since.
        if self.is_published or type(self).objects.filter(pk=self.pk, is_published=True).exists():
            raise ProtectedError(PUBLISHED_DEBUNK_NOT_DELETABLE, [self])
        return super().delete(*args, **kwargs)

    delete.alters_data = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def district_codes(self) -> list[str]:
        return [code for code in self.districts.split(",") if code]

    @property
    def category_codes(self) -> list[str]:
        return [code for code in self.categories.split(",") if code]

    @staticmethod
    def pack_codes(codes) -> str:
        return f",{','.join(codes)}," if codes else ""

    @property
    def keyword_list(self) -> list[str]:
        return [
            word.strip() for word in self.keywords.replace("，", ",").split(",") if word.strip()
        ]

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.replace("，", ",").split(",") if tag.strip()]


class DebunkSource(models.Model):
    debunk = models.ForeignKey(Debunk, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(_("来源标题"), max_length=200)
    url = models.URLField(_("来源链接"), max_length=1000)

    class Meta:
        verbose_name = _("信息来源")
        verbose_name_plural = _("信息来源")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class DebunkAppearance(models.Model):
    """Where the claim circulated: a canonical URL or a platform account."""

    debunk = models.ForeignKey(Debunk, on_delete=models.CASCADE, related_name="appearances")
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices)
    url = models.URLField(_("链接"), max_length=1000, blank=True)
    account = models.CharField(_("账号"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("传播位置")
        verbose_name_plural = _("传播位置")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="") | ~models.Q(account=""),
                name="appearance_has_url_or_account",
            )
        ]

    def __str__(self) -> str:
        return self.url or self.account
