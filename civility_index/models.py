"""The index method is data: dimensions, indicators, goalposts; results are snapshots."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import CITY_CODE, District

UNIT_CHOICES = [(CITY_CODE, _("温州市（全市）")), *District.choices]


class DistrictPopulation(models.Model):
    """Resident population per district: reference data for per-10,000 rates."""

    district = models.CharField(
        _("县（市、区）"), max_length=6, choices=District.choices, unique=True
    )
    population = models.PositiveIntegerField(_("常住人口"), validators=[MinValueValidator(1)])
    year = models.PositiveSmallIntegerField(_("数据年份"))

    class Meta:
        verbose_name = _("常住人口")
        verbose_name_plural = _("常住人口")
        ordering = ["district"]
        constraints = [
            models.CheckConstraint(condition=models.Q(population__gt=0), name="population_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_district_display()} {self.population}"


class MethodSettings(models.Model):
    """The method's global options and its version; exactly one row."""

    class Normalisation(models.TextChoices):
        GOALPOSTS = "goalposts", _("固定目标值（推荐，可跨月比较）")
        MINMAX = "minmax", _("当期最小-最大值（仅供对比）")

    normalisation = models.CharField(
        _("标准化方法"), max_length=10, choices=Normalisation.choices, default="goalposts"
    )
    max_missing_share = models.FloatField(
        _("允许缺失的指标比例上限"),
        default=0.2,
        help_text=_("缺失超过此比例的地区不计算总分（可持续发展目标指数的规则）。"),
    )
    min_cases = models.PositiveIntegerField(
        _("比率指标的最少案例数"), default=5, help_text=_("少于此数的比率标记为“样本较少”。")
    )
    exclude_small_samples_from_ranking = models.BooleanField(
        _("样本较少的地区不参与排名"), default=False
    )
    robustness_draws = models.PositiveIntegerField(_("稳健性分析随机抽样次数"), default=1000)
    robustness_spread = models.FloatField(_("权重扰动幅度"), default=0.2)
    robustness_seed = models.PositiveIntegerField(_("随机种子"), default=20240101)
    version = models.PositiveIntegerField(_("方法版本"), default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("计算方法设置")
        verbose_name_plural = _("计算方法设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_missing_share__gte=0) & models.Q(max_missing_share__lt=1),
                name="missing_share_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(robustness_spread__gte=0) & models.Q(robustness_spread__lt=1),
                name="spread_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Dimension(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=100)
    weight = models.FloatField(_("权重"), validators=[MinValueValidator(0.0001)])
    floor = models.FloatField(
        _("警戒线"), null=True, blank=True, help_text=_("维度得分低于此值时亮红灯（0–100）。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("维度")
        verbose_name_plural = _("维度")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="dimension_weight_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name_zh


class Indicator(models.Model):
    class Direction(models.TextChoices):
        HIGHER = "higher", _("越高越好")
        LOWER = "lower", _("越低越好")

    class Scheme(models.TextChoices):
        GOALPOSTS = "goalposts", _("固定目标值")
        BANDS = "bands", _("目标区间")

    class Source(models.TextChoices):
        COMPUTED = "computed", _("由门户数据自动计算")
        ENTERED = "entered", _("由工作人员填报")

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=80)
    name_en = models.CharField(_("英文名称"), max_length=120)
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("维度"), on_delete=models.PROTECT, related_name="indicators"
    )
    description = models.TextField(_("说明"))
    description_en = models.TextField(_("英文说明"), blank=True)
    unit = models.CharField(_("单位"), max_length=30)
    unit_en = models.CharField(_("英文单位"), max_length=40, blank=True)
    direction = models.CharField(_("方向"), max_length=6, choices=Direction.choices)
    weight = models.FloatField(_("权重"), validators=[MinValueValidator(0.0001)])
    scheme = models.CharField(
        _("标准化方式"), max_length=10, choices=Scheme.choices, default="goalposts"
    )
    lower = models.FloatField(_("下限目标值"))
    upper = models.FloatField(_("上限目标值"))
    bands = models.JSONField(
        _("目标区间"),
        default=list,
        blank=True,
        help_text=_(
            "仅用于目标区间方式：[[阈值, 得分], …]，例如 [[99, 100], [98, 80], [95, 60], [0, 0]]。"
        ),
    )
    target = models.FloatField(_("目标值"), null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=10, choices=Source.choices)
    computed_key = models.CharField(
        _("计算函数"), max_length=60, blank=True, help_text=_("自动计算指标所用的已注册函数名。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["dimension__order", "order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="indicator_weight_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(lower__lt=models.F("upper")), name="goalposts_ordered"
            ),
            models.CheckConstraint(
                condition=~models.Q(source="computed") | ~models.Q(computed_key=""),
                name="computed_indicator_has_a_function",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class EnteredValue(models.Model):
    """A value staff enter for one indicator, district and month."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        on_delete=models.PROTECT,
        related_name="entered_values",
        limit_choices_to={"source": "entered"},
    )
    district = models.CharField(_("县（市、区）"), max_length=6, choices=District.choices)
    period = models.DateField(_("月份"), help_text=_("该月 1 日。"))
    value = models.FloatField(_("数值"))
    cases = models.PositiveIntegerField(_("案例数"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("填报数据")
        verbose_name_plural = _("填报数据")
        ordering = ["-period", "indicator", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "district", "period"],
                name="one_value_per_indicator_district_month",
            ),
            models.CheckConstraint(
                condition=models.Q(period__day=1), name="period_is_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.district} {self.period:%Y-%m} = {self.value}"


class Snapshot(models.Model):
    """One complete computation of one month: raw values, scores, ranks, flags, robustness.

    A new computation never overwrites an old one: it is a new version. The version
    marked published stays visible "as published"; a later one is a restatement.
    """

    period = models.DateField(_("月份"), db_index=True)
    version = models.PositiveIntegerField(_("版本"))
    method_version = models.PositiveIntegerField(_("方法版本"))
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    is_published = models.BooleanField(_("已发布"), default=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    is_stale = models.BooleanField(
        _("方法已变更"), default=False, help_text=_("计算方法在此之后有变更，需要重新计算。")
    )
    city_score = models.FloatField(_("全市得分"), null=True, blank=True)
    results = models.JSONField(_("计算结果"))
    method = models.JSONField(_("所用方法"))
    # A SHA-256 of everything the computation read (services.inputs_digest): a recompute
    # whose inputs match the latest version's writes nothing. Empty on older versions.
    input_digest = models.CharField(_("输入摘要"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("指数快照")
        verbose_name_plural = _("指数快照")
        ordering = ["-period", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="one_snapshot_per_version"),
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(is_published=True),
                name="one_published_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period__day=1), name="snapshot_period_is_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} v{self.version}"


class PeriodLock(models.Model):
    """A row to lock so that two recomputations of one month never interleave."""

    period = models.DateField(unique=True)

    class Meta:
        verbose_name = _("计算锁")
        verbose_name_plural = _("计算锁")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"
