"""Mainland mobile numbers as people type them, read by one parser for every app.

"138 0013 8000", "+86 138-0013-8000", "0086 13800138000", full-width "１３８…" (a Chinese
input method), and a number pasted with its "手机：" label all mean 13800138000: the
11 digits are what is stored and shown back. Google's libphonenumber (the ``phonenumbers``
package) knows which prefixes are mobile ranges, so "12345678901" is refused.
"""

import re
import unicodedata

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

INVALID_MOBILE = _("请输入 11 位中国大陆手机号码，例如 138 0013 8000。")
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
# What may surround the number: a label ("手机：", "Tel:"), spaces, dashes, dots, brackets.
_NOISE = re.compile(r"^[^\d+]*|[^\d]*$")


def mobile_normalise(raw: object) -> str:
    """The 11-digit mainland mobile number in the input, or ValidationError."""
    if not isinstance(raw, str):
        raise ValidationError(INVALID_MOBILE, code="invalid_mobile")
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text.isprintable():
        raise ValidationError(INVALID_MOBILE, code="invalid_mobile")
    text = _NOISE.sub("", text)
    if not text or len(text) > 40:
        raise ValidationError(INVALID_MOBILE, code="invalid_mobile")
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_MOBILE, code="invalid_mobile") from exc
    national = str(number.national_number)
    if (
        number.country_code != 86
        or len(national) != 11
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise ValidationError(INVALID_MOBILE, code="invalid_mobile")
    return national


def mobile_masked(number: str) -> str:
    """138****8000: what staff and pages show of a number."""
    return f"{number[:3]}****{number[-4:]}" if len(number) == 11 else "****"


class MobileNumberField(forms.CharField):
    """A form field that reads a mobile number as ``mobile_normalise`` does and shows back
    the 11 digits it will use (so "+86 138-0013-8000" comes back as 13800138000)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)  # room for "+86 138 0013 8000" and a label
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return mobile_normalise(value) if value else value


class MobileNumberSerializerField(serializers.CharField):
    """A mainland mobile number as people type it ("+86 138-0013-8000", full-width digits),
    read by the portal's one parser as the page's MobileNumberField reads it; the value is
    the 11 digits."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)  # room for "+86 138 0013 8000" and a label
        kwargs.setdefault("help_text", "A mainland mobile number; spaces, dashes, +86 allowed.")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        text = super().to_internal_value(data)
        if len(text) > self.max_length:
            raise serializers.ValidationError(str(INVALID_MOBILE), code="invalid_mobile")
        try:
            return mobile_normalise(text)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc
