"""Signed webhooks: a department's system is told when a report reaches it or moves on."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .desk import Department
from .reports import ReportEvent


def validate_webhook_url(url: str) -> None:
    """An endpoint is reached over HTTPS; plain HTTP only where settings allow it (tests)."""
    if not url.startswith("https://") and not settings.WEBHOOK_ALLOW_HTTP:
        raise ValidationError(_("回调地址必须使用 https://。"), code="insecure_webhook_url")


class WebhookEndpoint(models.Model):
    """Where a department's case system wants to hear about its reports.

    The secret is stored as it is, not hashed: the portal must compute the HMAC with it on
    every delivery. It is shown once when the endpoint is created and never again.
    """

    name = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
        verbose_name=_("处置部门"),
    )
    url = models.URLField(_("回调地址"), max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(_("签名密钥"), max_length=64, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Webhook 回调")
        verbose_name_plural = _("Webhook 回调")
        ordering = ["department", "name"]

    def __str__(self) -> str:
        return f"{self.department} · {self.name}"


class WebhookDelivery(models.Model):
    """One event told to one endpoint; the body is kept so that every attempt is identical.

    One row per (event, endpoint) is a database constraint, and a send claims its row with
    a conditional update first, so a redelivered task never posts twice.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("发送失败")

    delivery_id = models.UUIDField(_("投递编号"), default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("Webhook 回调"),
    )
    event = models.ForeignKey(
        ReportEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("办理记录")
    )
    event_kind = models.CharField(_("事件"), max_length=30)
    body = models.TextField(_("内容"))
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    next_retry_at = models.DateTimeField(_("下次重试时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("Webhook 投递记录")
        verbose_name_plural = _("Webhook 投递记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="one_webhook_delivery_per_event_endpoint"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="delivered") | models.Q(delivered_at__isnull=False),
                name="delivered_webhook_has_delivered_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} · {self.event_kind} · {self.delivery_id}"
