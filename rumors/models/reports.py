"""A citizen's report, its append-only event log, and its evidence."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District

from .choices import (
    OPEN_STATUSES,
    PUBLIC_STATUS,
    AiLabel,
    Category,
    EventKind,
    Platform,
    PublicStatus,
    Rating,
    RejectionReason,
    ReviewOutcome,
    RoutingState,
    Status,
    TriageTag,
)
from .desk import Department, RoutingRule


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
    # Duplicate detection's keys, each indexed with created_at (Meta.indexes) so that the
    # candidates within the window are one index probe however big the table grows.
    normalized_url = models.CharField(max_length=1000, blank=True, editable=False)
    normalized_account = models.CharField(max_length=200, blank=True, editable=False)
    # True while the report may still be an earlier report of a new one: only these rows
    # are in the partial trigram index duplicate detection searches (migration 0018), so
    # the text probe reads the window's posting lists, not the whole table's. New reports
    # are in it; housekeeping (``reports_duplicate_window_clear``) takes old ones out, a
    # day after they leave the window.
    in_duplicate_window = models.BooleanField(default=True, editable=False)
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
    # A second look (复核): asked once by an unsatisfied reporter, decided by an office
    # admin who did not handle the report.
    review_requested_at = models.DateTimeField(_("申请复核时间"), null=True, blank=True)
    review_reason = models.CharField(_("复核理由"), max_length=500, blank=True)
    review_outcome = models.CharField(
        _("复核结果"), max_length=10, choices=ReviewOutcome.choices, blank=True
    )
    review_decided_at = models.DateTimeField(_("复核决定时间"), null=True, blank=True)
    review_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
                condition=models.Q(rating="") | models.Q(status__in=["resolved", "review"]),
                name="only_resolved_reports_are_rated",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="review") | models.Q(review_requested_at__isnull=False),
                name="report_under_review_was_asked_for",
            ),
            models.CheckConstraint(
                condition=models.Q(review_outcome="") | models.Q(review_decided_at__isnull=False),
                name="review_outcome_has_a_time",
            ),
        ]
        indexes = [
            models.Index(fields=["routing_state", "created_at"]),
            models.Index(
                fields=["normalized_url", "created_at"],
                name="report_url_created",
                condition=~models.Q(normalized_url=""),
            ),
            models.Index(
                fields=["platform", "normalized_account", "created_at"],
                name="report_account_created",
                condition=~models.Q(normalized_account=""),
            ),
            # The few reports still flagged, oldest first: what housekeeping clears.
            models.Index(
                fields=["created_at"],
                name="report_dup_window_created",
                condition=models.Q(in_duplicate_window=True),
            ),
        ]

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


class ReportTag(models.Model):
    """A staff-only triage mark on a report (one row per tag)."""

    report = models.ForeignKey(
        Report, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="triage_tags"
    )
    tag = models.CharField(_("研判标签"), max_length=30, choices=TriageTag.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("添加人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("添加时间"), default=timezone.now)

    class Meta:
        verbose_name = _("研判标签")
        verbose_name_plural = _("研判标签")
        ordering = ["tag"]
        constraints = [
            models.UniqueConstraint(fields=["report", "tag"], name="one_row_per_report_tag")
        ]

    def __str__(self) -> str:
        return self.get_tag_display()


class Evidence(models.Model):
    """A screenshot: the untouched original (office admins only) and a redacted copy."""

    report = models.ForeignKey(
        Report, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="evidence"
    )
    # Screenshots the reporter added when answering a request for information.
    event = models.ForeignKey(
        "ReportEvent",
        verbose_name=_("随哪次补充提交"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    # GB 45438-2025 implicit label read from the original's metadata: a fact about the
    # file, never a verdict on the content.
    ai_label = models.CharField(
        _("AI生成标识（元数据）"), max_length=10, choices=AiLabel.choices, blank=True
    )
    ai_label_fields = models.JSONField(_("AI标识字段"), default=dict, blank=True, editable=False)
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
