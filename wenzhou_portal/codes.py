"""Codes citizens keep and type back: tracking codes, donation receipt references.

Crockford base32 from a cryptographic random source, and one reader that accepts a code
as people type it on a phone (lower case, dashes, O for 0, full-width forms from a
Chinese input method, Chinese dashes and spaces).
"""

import secrets
import unicodedata

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# What a Chinese keyboard types between the groups of a code: dashes of every width, the
# ideographic "一" typed for a dash (never read as the digit one: it only separates), dots,
# underscores and spaces of every kind.
_CODE_SEPARATORS = frozenset("-‐‑‒–—―−﹘﹣－一·・•．.。_／/\\")
_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_generate(length: int) -> str:
    """``length`` Crockford base32 characters, 5 random bits each."""
    value = int.from_bytes(secrets.token_bytes((length * 5 + 7) // 8), "big")
    chars = []
    for _i in range(length):
        value, digit = divmod(value, 32)
        chars.append(CROCKFORD[digit])
    return "".join(reversed(chars))


def code_normalise(raw: object, *, length: int) -> str | None:
    """The code as stored, from what a citizen typed; None if it cannot be one."""
    if not isinstance(raw, str):
        return None
    kept = []
    for char in raw:
        if char in _CODE_SEPARATORS or char.isspace():
            continue
        # NFKC makes "Ｗ" "W" and "９" "9"; anything that is not then one ASCII letter or
        # digit leaves the code malformed below.
        kept.append(unicodedata.normalize("NFKC", char))
    cleaned = "".join(kept).upper().translate(_CODE_LOOKALIKES)
    if len(cleaned) != length or any(c not in CROCKFORD for c in cleaned):
        return None
    return cleaned


def code_grouped(code: str, size: int = 4) -> str:
    """``WP9A3K...`` as ``WP9A-3K..``: how a code is printed for a person to copy."""
    return "-".join(code[i : i + size] for i in range(0, len(code), size))
