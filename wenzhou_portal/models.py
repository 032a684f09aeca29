from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """A portal account: staff in admin, and citizens who sign in to take part."""

    is_citizen_observer = models.BooleanField(
        _("市民网络观察员"),
        default=False,
        help_text=_("温州市民网络观察团成员：举报优先处理。"),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

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
