"""Tracking codes as typed on a Chinese keyboard (issue 14): full-width letters and
digits, Chinese dashes, "一" typed for a dash, and spaces of every width."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rumors.services.intake import CROCKFORD, tracking_code_generate, tracking_code_normalise

CODE = "WP9A3K7M2QXR8T0V"
SEPARATORS = ["-", "－", "—", "–", "一", "‐", "―", "·", " ", "\u3000", "﹣", "−"]


def _full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


@pytest.mark.parametrize(
    "typed",
    [
        "WP9A-3K7M-2QXR-8T0V",
        "wp9a3k7m2qxr8t0v",
        "ＷＰ９Ａ－３Ｋ７Ｍ－２ＱＸＲ－８Ｔ０Ｖ",
        "ＷＰ９Ａ一３Ｋ７Ｍ一２ＱＸＲ一８Ｔ０Ｖ",
        "WP9A—3K7M—2QXR—8T0V",
        "WP9A – 3K7M – 2QXR – 8T0V",
        "WP9A·3K7M·2QXR·8T0V",
        "ＷＰ９Ａ　３Ｋ７Ｍ　２ＱＸＲ　８Ｔ０Ｖ",
        " wp9a‐3k7m―2qxr 8t0v ",
        "WP9A-3K7M-2QXR-8TOV",  # O typed for 0
    ],
)
def test_a_code_typed_on_a_chinese_keyboard_is_read(typed):
    assert tracking_code_normalise(typed) == CODE


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "WP9A-3K7M-2QXR",  # too short
        "WP9A-3K7M-2QXR-8T0V-1",  # too long
        "WP9A-3K7M-2QXR-8T0U",  # U is not in the alphabet
        "WP9A一一3K7M2QXR8T0",  # "一" is a dash, never the digit one: 15 characters
        "WP9A-3K7M-2QXR-8T0♥",
        "查询码WP9A3K7M2QXR8T0V",
    ],
)
def test_anything_else_is_no_code(typed):
    assert tracking_code_normalise(typed) is None


def test_a_non_string_is_no_code():
    assert tracking_code_normalise(None) is None


@given(
    code=st.builds(tracking_code_generate),
    separators=st.lists(st.sampled_from(SEPARATORS), min_size=15, max_size=15),
    widths=st.lists(st.booleans(), min_size=16, max_size=16),
    lower=st.lists(st.booleans(), min_size=16, max_size=16),
    gaps=st.lists(st.booleans(), min_size=15, max_size=15),
)
def test_any_mix_of_widths_cases_and_separators_reads_as_the_code(
    code, separators, widths, lower, gaps
):
    typed = ""
    for index, char in enumerate(code):
        char = char.lower() if lower[index] else char
        typed += _full_width(char) if widths[index] else char
        if index < 15 and gaps[index]:
            typed += separators[index]
    assert tracking_code_normalise(typed) == code


@given(st.text(alphabet=st.sampled_from(CROCKFORD), min_size=16, max_size=16))
def test_every_code_of_the_alphabet_reads_as_itself(code):
    assert tracking_code_normalise(code) == code
