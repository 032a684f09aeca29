"""The shape of the charity pages' input; the rules are in charity.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District

from .models import Cause

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectFilterForm(forms.Form):
    district = forms.ChoiceField(
        label=_("县（市、区）"), required=False, choices=[("", _("全部")), *District.choices]
    )
    cause = forms.ChoiceField(
        label=_("领域"), required=False, choices=[("", _("全部")), *Cause.choices]
    )


class SignerFields(forms.Form):
    signer_name = forms.CharField(label=_("签署人姓名"), max_length=30, required=False)
    signer_title = forms.CharField(
        label=_("签署人职务"),
        max_length=50,
        required=False,
        help_text=_("例如：理事长、秘书长。签署人须能代表本组织。"),
    )
    agree = forms.BooleanField(
        label=_("我已阅读《温州市网络公益组织自律公约》，代表本组织签署并遵守。"),
        error_messages={"required": _("请勾选，表示代表本组织签署公约。")},
    )


class ApplicationForm(SignerFields):
    name = forms.CharField(label=_("组织名称"), max_length=100, help_text=_("与登记证书一致。"))
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        help_text=_("18 位，见登记证书。可以带空格，大小写都行。"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    registering_authority = forms.CharField(
        label=_("登记管理机关"), max_length=100, help_text=_("例如：温州市民政局、鹿城区民政局。")
    )
    district = forms.ChoiceField(
        label=_("所在县（市、区）"), choices=[("", _("请选择")), *District.choices]
    )
    summary = forms.CharField(
        label=_("组织简介（选填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=30)
    contact_phone = forms.RegexField(
        label=_("联系电话"),
        regex=r"^[0-9+\- ]{7,20}$",
        max_length=20,
        error_messages={"invalid": _("请填写手机号或带区号的固定电话，例如 0577-88880000。")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("联系邮箱（选填）"),
        required=False,
        error_messages={"invalid": _("邮箱格式不对，例如 info@example.org。")},
    )
    fundraising_certificate = forms.CharField(
        label=_("公开募捐资格证书编号（没有可不填）"), max_length=60, required=False
    )
    fundraising_valid_from = forms.DateField(
        label=_("资格有效期起"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("请按“年-月-日”填写，例如 2025-01-01。")},
    )
    fundraising_valid_until = forms.DateField(
        label=_("资格有效期止"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("请按“年-月-日”填写，例如 2029-12-31。")},
    )

    field_order = [
        "name",
        "credit_code",
        "registering_authority",
        "district",
        "summary",
        "contact_name",
        "contact_phone",
        "contact_email",
        "fundraising_certificate",
        "fundraising_valid_from",
        "fundraising_valid_until",
        "signer_name",
        "signer_title",
        "agree",
    ]


class PactSignForm(SignerFields):
    pass


def application_form(data=None, *, pact_published: bool) -> ApplicationForm:
    """Without a published pact there is nothing to sign, so nothing to agree to."""
    form = ApplicationForm(data)
    if not pact_published:
        for name in ("agree", "signer_name", "signer_title"):
            del form.fields[name]
    return form
