"""Text that staff read: invisible and direction-changing characters made visible.

A report or an account name can carry U+202E (right-to-left override) or zero-width
characters that make "gpj.exe" read as "exe.jpg" or two different names look the same.
Staff see such characters as visible markers instead, e.g. ``⟦U+202E⟧``.
"""

import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Bidirectional controls, zero-width characters and other invisible formatting.
_SPOOFING = frozenset(
    [
        *range(0x202A, 0x202F),  # LRE RLE PDF LRO RLO
        *range(0x2066, 0x206A),  # LRI RLI FSI PDI
        0x200E,  # LRM
        0x200F,  # RLM
        0x061C,  # ALM
        0x200B,  # zero-width space
        0x200C,  # zero-width non-joiner
        0x200D,  # zero-width joiner
        0x2060,  # word joiner
        0xFEFF,  # zero-width no-break space (BOM)
        0x00AD,  # soft hyphen
        0x180E,  # Mongolian vowel separator
        0x034F,  # combining grapheme joiner
    ]
)


def _is_spoofing(char: str) -> bool:
    code = ord(char)
    if code in _SPOOFING:
        return True
    # Any other invisible format character (category Cf) or a stray control character.
    category = unicodedata.category(char)
    return category == "Cf" or (category == "Cc" and char not in "\n\r\t")


def has_spoofing(text: str) -> bool:
    """True if the text holds a character that staff would not see as it is."""
    return any(_is_spoofing(char) for char in text or "")


def neutralise(text: str) -> str:
    """The text with every invisible or direction-changing character as ⟦U+XXXX⟧."""
    if not text:
        return ""
    return "".join(f"⟦U+{ord(char):04X}⟧" if _is_spoofing(char) else char for char in text)


def neutralise_html(text: str) -> SafeString:
    """Escaped HTML of the text, each neutralised character in a visible <mark>."""
    return mark_safe(  # noqa: S308  every piece is escaped above
        "".join(
            f'<mark class="spoof">⟦U+{ord(char):04X}⟧</mark>'
            if _is_spoofing(char)
            else escape(char)
            for char in text or ""
        )
    )
