"""The shape of the charity pages' input; the rules are in charity.services."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District
from wenzhou_portal.form_messages import PlainMessagesMixin

from .models import Cause
from .services import CharityRefused, amount_parse

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


# --- Money: a gift, and a receipt looked up by its reference ------------------------------

QUICK_AMOUNTS = ("10", "50", "100", "200")
OTHER_AMOUNT = "other"


class DonationForm(PlainMessagesMixin, forms.Form):
    """What a donor fills in; ``charity.services.donation_draft_check`` decides if it stands.

    The amount is a quick choice or typed into "other amount"; ``clean`` says which one the
    donor meant (``amount_text``) and which field a refusal of it belongs to
    (``amount_field``). Nothing else is checked here: the service owns every rule.
    """

    amount = forms.ChoiceField(
        label=_("捐赠金额"), required=False, widget=forms.RadioSelect, choices=()
    )
    amount_other = forms.CharField(
        label=_("其他金额（元）"),
        required=False,
        strip=True,
        help_text=_("选了“其他金额”，在这里填写，例如 30 或 30.5。"),
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    donor_name = forms.CharField(
        label=_("署名（选填）"),
        required=False,
        help_text=_("显示在捐赠凭证和公开的留言旁；不填就是匿名。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    anonymous = forms.BooleanField(label=_("匿名捐赠（不显示署名）"), required=False)
    message = forms.CharField(
        label=_("留言（选填）"),
        required=False,
        strip=False,
        help_text=_("留言经审核后才会公开显示在项目页上，最多 200 个字。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.CharField(
        label=_("接收凭证的手机号或邮箱（选填）"),
        required=False,
        help_text=_("只用于发送捐赠凭证，不公开。不填也可以，付款后请记下页面上的凭证号。"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Labels built per request, so they follow the language the donor reads.
        self.fields["amount"].choices = [
            *((amount, gettext("%(amount)s 元") % {"amount": amount}) for amount in QUICK_AMOUNTS),
            (OTHER_AMOUNT, gettext("其他金额")),
        ]

    def clean(self) -> dict:
        data = super().clean()
        choice = data.get("amount") or ""
        typed = data.get("amount_other") or ""
        if choice in QUICK_AMOUNTS and typed and not _same_amount(typed, choice):
            # Without script we cannot know which came last: ask rather than guess.
            self.add_error(
                "amount_other",
                gettext(
                    "您选了 %(chosen)s 元，又在“其他金额”里填了“%(typed)s”。"
                    "要用填写的金额，请选“其他金额”；否则请清空填写的金额。"
                )
                % {"chosen": choice, "typed": typed},
            )
        if choice in QUICK_AMOUNTS:
            data["amount_text"], data["amount_field"] = choice, "amount"
        elif choice == OTHER_AMOUNT or typed:
            data["amount_text"], data["amount_field"] = typed, "amount_other"
        else:
            data["amount_text"], data["amount_field"] = "", "amount"
        return data

    @classmethod
    def initial_from(cls, draft) -> dict:
        """The form as the donor left it (``返回修改`` from the confirmation step)."""
        whole, fen = divmod(draft.amount_fen, 100)
        yuan = f"{whole}" if fen == 0 else f"{whole}.{fen:02d}"
        quick = fen == 0 and yuan in QUICK_AMOUNTS
        return {
            "amount": yuan if quick else OTHER_AMOUNT,
            "amount_other": "" if quick else yuan,
            "donor_name": draft.donor_name,
            "anonymous": not draft.donor_name,
            "message": draft.message,
            "contact": draft.contact,
        }


def _same_amount(typed: str, chosen: str) -> bool:
    try:
        return amount_parse(typed) == int(chosen) * 100
    except CharityRefused:
        return False


class ReceiptLookupForm(PlainMessagesMixin, forms.Form):
    reference = forms.CharField(
        label=_("捐赠凭证号"),
        help_text=_("16 位字母和数字，在捐赠凭证页、短信或邮件里。可以带横线或空格，大小写都行。"),
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "characters",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("请填写捐赠凭证号。")},
    )
