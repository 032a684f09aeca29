"""Every refusal a citizen's form can give is written for people, and no box cuts input."""

import pytest
from django import forms

from wenzhou_portal.form_messages import PlainMessagesMixin


class EveryKind(PlainMessagesMixin, forms.Form):
    name = forms.CharField(min_length=10, max_length=20)
    link = forms.URLField()
    email = forms.EmailField()
    when = forms.DateTimeField()
    day = forms.DateField()
    count = forms.IntegerField()
    kind = forms.ChoiceField(choices=[("a", "A")])
    agree = forms.BooleanField()
    photo = forms.FileField()
    own = forms.CharField(error_messages={"required": "请写一写您看到了什么。"})


DJANGO_WORDS = ["确保", "输入一个有效", "这个字段是必填项", "Enter a valid", "This field", "Ensure"]


def _messages(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_default_django_message_reaches_a_citizen(language):
    from django.utils import translation

    with translation.override(language):
        empty = EveryKind(data={})
        wrong = EveryKind(
            data={
                "name": "短",
                "link": "not a link",
                "email": "no-at-sign",
                "when": "yesterday",
                "day": "someday",
                "count": "many",
                "kind": "z",
                "own": "x",
            }
        )
        messages = _messages(empty) + _messages(wrong)
    assert messages
    for message in messages:
        assert not any(word in message for word in DJANGO_WORDS), message


def test_the_messages_say_what_to_do():
    form = EveryKind(data={"name": "短", "link": "not a link", "kind": "z"})
    assert form.errors["name"] == ["请至少写 10 个字，现在只有 1 个字。"]
    assert "https://" in form.errors["link"][0]
    assert form.errors["kind"] == ["请从列表里选择一项。"]
    assert form.errors["agree"] == ["请勾选这一项。"]
    assert form.errors["own"] == ["请写一写您看到了什么。"]  # a field's own words win
    too_long = EveryKind(data={"name": "长" * 25})
    assert too_long.errors["name"] == ["最多 20 个字，现在有 25 个字，请删减一些。"]


def test_no_box_carries_a_maxlength():
    html = str(EveryKind())
    assert "maxlength" not in html
    assert "minlength" not in html
