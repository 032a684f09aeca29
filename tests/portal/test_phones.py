"""One parser for mobile numbers, as people really type them."""

import pytest
from django.core.exceptions import ValidationError

from wenzhou_portal.phones import mobile_masked, mobile_normalise


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086 13800138000",
        "１３８００１３８０００",  # full-width, from a Chinese input method
        "（+86）138 0013 8000",
        "手机：13800138000",
        " 13800138000 ",
    ],
)
def test_a_mobile_number_typed_any_usual_way_is_the_11_digits(typed):
    assert mobile_normalise(typed) == "13800138000"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1380013800",  # ten digits
        "138001380001",  # twelve
        "12345678901",  # not a mobile range
        "023 1234 5678",  # a landline
        "+1 650 253 0000",  # not mainland China
        "13800138000\x00",
        "一三八",
        "1" * 60,
        None,
    ],
)
def test_anything_else_is_refused_with_a_clear_message(typed):
    with pytest.raises(ValidationError) as refused:
        mobile_normalise(typed)
    assert "11 位" in refused.value.messages[0]


def test_staff_see_a_masked_number():
    assert mobile_masked("13800138000") == "138****8000"
