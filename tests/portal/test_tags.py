"""One tag parser for every app: as staff type tags, with every comma a keyboard makes."""

import pytest
from django.core.exceptions import ValidationError

from wenzhou_portal.tags import tags_clean, tags_parse


def test_every_separator_and_stray_space_is_read():
    assert tags_parse("网络文明，青少年,青少年、 共同  富裕 ,") == [
        "网络文明",
        "青少年",
        "共同 富裕",
    ]


@pytest.mark.parametrize("text", ["", " ，, ", "、、"])
def test_nothing_typed_is_no_tags(text):
    assert tags_parse(text) == []


def test_a_tag_too_long_is_refused_never_cut():
    with pytest.raises(ValidationError) as refused:
        tags_parse("长" * 31)
    assert refused.value.code == "tag_too_long"
    assert tags_parse("长" * 30) == ["长" * 30]
    with pytest.raises(ValidationError):
        tags_clean(["短", "长" * 11], max_length=10)
