"""Deadline digests: one message per run and recipient, listing the reports it is about."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .desk import Department
from .reports import ReportEvent


class DeadlineDigest(models.Model):
    """What one deadline run told one department, or the office's admins (no department).

    The digest is the source of its notifications, so each recipient is told about it once;
    it is recorded in the run's transaction with the claims and events it lists, so a run
    delivered twice finds nothing left to claim and records no second digest.
    """

    run_at = models.DateTimeField(_("检查时间"), db_index=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("处置部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空时发给网信办管理员（超期上报汇总）。"),
    )
    events = models.ManyToManyField(
        ReportEvent, verbose_name=_("办理记录"), related_name="deadline_digests"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("期限提醒汇总")
        verbose_name_plural = _("期限提醒汇总")
        ordering = ["-run_at", "-pk"]

    def __str__(self) -> str:
        audience = self.department.name if self.department else _("网信办管理员")
        return f"{timezone.localtime(self.run_at):%Y-%m-%d %H:%M} {audience}"
