"""How citizens' text is shown to staff.

Invisible and direction-changing characters are made visible (⟦U+202E⟧), so that
"gpj.exe" is not read as "exe.jpg".
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext

from wenzhou_portal.text import neutralise_html


def _shown(text: str, *, limit: int | None = None) -> SafeString:
    if limit is not None:
        text = Truncator(text).chars(limit)
    return neutralise_html(text)


def _spoofing_badge() -> SafeString:
    return format_html(
        '<span class="spoof-badge" title="{}">⚠ {}</span> ',
        gettext("含不可见或改变文字方向的字符，已以 ⟦U+XXXX⟧ 标出。"),
        gettext("含隐藏字符"),
    )
