"""Citizens' forms answer in plain words, and no box cuts what is typed.

Django's defaults ("确保该变量至少包含 10 字符", "输入一个有效的 URL") are written for
programmers. ``PlainMessagesMixin`` gives every field of a form the portal's own wording,
chosen by the kind of field, and takes ``maxlength`` off the boxes: a phone number typed
with spaces or a pasted share text is kept whole and answered by the server in words
("最多 200 个字，现在有 230 个字"), never silently cut. A field's own ``error_messages``
still win, so a form can say something more precise.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

_COMMON = {
    "max_length": _("最多 %(limit_value)d 个字，现在有 %(show_value)d 个字，请删减一些。"),
    "min_length": _("请至少写 %(limit_value)d 个字，现在只有 %(show_value)d 个字。"),
    "invalid_choice": _("请从列表里选择一项。"),
    "invalid_list": _("请从列表里选择。"),
}
_BY_KIND: list[tuple[type[forms.Field], dict]] = [
    (
        forms.URLField,
        {
            "required": _("请填写网址。"),
            "invalid": _("请填写完整的网址，例如 https://www.example.com/abc。"),
        },
    ),
    (
        forms.EmailField,
        {
            "required": _("请填写电子邮箱。"),
            "invalid": _("请填写正确的电子邮箱，例如 name@example.com。"),
        },
    ),
    (
        forms.DateTimeField,
        {
            "required": _("请填写日期和时间。"),
            "invalid": _("请填写正确的日期和时间，例如 2026-11-30 14:30。"),
        },
    ),
    (
        forms.DateField,
        {
            "required": _("请填写日期。"),
            "invalid": _("请填写正确的日期，例如 2026-11-30。"),
        },
    ),
    (
        forms.IntegerField,
        {"required": _("请填写数字。"), "invalid": _("请填写数字，例如 3。")},
    ),
    (
        forms.FileField,
        {
            "required": _("请选择文件。"),
            "invalid": _("文件没有收到，请重新选择。"),
            "missing": _("文件没有收到，请重新选择。"),
            "empty": _("这个文件是空的，请换一个。"),
            "max_length": _("文件名太长了，请改短一些再上传。"),
        },
    ),
    (forms.BooleanField, {"required": _("请勾选这一项。")}),
    (forms.ChoiceField, {"required": _("请选择一项。")}),
    (forms.CharField, {"required": _("请填写这一项。")}),
]


def plain_messages(field: forms.Field) -> dict:
    """The portal's wording of every refusal this kind of field can give."""
    messages = dict(_COMMON)
    for kind, kind_messages in _BY_KIND:
        if isinstance(field, kind):
            messages.update(kind_messages)
            break
    else:
        messages["required"] = _("请填写这一项。")
    return messages


class PlainMessagesMixin:
    """Put first in a form's bases: plain-worded refusals, no ``maxlength`` on any box."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            defaults = _django_defaults(field)
            own = {
                code: message
                for code, message in field.error_messages.items()
                if defaults.get(code) is not message
            }
            field.error_messages = {**field.error_messages, **plain_messages(field), **own}
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs.pop("minlength", None)


def _django_defaults(field: forms.Field) -> dict:
    """The messages a field has from its classes (what Django's Field.__init__ merges)."""
    messages: dict = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages
