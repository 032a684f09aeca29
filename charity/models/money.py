"""Where each project's money comes from and goes: donations, disbursements, the ledger.

The portal never holds money. A donation is taken either by a designated internet
fundraising platform (and reaches us by import) or by the organisation's own payment
provider on its own merchant account (and reaches us as a signed notification). Every yuan
in or out is one append-only ``LedgerEntry``; the counters on ``Project`` move in the same
transaction and the nightly proof checks them against the entries.

Amounts are integer fen everywhere.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.codes import code_grouped

from .organisations import DonationChannel, Project


class DonationStatus(models.TextChoices):
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已到账")
    REFUNDING = "refunding", _("已撤销，正在退款")
    REFUNDED = "refunded", _("已撤销，已全额退款")
    EXPIRED = "expired", _("未支付，已过期")


class MessageStatus(models.TextChoices):
    NONE = "none", _("无留言")
    PENDING = "pending", _("待审核")
    SHOWN = "shown", _("已公开")
    HIDDEN = "hidden", _("不予公开")


class PlatformImport(models.Model):
    """One donation list imported from a designated platform, reconciled with its total."""

    class Source(models.TextChoices):
        ORGANISATION_EXPORT = "export", _("组织从平台导出的捐赠明细")
        PLATFORM_DISCLOSURE = "disclosure", _("平台公示的捐赠明细")

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="imports"
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    file = models.FileField(_("文件"), upload_to="charity/imports/", max_length=200)
    file_sha256 = models.CharField(_("文件 SHA-256"), max_length=64, editable=False)
    stated_total_fen = models.PositiveBigIntegerField(_("平台公示的累计筹款（分）"))
    rows_in_file = models.PositiveIntegerField(_("文件行数"), default=0)
    rows_added = models.PositiveIntegerField(_("新增"), default=0)
    rows_known = models.PositiveIntegerField(_("已导入过"), default=0)
    imported_total_fen = models.PositiveBigIntegerField(_("导入后的平台捐赠合计（分）"), default=0)
    imported_at = models.DateTimeField(_("导入时间"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("平台捐赠导入")
        verbose_name_plural = _("平台捐赠导入")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "file_sha256"], name="charity_import_file_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.imported_at:%Y-%m-%d %H:%M}"

    @property
    def reconciled(self) -> bool:
        return self.imported_total_fen == self.stated_total_fen

    @property
    def difference_fen(self) -> int:
        return self.stated_total_fen - self.imported_total_fen


class Donation(models.Model):
    """One gift to one project, by either channel; ``reference`` is its public receipt number."""

    reference = models.CharField(_("捐赠凭证号"), max_length=20, unique=True)
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="donations"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=DonationChannel.choices)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    donor_name = models.CharField(
        _("捐赠人署名"), max_length=30, blank=True, help_text=_("留空即匿名。")
    )
    message = models.CharField(_("留言"), max_length=200, blank=True)
    message_status = models.CharField(
        _("留言审核"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.NONE
    )
    # For the receipt only (a mobile number or an e-mail address); never shown publicly.
    contact = models.CharField(_("接收凭证的联系方式"), max_length=100, blank=True)
    # Who gave, for counting distinct donors without keeping who they are: a keyed hash of
    # the contact or of the platform's donor id, or the reference when we know neither.
    donor_key = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=DonationStatus.choices, default=DonationStatus.PENDING
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("订单失效时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("到账时间"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("退款时间"), null=True, blank=True)
    provider = models.CharField(_("支付服务商"), max_length=20, blank=True)
    transaction_id = models.CharField(_("支付流水号"), max_length=64, blank=True)
    # Set when the donor cancels, before the provider is asked: the same id on every retry.
    refund_id = models.CharField(_("退款单号"), max_length=64, blank=True)
    platform_import = models.ForeignKey(
        PlatformImport,
        verbose_name=_("导入批次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
    )
    platform_row_id = models.CharField(_("平台流水号"), max_length=64, blank=True)
    # First-in-first-out: how much of this gift approved disbursements have used so far.
    allocated_fen = models.PositiveBigIntegerField(_("已被支出使用（分）"), default=0)

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="charity_donation_positive"),
            models.CheckConstraint(
                condition=Q(allocated_fen__lte=F("amount_fen")),
                name="charity_donation_allocated_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["paid", "refunding", "refunded"])
                | Q(paid_at__isnull=False),
                name="charity_donation_paid_has_time",
            ),
            models.CheckConstraint(
                condition=(~Q(status="refunded") | Q(refunded_at__isnull=False))
                & (~Q(status__in=["refunding", "refunded"]) | Q(allocated_fen=0)),
                name="charity_donation_refund_before_allocation",
            ),
            models.CheckConstraint(
                condition=(Q(message="") & Q(message_status="none"))
                | (~Q(message="") & ~Q(message_status="none")),
                name="charity_donation_message_moderated",
            ),
            models.CheckConstraint(
                condition=(
                    Q(channel="platform", platform_import__isnull=False)
                    & ~Q(platform_row_id="")
                    & Q(status="paid")
                )
                | (Q(channel="own", platform_import__isnull=True) & ~Q(provider="")),
                name="charity_donation_channel_shape",
            ),
            models.UniqueConstraint(
                fields=["project", "platform_row_id"],
                condition=Q(channel="platform"),
                name="charity_platform_row_once",
            ),
            models.UniqueConstraint(
                fields=["provider", "transaction_id"],
                condition=~Q(transaction_id=""),
                name="charity_transaction_once",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status", "paid_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("charity:receipt", args=[self.reference])

    @property
    def reference_display(self) -> str:
        """The reference in groups of four, as printed on the receipt."""
        return code_grouped(self.reference)

    @property
    def is_anonymous(self) -> bool:
        return not self.donor_name

    def notification_address(self, channel: str) -> str:
        """The receipt goes to the contact the donor left, on its own channel only."""
        if channel == "email" and "@" in self.contact:
            return self.contact
        if channel == "sms" and self.contact.isdigit():
            return self.contact
        return ""

    def notification_label(self) -> str:
        return self.reference


class DisbursementStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class Disbursement(models.Model):
    """Money a project spent; public once a second person approves it."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="disbursements"
    )
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    paid_on = models.DateField(_("支出日期"))
    purpose = models.CharField(_("用途"), max_length=200)
    payee = models.CharField(_("收款方"), max_length=100)
    # The original (an invoice, a contract) stays private; the public sees a copy staff
    # redacted by hand, and the original's hash, so a reused receipt is caught.
    evidence = models.FileField(_("支出凭证原件"), upload_to="charity/evidence/", max_length=200)
    evidence_sha256 = models.CharField(_("原件 SHA-256"), max_length=64, editable=False)
    evidence_type = models.CharField(max_length=40, editable=False)
    public_copy = models.FileField(
        _("公开的脱敏副本"), upload_to="charity/evidence-public/", max_length=200
    )
    public_copy_type = models.CharField(max_length=40, editable=False)
    evidence_reused = models.BooleanField(_("凭证与其他支出重复"), default=False, editable=False)
    amount_unusual = models.BooleanField(_("金额异常偏高"), default=False, editable=False)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=DisbursementStatus.choices,
        default=DisbursementStatus.PENDING,
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("支出")
        verbose_name_plural = _("支出")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="charity_disbursement_positive"
            ),
            # Four eyes: whoever recorded a disbursement cannot approve or refuse it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("recorded_by")),
                name="charity_disbursement_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="charity_disbursement_decided_has_who",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(decision_note=""),
                name="charity_disbursement_refusal_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"]),
            models.Index(fields=["evidence_sha256"]),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.purpose}"


class EntryKind(models.TextChoices):
    DONATION = "donation", _("捐赠收入")
    REFUND = "refund", _("撤销捐赠退款")
    DISBURSEMENT = "disbursement", _("项目支出")


MONEY_IN = (EntryKind.DONATION,)


class LedgerEntry(models.Model):
    """One movement of money; append-only (PostgreSQL triggers refuse UPDATE and DELETE)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=EntryKind.choices)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    balance_after_fen = models.PositiveBigIntegerField(_("余额（分）"))
    donation = models.ForeignKey(
        Donation,
        verbose_name=_("捐赠"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    disbursement = models.ForeignKey(
        Disbursement,
        verbose_name=_("支出"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    recorded_at = models.DateTimeField(_("记账时间"))

    class Meta:
        verbose_name = _("账目")
        verbose_name_plural = _("账目")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="charity_entry_positive"),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["donation", "refund"])
                    & Q(donation__isnull=False, disbursement__isnull=True)
                )
                | Q(kind="disbursement", donation__isnull=True, disbursement__isnull=False),
                name="charity_entry_has_source",
            ),
            # A donation is entered once and refunded at most once; a disbursement once.
            models.UniqueConstraint(
                fields=["donation", "kind"],
                condition=Q(donation__isnull=False),
                name="charity_entry_donation_once",
            ),
            models.UniqueConstraint(
                fields=["disbursement"],
                condition=Q(disbursement__isnull=False),
                name="charity_entry_disbursement_once",
            ),
        ]
        indexes = [models.Index(fields=["project", "kind", "recorded_at"])]
        triggers = [
            pgtrigger.Protect(
                name="charity_ledger_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen}"

    @property
    def is_money_in(self) -> bool:
        return self.kind in MONEY_IN


class Allocation(models.Model):
    """How much of one gift one approved disbursement used (first in, first out)."""

    donation = models.ForeignKey(
        Donation, verbose_name=_("捐赠"), on_delete=models.PROTECT, related_name="allocations"
    )
    disbursement = models.ForeignKey(
        Disbursement, verbose_name=_("支出"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))

    class Meta:
        verbose_name = _("善款去向")
        verbose_name_plural = _("善款去向")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="charity_allocation_positive"
            ),
            models.UniqueConstraint(
                fields=["donation", "disbursement"], name="charity_allocation_once"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="charity_allocation_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.donation_id} → {self.disbursement_id}: {self.amount_fen}"


class NoticeOutcome(models.TextChoices):
    APPLIED = "applied", _("已入账")
    ALREADY = "already", _("重复通知，未改变任何数据")
    CLOSED = "closed", _("订单已关闭，未入账")
    BAD_SIGNATURE = "bad_signature", _("签名无效")
    STALE = "stale", _("时间戳过期")
    MALFORMED = "malformed", _("格式错误")
    UNKNOWN_ORDER = "unknown_order", _("订单不存在")
    AMOUNT_MISMATCH = "amount_mismatch", _("金额不符")


class PaymentNotice(models.Model):
    """Every payment notification received, accepted or not: the log staff read."""

    provider = models.CharField(_("支付服务商"), max_length=20)
    notice_id = models.CharField(_("通知编号"), max_length=64, blank=True)
    reference = models.CharField(_("捐赠凭证号"), max_length=40, blank=True)
    donation = models.ForeignKey(
        Donation,
        verbose_name=_("捐赠"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    outcome = models.CharField(_("处理结果"), max_length=16, choices=NoticeOutcome.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["provider", "notice_id"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.notice_id} {self.outcome}"


class LedgerProof(models.Model):
    """One run of the nightly proof that every public figure equals its ledger."""

    ran_at = models.DateTimeField(_("运行时间"), auto_now_add=True)
    projects_checked = models.PositiveIntegerField(_("核对项目数"))
    problems = models.JSONField(_("发现的问题"), default=list)

    class Meta:
        verbose_name = _("账目核对")
        verbose_name_plural = _("账目核对")
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} · {len(self.problems)}"

    @property
    def ok(self) -> bool:
        return not self.problems


class SimulatedGatewayOrder(models.Model):
    """The development payment provider's own books (it stands in for WeChat Pay's)."""

    reference = models.CharField(max_length=20, unique=True)
    amount_fen = models.PositiveBigIntegerField()
    description = models.CharField(max_length=120)
    return_url = models.CharField(max_length=300)
    state = models.CharField(max_length=10, default="NOTPAY")
    transaction_id = models.CharField(max_length=64, blank=True)
    refund_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("模拟支付网关订单")
        verbose_name_plural = _("模拟支付网关订单")

    def __str__(self) -> str:
        return f"{self.reference} {self.state}"


class SimulatedGatewayKey(models.Model):
    """The development provider's RSA signing key, shared by every web node and worker."""

    name = models.CharField(max_length=20, unique=True)
    private_key_pem = models.TextField()

    def __str__(self) -> str:
        return self.name
