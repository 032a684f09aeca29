"""The shape of citizens' input and its validation; no business rules here."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wenzhou_portal import images as evidence
from wenzhou_portal.districts import District
from wenzhou_portal.timeparse import aware_in_range

from .models import Category, Platform, Rating, Report, Verdict
from .services import ReportInput

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def report_column_limit(name: str) -> int:
    """The length a report's column holds: PostgreSQL refuses more, SQLite stores it."""
    return Report._meta.get_field(name).max_length


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleImageInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > settings.REPORT_EVIDENCE_MAX_FILES:
            raise ValidationError(
                _("最多上传 %(max)s 张截图。"),
                code="too_many_files",
                params={"max": settings.REPORT_EVIDENCE_MAX_FILES},
            )
        decoded, errors = [], []
        for upload in files:
            try:
                decoded.append(evidence.validate_evidence_image(upload))
            except ValidationError as exc:
                errors.extend(f"{upload.name}：{message}" for message in exc.messages)
        if errors:
            raise ValidationError(errors)
        return decoded


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label=_("举报类别"), choices=[("", _("请选择")), *Category.choices]
    )
    platform = forms.ChoiceField(
        label=_("在哪个平台看到"), choices=[("", _("请选择")), *Platform.choices]
    )
    url = forms.URLField(
        label=_("网址链接"),
        required=False,
        max_length=report_column_limit("url"),
        assume_scheme="https",
        help_text=_("复制有害信息的链接粘贴在这里。"),
    )
    account = forms.CharField(
        label=_("发布者账号或昵称"), required=False, max_length=report_column_limit("account")
    )
    place_description = forms.CharField(
        label=_("其他位置说明"),
        required=False,
        max_length=report_column_limit("place_description"),
        help_text=_("没有链接和账号时，请说明在哪里看到，例如“某某微信群”。"),
    )
    content = forms.CharField(
        label=_("举报内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请描述您看到的内容，10 至 2000 字。"),
    )
    seen_at = forms.DateTimeField(
        label=_("发现时间（选填）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    district = forms.ChoiceField(
        label=_("涉及县（市、区）（选填）"),
        required=False,
        choices=[("", _("不清楚或不涉及")), *District.choices],
    )
    images = MultipleImageField(
        label=_("截图证据（选填）"),
        required=False,
        help_text=_("最多 5 张，每张不超过 5 MB，支持 JPEG、PNG、WebP。"),
    )
    # Room for "+86 138 0013 8000": the service reads it as the 11 digits it stores.
    contact_phone = forms.CharField(
        label=_("手机号码（选填）"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # Django's form EmailField allows 320 characters; the model's column holds 254.
    contact_email = forms.EmailField(
        label=_("电子邮箱（选填）"),
        required=False,
        max_length=report_column_limit("contact_email"),
    )
    contact_consent = forms.BooleanField(
        label=_("我同意网信办和处置部门通过以上方式联系我，告知办理进展。"), required=False
    )
    # A field people never see; bots fill every field they find.
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_seen_at(self):
        # Year 1 is stored by PostgreSQL but cannot be read back: refuse it as input. A
        # date in the future is the intake rules' to refuse ("不能晚于现在").
        seen_at = self.cleaned_data.get("seen_at")
        if seen_at and seen_at.year < 1970:
            return aware_in_range(seen_at)
        return seen_at

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(_("提交失败，请刷新页面后重试。"), code="honeypot")
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the intake rules' refusal (rumors.services.report_input_validate)."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)

    def to_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            category=data["category"],
            platform=data["platform"],
            content=data["content"],
            url=data.get("url") or "",
            account=(data.get("account") or "").strip(),
            place_description=(data.get("place_description") or "").strip(),
            seen_at=data.get("seen_at"),
            district=data.get("district") or "",
            contact_phone=data.get("contact_phone") or "",
            contact_email=data.get("contact_email") or "",
            contact_consent=bool(data.get("contact_consent")),
        )


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        help_text=_("16 位字母和数字，不区分大小写，可以不输入短横线。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class _OnTrackingPage(forms.Form):
    """A form that shares the tracking page with others: ids of its own, so that each
    label (the lookup's "查询码" above all) names its own field, not another's."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class RatingForm(_OnTrackingPage):
    id_prefix = "rating"
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    rating = forms.ChoiceField(
        label=_("您对处理结果的评价"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(_OnTrackingPage):
    """The reporter's answer to a request for information (rules: services.reporter)."""

    id_prefix = "answer"
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    # Twice what the service accepts: a long paste is answered by the service's own words.
    text = forms.CharField(
        label=_("补充内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请回答上面的问题，最多 2000 字。"),
    )
    images = MultipleImageField(
        label=_("补充截图（选填）"),
        required=False,
        help_text=_("最多 5 张，每张不超过 5 MB，支持 JPEG、PNG、WebP。"),
    )


class ReviewRequestForm(_OnTrackingPage):
    """An unsatisfied reporter asks for a second look (rules: services.reporter)."""

    id_prefix = "review"
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reason = forms.CharField(
        label=_("申请复核的理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("请说明您为什么不满意，最多 500 字。"),
    )


class LinkSendForm(forms.Form):
    """Where to send the private link: a mobile number or an e-mail address, used once."""

    # Not marked required: the whole step is optional; an empty send is answered below.
    address = forms.CharField(
        label=_("手机号码或电子邮箱"),
        required=False,
        max_length=320,
        help_text=_("只用于这一次发送，不会保存。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class DebunkSearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=10_000)
    verdict = forms.ChoiceField(
        label=_("结论"), required=False, choices=[("", _("全部")), *Verdict.choices]
    )
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部")), *Category.choices]
    )
    district = forms.ChoiceField(
        label=_("县（市、区）"), required=False, choices=[("", _("全部")), *District.choices]
    )
    date_from = forms.DateField(
        label=_("发布日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
