"""The unified social credit code check of GB 32100-2015, on real codes and altered ones."""

import pytest
from django.core.exceptions import ValidationError

from charity.credit_codes import Problem, check_character, check_code, normalise
from charity.models import validate_credit_code

# Codes printed on real business licences (public registration records).
REAL_CODES = [
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert check_code(code).valid
    validate_credit_code(code)


@pytest.mark.parametrize("code", REAL_CODES)
def test_any_single_altered_character_is_caught(code):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for position in range(18):
        for replacement in alphabet:
            if replacement == code[position]:
                continue
            altered = code[:position] + replacement + code[position + 1 :]
            assert not check_code(altered).valid, altered


@pytest.mark.parametrize("code", REAL_CODES)
def test_two_swapped_neighbours_are_caught(code):
    for position in range(17):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if swapped != code:
            assert check_code(swapped).problem is not None, swapped


def test_check_character_31_maps_to_zero():
    # A 17-character prefix whose weighted sum is a multiple of 31 has check character 0.
    assert check_character("00000000000000000") == "0"


def test_people_type_codes_with_spaces_lower_case_and_full_width():
    assert normalise(" 9144 0300 7152 6726xg ") == "9144030071526726XG"
    assert normalise("９１４４０３００７１５２６７２６ＸＧ") == "9144030071526726XG"
    assert check_code("9144-0300-7152-6726-xg").valid


def test_a_wrong_check_character_is_refused_naming_the_check_character():
    with pytest.raises(ValidationError) as refused:
        validate_credit_code("9144030071526726XH")
    assert refused.value.code == "credit_code_check"
    assert "校验码" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("text", "problem", "words"),
    [
        ("9144030071526726X", Problem.LENGTH, "应为 18 位，您填写了 17 位"),
        ("9144030071526726XGG", Problem.LENGTH, "您填写了 19 位"),
        ("9144030071526726OG", Problem.CHARACTERS, "“O”"),
        ("91440300715267.6XG", Problem.CHARACTERS, "“.”"),
        ("B144030071526726XG", Problem.AUTHORITY, "“B”"),
        ("91A4030071526726XG", Problem.DIVISION, "行政区划"),
    ],
)
def test_each_problem_gets_its_own_message(text, problem, words):
    assert check_code(text).problem == problem
    with pytest.raises(ValidationError) as refused:
        validate_credit_code(text)
    assert words in refused.value.messages[0]
