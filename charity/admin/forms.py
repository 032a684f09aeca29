"""The shape of charity's admin input; every rule stays in ``charity.services``.

Forms that record something (a disclosure, a disbursement, a platform import) call their
service from ``clean`` and show its refusals on the fields they name; the admin then has
nothing left to save.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import payments, services
from ..models import (
    PUBLIC_PROJECT_STATUSES,
    Disbursement,
    Disclosure,
    DonationChannel,
    Organisation,
    OrganisationStatus,
    PlatformImport,
    Project,
)

# What staff read for each adapter code (``charity.payments.ADAPTERS``).
PROVIDER_LABELS = {"simulated": _("模拟支付网关（开发和演示用，不收真钱）")}


def provider_choices(current: str = "") -> list[tuple[str, str]]:
    """The adapters this deployment may use, and the project's own if it is no longer one."""
    choices = [("", "—")]
    choices += [
        (code, PROVIDER_LABELS.get(code, code))
        for code in payments.ADAPTERS
        if payments.provider_available(code)
    ]
    if current and current not in dict(choices):
        choices.append((current, _("%(code)s（本部署未启用）") % {"code": current}))
    return choices


class ReasonForm(forms.Form):
    # Required-ness is the service's rule; the form only shapes input.
    reason = forms.CharField(
        label=_("原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProjectForm(forms.ModelForm):
    target_yuan = forms.DecimalField(
        label=_("筹款目标（元）"), min_value=0.01, max_digits=14, decimal_places=2
    )
    cover_upload = forms.FileField(
        label=_("封面图片"), required=False, help_text=_("JPEG、PNG 或 WebP，不超过 5 MB。")
    )
    correction_note = forms.CharField(
        label=_("更正说明（公开）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("项目已发布：每一处修改都会在项目页留下公开的更正记录，请写明原因。"),
    )
    payment_provider = forms.ChoiceField(
        label=_("支付服务商"),
        required=False,
        choices=(),
        help_text=_(
            "仅“组织自有收款渠道”需要：使用该组织自己商户号的支付服务商。"
            "真实的微信支付、支付宝接口须以组织自己的商户资质另行接入。"
        ),
    )

    class Meta:
        model = Project
        fields = (
            "organisation",
            "partner",
            "title",
            "summary",
            "body",
            "district",
            "cause",
            "beneficiaries",
            "starts_on",
            "ends_on",
            "is_public_fundraising",
            "filing_number",
            "filed_on",
            "donation_platform",
            "donation_channel",
            "donation_url",
            "payment_provider",
            "surplus_rule",
            "surplus_fund",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["target_yuan"].initial = self.instance.target_fen / 100
        for name in ("organisation", "partner"):
            if name in self.fields:
                self.fields[name].queryset = Organisation.objects.exclude(
                    status=OrganisationStatus.REJECTED
                )
        if "payment_provider" in self.fields:
            self.fields["payment_provider"].choices = provider_choices(
                self.instance.payment_provider
            )
        if "donation_channel" in self.fields:
            # Left out of a post, the channel is the model's default (a designated platform).
            self.fields["donation_channel"].required = False

    def clean_donation_channel(self) -> str:
        return self.cleaned_data.get("donation_channel") or DonationChannel.PLATFORM

    def clean_cover_upload(self):
        upload = self.cleaned_data.get("cover_upload")
        if not upload:
            return None
        try:
            return services.cover_store(upload)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target_yuan") is not None:
            self.instance.target_fen = round(cleaned["target_yuan"] * 100)
        # The database refuses this too (charity_own_channel_has_provider); here it is said
        # beside the field instead of as a constraint's name.
        if (
            "payment_provider" in self.fields
            and cleaned.get("donation_channel") == DonationChannel.OWN
            and not cleaned.get("payment_provider")
        ):
            self.add_error("payment_provider", _("组织自有收款渠道须选择支付服务商。"))
        return cleaned


class ServiceForm(forms.ModelForm):
    """A model form whose ``clean`` calls the service that records the row.

    The admin sets ``actor`` and ``request`` on the class it builds per request.
    ``service_fields`` maps the field a refusal names to the form field that shows it.
    """

    actor = None
    request = None
    service_fields: dict[str, str] = {}
    refusal_field: str | None = None

    def _post_clean(self):
        # The service validates and stores; the form only shapes input.
        pass

    def refusal_show(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                field = self.service_fields.get(name, name)
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(self.refusal_field, exc.messages)


class DisclosureForm(ServiceForm):
    upload = forms.FileField(
        label=_("文件"), help_text=_("PDF，或 JPEG、PNG、WebP 图片；PDF 不超过 20 MB。")
    )
    refusal_field = "upload"

    class Meta:
        model = Disclosure
        fields = ("organisation", "project", "kind", "year", "title", "summary", "document_date")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = services.disclosure_publish(
                organisation_id=cleaned["organisation"].pk,
                project_id=cleaned["project"].pk if cleaned.get("project") else None,
                kind=cleaned["kind"],
                year=cleaned.get("year"),
                title=cleaned["title"],
                summary=cleaned["summary"],
                document_date=cleaned["document_date"],
                upload=cleaned["upload"],
                actor=self.actor,
                request=self.request,
            )
        except ValidationError as exc:
            self.refusal_show(exc)
        return cleaned


def _yuan_to_fen(raw: str) -> int:
    """Yuan as staff type them → fen, read by the same parser the donation form uses."""
    try:
        return services.amount_parse(raw)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from exc


class DisbursementForm(ServiceForm):
    """Record money a project spent; ``disbursement_record`` checks it and keeps the files."""

    amount_yuan = forms.CharField(
        label=_("金额（元）"), max_length=20, help_text=_("例如 1280 或 1280.50。")
    )
    service_fields = {"amount_fen": "amount_yuan"}

    class Meta:
        model = Disbursement
        fields = ("project", "paid_on", "purpose", "payee", "evidence", "public_copy")
        labels = {"project": _("项目"), "evidence": _("支出凭证原件（不公开）")}
        help_texts = {
            "evidence": _(
                "发票、合同或转账回单的原件，PDF 或图片。原件只在内部保存，"
                "记录其 SHA-256：同一份凭证再次使用会被标出。"
            ),
            "public_copy": _(
                "遮盖了身份证号、银行账号、手机号等个人信息的副本，批准后在项目账目中公开。"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(
            status__in=PUBLIC_PROJECT_STATUSES
        ).order_by("title")

    def clean_amount_yuan(self) -> int:
        return _yuan_to_fen(self.cleaned_data["amount_yuan"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = services.disbursement_record(
                data=services.DisbursementInput(
                    project_id=cleaned["project"].pk,
                    amount_fen=cleaned["amount_yuan"],
                    paid_on=cleaned["paid_on"],
                    purpose=cleaned["purpose"],
                    payee=cleaned["payee"],
                    evidence=cleaned["evidence"],
                    public_copy=cleaned["public_copy"],
                ),
                actor=self.actor,
                request=self.request,
            )
        except ValidationError as exc:
            self.refusal_show(exc)
        return cleaned


class PlatformImportForm(ServiceForm):
    """Import a designated platform's donation list; ``platform_import`` reconciles it."""

    stated_total_yuan = forms.CharField(
        label=_("平台公示的累计筹款（元）"),
        max_length=20,
        help_text=_("平台项目页上显示的本项目累计筹款，导入后与导入的捐赠合计核对。"),
    )
    service_fields = {"stated_total_fen": "stated_total_yuan"}

    class Meta:
        model = PlatformImport
        fields = ("project", "source", "file")
        labels = {"project": _("项目"), "file": _("捐赠明细 CSV 文件")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only projects whose donations a designated platform takes have a list to import.
        self.fields["project"].queryset = Project.objects.filter(
            donation_channel=DonationChannel.PLATFORM, status__in=PUBLIC_PROJECT_STATUSES
        ).order_by("title")

    def clean_stated_total_yuan(self) -> int:
        return _yuan_to_fen(self.cleaned_data["stated_total_yuan"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = services.platform_import(
                project_id=cleaned["project"].pk,
                upload=cleaned["file"],
                source=cleaned["source"],
                stated_total_fen=cleaned["stated_total_yuan"],
                actor=self.actor,
                request=self.request,
            )
        except ValidationError as exc:
            self.refusal_show(exc)
        return cleaned
