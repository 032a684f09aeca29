from django import forms
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District
from wenzhou_portal.phones import MobileNumberField

from .models import CampaignKind


class PhoneForm(forms.Form):
    phone = MobileNumberField(
        label=_("手机号码"), help_text=_("用于确认一人一签，号码本身不会保存。")
    )


class SignForm(forms.Form):
    code = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("验证码是 6 位数字。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    display_name = forms.CharField(
        label=_("署名"), max_length=20, help_text=_("签名墙只显示第一个字，例如“张*”。")
    )
    district = forms.ChoiceField(
        label=_("所在县（市、区）（选填）"),
        required=False,
        choices=[("", _("不填")), *District.choices],
    )


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=30)
    phone = MobileNumberField(
        label=_("手机号码"), help_text=_("我们会发送短信验证码确认号码；工作人员只看到后四位。")
    )


class RegistrationConfirmForm(forms.Form):
    code = SignForm.base_fields["code"]


class CampaignFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *CampaignKind.choices]
    )
    district = forms.ChoiceField(
        label=_("县（市、区）"), required=False, choices=[("", _("全部")), *District.choices]
    )
    tag = forms.CharField(label=_("标签"), required=False, max_length=50)


class CodeForm(forms.Form):
    code = SignForm.base_fields["code"]


class EntryForm(forms.Form):
    name = forms.CharField(label=_("作品名称"), max_length=60)
    story = forms.CharField(
        label=_("作品介绍"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    link = forms.URLField(
        label=_("作品链接（抖音、微信视频号或哔哩哔哩）"), required=False, assume_scheme="https"
    )
    image = forms.FileField(
        label=_("或上传一张图片"), required=False, help_text=_("JPEG、PNG 或 WebP，不超过 5 MB。")
    )
    contact = forms.CharField(label=_("联系方式（仅工作人员可见）"), max_length=60, required=False)

    def clean_image(self):
        from wenzhou_portal import images

        upload = self.cleaned_data.get("image")
        return images.validate_evidence_image(upload) if upload else None
