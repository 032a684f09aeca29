"""The shape of citizens' input and its validation; no business rules here."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from wenzhou_portal import held_uploads
from wenzhou_portal import images as evidence
from wenzhou_portal.districts import District
from wenzhou_portal.form_messages import PlainMessagesMixin
from wenzhou_portal.phones import MobileNumberField
from wenzhou_portal.share_text import link_from_share_text
from wenzhou_portal.timeparse import aware_in_range

from .models import Category, Platform, Rating, Report, Verdict
from .services import ReportInput
from .services.intake import CONTENT_MAX, CONTENT_MIN


def report_column_limit(name: str) -> int:
    """The length a report's column holds: PostgreSQL refuses more, SQLite stores it."""
    return Report._meta.get_field(name).max_length


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Screenshots that are all refused if one is bad (the answer form's; see
    ``EvidenceImagesField`` for the report form, which keeps the good ones)."""

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


class EvidenceImagesField(MultipleImageField):
    """Each screenshot on its own: (name, the decoded image or None, why it was refused).
    The form keeps the good ones when one is bad (``ReportForm.clean``)."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        results = []
        for upload in files:
            if not getattr(upload, "name", ""):
                continue
            try:
                results.append((upload.name, evidence.validate_evidence_image(upload), ""))
            except ValidationError as exc:
                results.append((upload.name, None, " ".join(exc.messages)))
        return results


class LinkBox(forms.CharField):
    """A link box that takes what a citizen pastes: a link, or a whole share text."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)


NOT_A_LINK = _(
    "这里没有找到网址。请粘贴以 http:// 或 https:// 开头的链接；"
    "没有链接可以不填这一项，在下面写账号或在哪里看到。"
)


def link_read(raw: str, *, limit: int) -> tuple[str, str]:
    """(the link, the words pasted around it) from a link box; ValidationError if none."""
    link, context = link_from_share_text(raw)
    if not link:
        candidate = raw.strip()
        # "www.douyin.com/abc" typed without its scheme is still a link.
        if candidate.isascii() and " " not in candidate and "." in candidate:
            link, context = f"https://{candidate}", ""
        else:
            raise ValidationError(NOT_A_LINK, code="no_link")
    try:
        URLValidator()(link)
    except ValidationError as exc:
        raise ValidationError(_("这个网址不完整，请重新复制链接后粘贴。"), code="invalid") from exc
    if len(link) > limit:
        raise ValidationError(
            _("网址太长了（最多 %(max)s 个字符），请复制分享链接，或改为填写账号。"),
            code="max_length",
            params={"max": limit},
        )
    return link, context


class HeldImagesMixin:
    """A form with an ``images`` field (EvidenceImagesField) whose good screenshots are
    kept across a refused submission (wenzhou_portal.held_uploads): the page carries the
    signed ``held_images`` token and a ``held_remove`` box for each file kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_images: list[tuple[str, evidence.DecodedImage]] = []
        held = held_uploads.held_read(self.data.get("held_images"))
        removed = set(self.data.getlist("held_remove")) if hasattr(self.data, "getlist") else set()
        self.held_removed = held_uploads.HeldBatch(
            held.batch, tuple(item for item in held.files if item.key in removed)
        )
        self.held = held.without(removed)

    def clean(self):
        cleaned = super().clean()
        self._sort_images(cleaned.get("images") or [])
        return cleaned

    def _sort_images(self, results) -> None:
        """Keep every good screenshot (up to the limit); name each refused one and why."""
        room = settings.REPORT_EVIDENCE_MAX_FILES - len(self.held.files)
        refusals = []
        for name, image, why in results:
            if image is None:
                refusals.append(f"{name}：{why}")
            elif room <= 0:
                refusals.append(
                    _("%(name)s：最多 %(max)s 张截图，这张没有加上。")
                    % {"name": name, "max": settings.REPORT_EVIDENCE_MAX_FILES}
                )
            else:
                self.new_images.append((name, image))
                room -= 1
        if refusals:
            self.add_error("images", refusals)

    def hold_images(self) -> held_uploads.HeldBatch:
        """Hold the good screenshots for the corrected form; the batch to show and sign."""
        held_uploads.held_discard(self.held_removed)
        batch = self.held
        for name, image in self.new_images:
            batch = held_uploads.held_add(batch, name=name, data=image.data)
        return batch

    def images_to_submit(self) -> list[evidence.DecodedImage]:
        """The held screenshots (read back and proven again) and the new ones."""
        images = []
        for item in self.held.files:
            try:
                upload = SimpleUploadedFile(item.name, held_uploads.held_open(self.held, item))
                images.append(evidence.validate_evidence_image(upload))
            except (FileNotFoundError, ValidationError):
                continue
        return images + [image for _name, image in self.new_images]

    def release_held(self) -> None:
        """The form was accepted: the held copies are no longer needed."""
        held_uploads.held_discard(self.held)
        held_uploads.held_discard(self.held_removed)


class ReportForm(PlainMessagesMixin, HeldImagesMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("举报类别"),
        choices=[("", _("请选择")), *Category.choices],
        error_messages={"required": _("请选择举报类别。")},
    )
    platform = forms.ChoiceField(
        label=_("在哪个平台看到"),
        choices=[("", _("请选择")), *Platform.choices],
        error_messages={"required": _("请选择在哪个平台看到。")},
    )
    url = LinkBox(
        label=_("网址链接"),
        required=False,
        help_text=_(
            "复制有害信息的链接粘贴在这里。从抖音、微信、快手、小红书“分享”复制的整段文字"
            "也可以直接粘贴，我们会取出其中的链接。"
        ),
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
        min_length=CONTENT_MIN,
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请描述您看到的内容，10 至 2000 字。"),
        error_messages={
            "required": _("请写一写您看到了什么，至少 10 个字。"),
            "min_length": _("请至少写 10 个字，说清楚看到了什么（现在只有 %(show_value)d 个字）。"),
        },
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
    images = EvidenceImagesField(
        label=_("截图证据（选填）"),
        required=False,
        help_text=_("最多 5 张，每张不超过 5 MB，支持 JPEG、PNG、WebP。"),
    )
    # The screenshots accepted by an earlier, refused submission (wenzhou_portal.held_uploads).
    held_images = forms.CharField(required=False, widget=forms.HiddenInput)
    contact_phone = MobileNumberField(
        label=_("手机号码（选填）"),
        required=False,
        help_text=_("可以带空格，例如 138 0013 8000。"),
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.link_context = ""

    def clean_url(self):
        raw = self.cleaned_data.get("url") or ""
        if not raw:
            return ""
        link, self.link_context = link_read(raw, limit=report_column_limit("url"))
        return link

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
        """Show the intake rules' refusal (rumors.services.report_input_validate) on the
        fields that have no refusal of their own yet."""
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            if target is not None and target in self.errors:
                continue
            self.add_error(target, messages)

    @property
    def phone_to_store(self) -> str:
        """The 11 digits the typed phone number was read as, grouped "138 0013 8000"."""
        number = (getattr(self, "cleaned_data", None) or {}).get("contact_phone") or ""
        return f"{number[:3]} {number[3:7]} {number[7:]}" if len(number) == 11 else ""

    def to_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            category=data.get("category") or "",
            platform=data.get("platform") or "",
            content=data.get("content") or "",
            url=data.get("url") or "",
            account=(data.get("account") or "").strip(),
            place_description=(data.get("place_description") or "").strip(),
            seen_at=data.get("seen_at"),
            district=data.get("district") or "",
            contact_phone=data.get("contact_phone") or "",
            contact_email=data.get("contact_email") or "",
            contact_consent=bool(data.get("contact_consent")),
            link_context=self.link_context,
        )


class TrackForm(PlainMessagesMixin, forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        error_messages={"required": _("请输入查询码。")},
        help_text=_("16 位字母和数字，不区分大小写，可以不输入短横线。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class _OnTrackingPage(PlainMessagesMixin, forms.Form):
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
        label=_("您对处理结果的评价"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意、基本满意或不满意。")},
    )
    comment = forms.CharField(
        label=_("意见（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(HeldImagesMixin, _OnTrackingPage):
    """The reporter's answer to a request for information (rules: services.reporter)."""

    id_prefix = "answer"
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    # Twice what the service accepts: a long paste is answered by the service's own words.
    text = forms.CharField(
        label=_("补充内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请回答上面的问题，最多 2000 字。"),
        error_messages={"required": _("请填写您要补充的内容。")},
    )
    images = EvidenceImagesField(
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
        error_messages={"required": _("请写一写您为什么不满意。")},
    )


class LinkSendForm(PlainMessagesMixin, forms.Form):
    """Where to send the private link: a mobile number or an e-mail address, used once."""

    # Not marked required: the whole step is optional; an empty send is answered below.
    address = forms.CharField(
        label=_("手机号码或电子邮箱"),
        required=False,
        max_length=320,
        help_text=_("只用于这一次发送，不会保存。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class DebunkSearchForm(PlainMessagesMixin, forms.Form):
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
