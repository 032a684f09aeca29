"""Who handles what: departments, routing rules, and the working-day calendar."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District

from .choices import CalendarDayKind, Category, DepartmentKind, Platform


class Department(models.Model):
    """A body that handles reports: the office, a district office or a sector department."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    # Shown publicly as a debunk's authority and a report's handler.
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
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
