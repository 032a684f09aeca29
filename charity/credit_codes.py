"""The unified social credit code (统一社会信用代码) of GB 32100-2015: shape and check character.

Pure standard library, like ``civility_index/scoring.py``. A code is 18 characters from a
31-character alphabet (digits and capitals without I, O, S, V, Z): the registering
authority (1), the organisation type (2), the administrative division (3–8, GB/T 2260
digits), the organisation code (9–17) and a check character (18). The check character
is ``31 − (Σ value × weight mod 31)``, the weights being 3^i mod 31, and 31 maps to 0.
"""

import unicodedata
from dataclasses import dataclass
from enum import Enum

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, position, 31) for position in range(17))
LENGTH = 18
# GB 32100-2015 table 1: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教,
# 8 工会, 9 工商, A 中央军委改革和编制办公室, N 农业, Y 其他.
REGISTERING_AUTHORITIES = frozenset("123456789ANY")
# The ministries of civil affairs register charities: social organisations (1),
# private non-enterprise units (2), foundations (3) and others (9).
CIVIL_AFFAIRS = "5"


class Problem(Enum):
    LENGTH = "length"
    CHARACTERS = "characters"
    AUTHORITY = "authority"
    DIVISION = "division"
    CHECK = "check"


@dataclass(frozen=True)
class CodeCheck:
    """What was checked: the normalised code, and the first problem found (None: valid)."""

    code: str
    problem: Problem | None
    # For CHARACTERS: the characters not allowed (I, O, S, V, Z, punctuation…).
    bad_characters: str = ""

    @property
    def valid(self) -> bool:
        return self.problem is None


def normalise(text: str) -> str:
    """Full-width to half-width, spaces and hyphens out, upper case: how people type codes."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if not ch.isspace() and ch != "-").upper()


def check_character(first_seventeen: str) -> str:
    """The check character GB 32100-2015 gives for these 17 characters."""
    total = sum(
        ALPHABET.index(ch) * weight for ch, weight in zip(first_seventeen, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def check_code(text: str) -> CodeCheck:
    """Check a typed code; the first problem found is the one a person should fix first."""
    code = normalise(text)
    if len(code) != LENGTH:
        return CodeCheck(code, Problem.LENGTH)
    bad = "".join(sorted({ch for ch in code if ch not in ALPHABET}))
    if bad:
        return CodeCheck(code, Problem.CHARACTERS, bad_characters=bad)
    if code[0] not in REGISTERING_AUTHORITIES:
        return CodeCheck(code, Problem.AUTHORITY)
    if not code[2:8].isdigit():
        return CodeCheck(code, Problem.DIVISION)
    if check_character(code[:17]) != code[17]:
        return CodeCheck(code, Problem.CHECK)
    return CodeCheck(code, None)
