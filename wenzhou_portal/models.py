from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """A portal account: staff in admin, and citizens who sign in to take part."""

    class NotifyChannel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")
        NONE = "none", _("不通知")

    # A citizen's mobile number, as the keyed hash phone verification stores (never the
    # number itself); empty for staff. Unique, so one number is one citizen account.
    mobile_hash = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    mobile_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    notify_channel = models.CharField(
        _("通知方式"), max_length=8, choices=NotifyChannel.choices, default=NotifyChannel.NONE
    )
    is_citizen_observer = models.BooleanField(
        _("市民网络观察员"),
        default=False,
        help_text=_("温州市民网络观察团成员：举报优先处理。"),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def notification_address(self, channel: str) -> str:
        """Where a staff member is told: their e-mail (staff get no text messages).

        A citizen is told only on the channel they chose; no number is kept to text.
        """
        if channel != "email" or not self.is_active:
            return ""
        if self.mobile_hash and self.notify_channel != self.NotifyChannel.EMAIL:
            return ""
        return self.email

    def has_role(self, role: Role) -> bool:
        return self.groups.filter(name=role.value).exists()


class AuditEvent(models.Model):
    """An append-only record of a security-relevant action; never pruned."""

    occurred_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The app whose staff write this is ("rumors", "campaigns"…; the portal's own for
    # sign-ins and accounts), so the auditor can filter by it.
    app = models.CharField(_("模块"), max_length=32, db_index=True, default="wenzhou_portal")
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class Notification(models.Model):
    """One message to one recipient through one channel, about one thing that happened.

    The row holds what was said and to whom, never the address: that is read from the
    recipient when the message is sent (``recipient.notification_address(channel)``), so
    an erased contact is never written to again and the log keeps no personal data.
    One row per (source, recipient, channel) is a database constraint, and a send claims
    its row first, so a retried task never sends twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        SKIPPED = "skipped", _("无可用联系方式")
        FAILED = "failed", _("发送失败")

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    state = models.CharField(
        _("状态"), max_length=8, choices=State.choices, default=State.PENDING, db_index=True
    )
    recipient_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    recipient_id = models.PositiveBigIntegerField()
    recipient = GenericForeignKey("recipient_type", "recipient_id")
    recipient_label = models.CharField(_("接收人"), max_length=200)
    source_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "recipient_type", "recipient_id", "channel"],
                name="one_notification_per_source_recipient_channel",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="sent") | models.Q(sent_at__isnull=False),
                name="sent_notification_has_sent_at",
            ),
        ]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_label}: {self.subject}"


class PhoneVerification(models.Model):
    """A text-message code sent to a number; only a keyed hash of the number is stored."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    # The last four digits, which staff may see (an event's attendee list).
    phone_tail = models.CharField(max_length=4, blank=True)
    code_hash = models.CharField(max_length=100)  # "salt$hmac"
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("手机验证")
        verbose_name_plural = _("手机验证")

    def __str__(self) -> str:
        return f"{self.phone_hash[:8]}… {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A credential for another system's calls to the API, standing for a department or a platform.

    Each token acts through its own service account (``user``): an account with no usable
    password that belongs to the token's department, so the API scopes a token exactly
    as it scopes that department's handlers. Only a SHA-256 hash of the secret is kept;
    the secret is shown once, when the token is created.
    """

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("处置部门系统")
        PLATFORM = "platform", _("平台")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    # The department a department token stands for. A plain id, not a foreign key: the
    # departments belong to the report desk, which this package does not import; the
    # service account's department membership is what the API's scoping reads.
    department_id = models.PositiveBigIntegerField(_("处置部门"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务账号"),
        on_delete=models.PROTECT,
        related_name="api_token",
    )
    # The public half of the token, so that a request finds its row by an indexed lookup.
    key = models.CharField(_("标识"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="department", department_id__isnull=False)
                    | models.Q(kind="platform", department_id__isnull=True)
                ),
                name="api_token_department_iff_department_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class ScheduledJobRun(models.Model):
    """When a job of the beat schedule last started, succeeded and failed (one row a job).

    Written by the worker around each run (wenzhou_portal/jobs.py), read by /readyz to say
    whether the scheduler is on time. ``expected_since`` is when beat first scheduled the
    job, so a job that has never succeeded is late only once it has had time to run.
    """

    name = models.CharField(_("任务"), max_length=100, unique=True)
    expected_since = models.DateTimeField(_("计划开始时间"), default=timezone.now)
    last_started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_succeeded_at = models.DateTimeField(_("最近成功"), null=True, blank=True)
    last_failed_at = models.DateTimeField(_("最近失败"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
