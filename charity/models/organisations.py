"""乐善365 registry: vetted organisations, the self-discipline pact, filed projects, disclosures.

The rules (who may open a project, what a project needs before it is published, what is
overdue) are in ``charity.services``; the dates the law sets are computed by
``charity.deadlines``. The money each project raises and spends is in ``charity.models.money``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District

from .. import credit_codes

CREDIT_CODE_MESSAGES = {
    credit_codes.Problem.LENGTH: _("应为 18 位，您填写了 %(count)s 位。请对照登记证书逐位核对。"),
    credit_codes.Problem.CHARACTERS: _(
        "代码里不会出现“%(characters)s”（不用 I、O、S、V、Z 这几个字母，也没有标点）。"
        "请核对是否把数字 0、1、2、5 看成了字母。"
    ),
    credit_codes.Problem.AUTHORITY: _(
        "第 1 位是登记管理部门代码（民政部门登记的组织为 5），“%(first)s”不是有效的代码。"
    ),
    credit_codes.Problem.DIVISION: _("第 3 至 8 位是行政区划代码，应为 6 位数字。"),
    credit_codes.Problem.CHECK: _(
        "最后一位（校验码）与前 17 位对不上，说明其中有一位填错了。请对照登记证书逐位核对。"
    ),
}


def validate_credit_code(value: str) -> None:
    """Refuse a code that is not a valid GB 32100-2015 code, saying what is wrong."""
    result = credit_codes.check_code(value)
    if result.valid:
        return
    raise ValidationError(
        CREDIT_CODE_MESSAGES[result.problem],
        code=f"credit_code_{result.problem.value}",
        params={
            "count": len(result.code),
            "characters": "、".join(result.bad_characters),
            "first": result.code[:1],
        },
    )


class Cause(models.TextChoices):
    ELDERLY = "elderly", _("助老")
    EDUCATION = "education", _("助学")
    CHILDREN = "children", _("儿童关爱")
    DISABILITY = "disability", _("助残")
    MEDICAL = "medical", _("医疗救助")
    POVERTY = "poverty", _("济困")
    DISASTER = "disaster", _("救灾")
    COMMUNITY = "community", _("社区服务")
    ENVIRONMENT = "environment", _("生态环保")
    OTHER = "other", _("其他")


class OrganisationStatus(models.TextChoices):
    APPLIED = "applied", _("已申请，待审核")
    VERIFIED = "verified", _("已核验")
    SUSPENDED = "suspended", _("已暂停")
    REJECTED = "rejected", _("未通过审核")


class Organisation(models.Model):
    """A charity organisation that applied to the platform; public once verified."""

    name = models.CharField(_("组织名称"), max_length=100)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18 位，见登记证书，例如 53330300MJ8768836X。"),
    )
    registering_authority = models.CharField(
        _("登记管理机关"), max_length=100, help_text=_("例如：温州市民政局。")
    )
    district = models.CharField(_("所在县（市、区）"), max_length=6, choices=District.choices)
    summary = models.TextField(_("组织简介"), max_length=2000, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=30)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    # 公开募捐资格: the certificate issued by the civil-affairs department, and how long it holds.
    fundraising_certificate = models.CharField(_("公开募捐资格证书编号"), max_length=60, blank=True)
    fundraising_valid_from = models.DateField(_("公开募捐资格有效期起"), null=True, blank=True)
    fundraising_valid_until = models.DateField(_("公开募捐资格有效期止"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.APPLIED,
    )
    status_reason = models.TextField(_("状态说明"), blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("状态变更人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公益组织")
        verbose_name_plural = _("公益组织")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "suspended"]) | ~Q(status_reason=""),
                name="charity_org_refusal_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="applied") | Q(verified_at__isnull=False) | Q(status="rejected"),
                name="charity_org_verified_has_time",
            ),
            models.CheckConstraint(
                condition=Q(fundraising_certificate="")
                | (
                    Q(fundraising_valid_from__isnull=False)
                    & Q(fundraising_valid_until__isnull=False)
                    & Q(fundraising_valid_until__gte=models.F("fundraising_valid_from"))
                ),
                name="charity_org_qualification_dated",
            ),
        ]
        indexes = [models.Index(fields=["status", "district"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("charity:organisation", args=[self.credit_code])

    def qualified_on(self, day) -> bool:
        """Holds the public-fundraising qualification on this day."""
        return bool(
            self.fundraising_certificate
            and self.fundraising_valid_from
            and self.fundraising_valid_until
            and self.fundraising_valid_from <= day <= self.fundraising_valid_until
        )


class PactVersion(models.Model):
    """One version of 《温州市网络公益组织自律公约》; published versions never change."""

    number = models.PositiveSmallIntegerField(_("版本号"), unique=True)
    title = models.CharField(_("标题"), max_length=100, default="温州市网络公益组织自律公约")
    text = models.TextField(_("公约全文（Markdown）"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("自律公约版本")
        verbose_name_plural = _("自律公约版本")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.title}（第 {self.number} 版）"


class PactSignature(models.Model):
    """An organisation signed one version of the pact: who signed for it, and when."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="pact_signatures"
    )
    version = models.ForeignKey(PactVersion, on_delete=models.PROTECT, related_name="signatures")
    signer_name = models.CharField(_("签署人姓名"), max_length=30)
    signer_title = models.CharField(_("签署人职务"), max_length=50)
    signed_at = models.DateTimeField(_("签署时间"))

    class Meta:
        verbose_name = _("公约签署")
        verbose_name_plural = _("公约签署")
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="charity_one_signature_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.version}"


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("审核中")
    FUNDRAISING = "fundraising", _("募捐中")
    COMPLETED = "completed", _("募捐结束")
    CLOSED = "closed", _("已结项")


PUBLIC_PROJECT_STATUSES = (
    ProjectStatus.FUNDRAISING,
    ProjectStatus.COMPLETED,
    ProjectStatus.CLOSED,
)


class DonationChannel(models.TextChoices):
    PLATFORM = "platform", _("指定的互联网公开募捐信息平台")
    OWN = "own", _("组织自有收款渠道")


class SurplusRule(models.TextChoices):
    RETURN = "return", _("按捐赠人意愿原路退还")
    FUND = "fund", _("转入指定的同类公益项目或基金")


class Project(models.Model):
    """A charity project an organisation files; public from approval (募捐中) on."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("发起组织"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("合作的具有公开募捐资格的组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnered_projects",
        help_text=_("发起组织没有公开募捐资格时，须与具有资格的组织合作募捐。"),
    )
    title = models.CharField(_("项目名称"), max_length=100)
    summary = models.CharField(_("简介"), max_length=300)
    body = models.TextField(_("项目详情（Markdown）"), blank=True)
    cover = models.FileField(_("封面图片"), upload_to="charity/covers/", max_length=200, blank=True)
    district = models.CharField(_("实施地"), max_length=6, choices=District.choices)
    cause = models.CharField(_("领域"), max_length=12, choices=Cause.choices)
    beneficiaries = models.CharField(_("受益对象"), max_length=200)
    target_fen = models.PositiveBigIntegerField(_("筹款目标（分）"))
    starts_on = models.DateField(_("募捐开始日期"))
    ends_on = models.DateField(_("募捐结束日期"))
    is_public_fundraising = models.BooleanField(
        _("公开募捐"),
        default=True,
        help_text=_("面向社会公众募捐须有公开募捐资格（或合作组织的资格）和募捐方案备案编号。"),
    )
    filing_number = models.CharField(
        _("募捐方案备案编号"),
        max_length=60,
        blank=True,
        help_text=_("在“慈善中国”备案后取得，公开募捐项目发布前必须填写。"),
    )
    filed_on = models.DateField(
        _("募捐方案备案日期"),
        null=True,
        blank=True,
        help_text=_("公开募捐开始日期须在备案之日起 10 日以后。"),
    )
    donation_platform = models.CharField(
        _("募捐平台"),
        max_length=60,
        blank=True,
        help_text=_("民政部指定的互联网公开募捐信息平台名称，例如：腾讯公益。"),
    )
    donation_channel = models.CharField(
        _("捐赠渠道"),
        max_length=10,
        choices=DonationChannel.choices,
        default=DonationChannel.PLATFORM,
        help_text=_(
            "本平台不经手善款：捐赠在指定的互联网募捐信息平台进行，"
            "或通过具有公开募捐资格的组织自己的收款商户进行。"
        ),
    )
    donation_url = models.URLField(
        _("平台项目页地址"),
        max_length=300,
        blank=True,
        help_text=_("在指定平台上本项目的捐赠页面，捐赠人将被引导到这里。"),
    )
    payment_provider = models.CharField(
        _("支付服务商"),
        max_length=20,
        blank=True,
        help_text=_("组织自有收款渠道使用的支付服务商（其商户号属于该组织）。"),
    )
    # Counters kept for speed; each moves in the transaction that appends its ledger entry,
    # and the nightly proof (charity.services.ledger.ledger_prove) checks them.
    raised_fen = models.PositiveBigIntegerField(_("累计收到捐赠（分）"), default=0, editable=False)
    refunded_fen = models.PositiveBigIntegerField(_("累计退款（分）"), default=0, editable=False)
    spent_fen = models.PositiveBigIntegerField(_("累计支出（分）"), default=0, editable=False)
    surplus_rule = models.CharField(
        _("剩余善款处理方式"), max_length=10, choices=SurplusRule.choices
    )
    surplus_fund = models.CharField(_("剩余善款转入的项目或基金"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    review_reason = models.TextField(_("审核意见"), blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Any edit moves it: the public pages' cache follows it (charity.page_versions).
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("公益项目")
        verbose_name_plural = _("公益项目")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="charity_project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(target_fen__gt=0), name="charity_project_target_positive"
            ),
            models.CheckConstraint(
                condition=~Q(surplus_rule="fund") | ~Q(surplus_fund=""),
                name="charity_project_fund_named",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["fundraising", "completed", "closed"])
                | Q(is_public_fundraising=False)
                | ~Q(filing_number=""),
                name="charity_public_project_filed",
            ),
            models.CheckConstraint(
                condition=Q(partner__isnull=True) | ~Q(partner=models.F("organisation")),
                name="charity_partner_is_another_org",
            ),
            models.CheckConstraint(
                condition=~Q(donation_channel="own") | ~Q(payment_provider=""),
                name="charity_own_channel_has_provider",
            ),
            # The balance never goes below zero: refunds and spending come out of money in.
            models.CheckConstraint(
                condition=Q(
                    raised_fen__gte=models.F("refunded_fen") + models.F("spent_fen"),
                ),
                name="charity_project_balance_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "district", "cause"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("charity:project", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_PROJECT_STATUSES

    @property
    def net_raised_fen(self) -> int:
        return self.raised_fen - self.refunded_fen

    @property
    def balance_fen(self) -> int:
        return self.raised_fen - self.refunded_fen - self.spent_fen

    @property
    def progress_percent(self) -> int:
        return min(100, self.net_raised_fen * 100 // self.target_fen) if self.target_fen else 0

    @property
    def target_yuan(self) -> str:
        yuan, fen = divmod(self.target_fen, 100)
        return f"{yuan:,}.{fen:02d}"


class DisclosureKind(models.TextChoices):
    PERIODIC = "periodic", _("定期公开（每 3 个月）")
    FINAL = "final", _("结项公开（募捐、执行和使用情况）")
    LEFTOVER = "leftover", _("剩余财产处理")
    ANNUAL_REPORT = "annual_report", _("组织年度报告")


class Disclosure(models.Model):
    """A dated document an organisation publishes about a project (or its year)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="disclosures"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    kind = models.CharField(_("类型"), max_length=14, choices=DisclosureKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=120)
    summary = models.TextField(_("摘要"), max_length=3000)
    document_date = models.DateField(_("文件落款日期"))
    document = models.FileField(_("文件"), upload_to="charity/disclosures/", max_length=200)
    document_type = models.CharField(max_length=40, editable=False)
    document_sha256 = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(_("公开时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("信息公开")
        verbose_name_plural = _("信息公开")
        ordering = ["-published_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="annual_report", project__isnull=True, year__isnull=False)
                    | (~Q(kind="annual_report") & Q(project__isnull=False))
                ),
                name="charity_disclosure_belongs",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "published_at"])]

    def __str__(self) -> str:
        return self.title


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", _("更正")
    PURPOSE_CHANGE = "purpose_change", _("用途变更")


class Correction(models.Model):
    """A visible record of a change to a published project: what, from what, to what, why."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(_("类型"), max_length=16, choices=CorrectionKind.choices)
    field = models.CharField(_("更改内容"), max_length=40)
    old_value = models.TextField(_("原内容"))
    new_value = models.TextField(_("新内容"))
    note = models.TextField(_("说明"))
    made_at = models.DateTimeField(_("时间"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("更正记录")
        verbose_name_plural = _("更正记录")
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="charity_correction_has_note")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.field}"
