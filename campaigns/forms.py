import unicodedata

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.districts import District
from wenzhou_portal.phones import MobileNumberField
from wenzhou_portal.share_text import link_from_share_text

from .models import CampaignKind, Candidate

LINK_MAX_LENGTH = Candidate._meta.get_field("link").max_length
NO_LINK = _(
    "这里没有找到作品的网址。请在抖音、视频号或哔哩哔哩里点“分享”→“复制链接”，再粘贴到这里；"
    "也可以不填链接，改为上传一张图片。"
)

CODE_MESSAGES = {
    "required": _("请填写短信里的 6 位验证码。"),
    "invalid": _("验证码是 6 位数字，请对照短信再填一次。"),
}


class SmsCodeField(forms.CharField):
    """The 6-digit code from a text message, as typed: spaces and full-width digits forgiven."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("短信验证码"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("error_messages", CODE_MESSAGES)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return "".join(unicodedata.normalize("NFKC", value).split()) if value else value

    def validate(self, value) -> None:
        super().validate(value)
        if value and not (len(value) == 6 and value.isascii() and value.isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def _code_field() -> SmsCodeField:
    return SmsCodeField()


class PhoneForm(forms.Form):
    phone = MobileNumberField(
        label=_("手机号码"),
        help_text=_("用于确认一人一签，号码本身不会保存。可以带空格，例如 138 1234 5678。"),
        error_messages={"required": _("请填写手机号码。")},
    )


class SignForm(forms.Form):
    code = _code_field()
    display_name = forms.CharField(
        label=_("署名"),
        max_length=20,
        help_text=_("签名墙只显示第一个字，例如“张*”。"),
        error_messages={
            "required": _("请填写署名，例如您的姓名。"),
            "max_length": _("署名最多 20 个字，请写短一些。"),
        },
    )
    district = forms.ChoiceField(
        label=_("所在县（市、区）（选填）"),
        required=False,
        choices=[("", _("不填")), *District.choices],
        error_messages={"invalid_choice": _("请从列表里选择县（市、区）。")},
    )


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"),
        max_length=30,
        error_messages={
            "required": _("请填写姓名。"),
            "max_length": _("姓名最多 30 个字。"),
        },
    )
    phone = MobileNumberField(
        label=_("手机号码"),
        help_text=_(
            "我们会发送短信验证码确认号码；工作人员只看到后四位。可以带空格，例如 138 1234 5678。"
        ),
        error_messages={"required": _("请填写手机号码。")},
    )


class RegistrationConfirmForm(forms.Form):
    code = _code_field()


class CampaignFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *CampaignKind.choices]
    )
    district = forms.ChoiceField(
        label=_("县（市、区）"), required=False, choices=[("", _("全部")), *District.choices]
    )
    tag = forms.CharField(label=_("标签"), required=False, max_length=50)


class CodeForm(forms.Form):
    code = _code_field()


class CancelCodeForm(forms.Form):
    """Find an event registration by the code on its result page and the number's tail."""

    code = forms.CharField(
        label=_("取消码"),
        max_length=40,
        help_text=_("报名成功页面上的 6 位取消码，例如 K7M3QX（大小写都可以）。"),
        error_messages={"required": _("请填写取消码。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone_tail = forms.CharField(
        label=_("报名手机号的后四位"),
        max_length=20,
        error_messages={"required": _("请填写报名手机号的后四位。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class EntryForm(forms.Form):
    name = forms.CharField(
        label=_("作品名称"),
        max_length=60,
        error_messages={
            "required": _("请填写作品名称。"),
            "max_length": _("作品名称最多 60 个字。"),
        },
    )
    story = forms.CharField(
        label=_("作品介绍"),
        max_length=2000,
        # Required unless the pasted share text brings words that can stand for it (clean).
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("作品介绍最多 2000 个字，请写短一些。")},
    )
    # What a share button copies (a title, the link, the app's pass code) is welcome here:
    # the link is taken out of it and the words around it kept with the entry's story.
    link = forms.CharField(
        label=_("作品链接（抖音、微信视频号或哔哩哔哩）"),
        required=False,
        max_length=2000,
        help_text=_("可以直接粘贴“分享”按钮复制的整段文字，我们会找出其中的链接。"),
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"max_length": _("粘贴的内容太长了，请只粘贴作品的分享链接。")},
    )
    image = forms.FileField(
        label=_("或上传一张图片"), required=False, help_text=_("JPEG、PNG 或 WebP，不超过 5 MB。")
    )
    contact = forms.CharField(
        label=_("联系方式（仅工作人员可见）"),
        max_length=60,
        required=False,
        error_messages={"max_length": _("联系方式最多 60 个字。")},
    )

    def clean_link(self) -> str:
        """The link in what was pasted; the words around it are kept in ``link_context``."""
        raw = self.cleaned_data.get("link", "")
        self.link_context = ""
        if not raw:
            return ""
        link, context = link_from_share_text(raw)
        if not link:
            candidate = raw.strip()
            # "v.douyin.com/abc" typed without its scheme is still a link.
            if candidate.isascii() and " " not in candidate and "." in candidate:
                link = f"https://{candidate}"
            else:
                raise forms.ValidationError(NO_LINK, code="no_link")
        try:
            URLValidator()(link)
        except forms.ValidationError as exc:
            raise forms.ValidationError(
                _("这个网址不完整，请在抖音、视频号或哔哩哔哩里重新点“分享”→“复制链接”后粘贴。"),
                code="invalid",
            ) from exc
        if len(link) > LINK_MAX_LENGTH:
            raise forms.ValidationError(
                _("网址太长了（最多 %(max)s 个字符），请复制作品的分享链接。"),
                code="max_length",
                params={"max": LINK_MAX_LENGTH},
            )
        self.link_context = context
        return link

    def clean(self):
        cleaned = super().clean()
        story = cleaned.get("story", "")
        context = getattr(self, "link_context", "")
        if context and context not in story:
            # The title the citizen saw in the app says what the entry is: keep it.
            story = f"{story}\n\n{context}".strip() if story else context
            cleaned["story"] = story[: self.fields["story"].max_length]
        if not cleaned.get("story") and "story" not in self.errors:
            self.add_error("story", _("请简单介绍一下您的作品。"))
        return cleaned

    def clean_image(self):
        from wenzhou_portal import images

        upload = self.cleaned_data.get("image")
        return images.validate_evidence_image(upload) if upload else None
