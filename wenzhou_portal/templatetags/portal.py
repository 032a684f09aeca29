"""Template filters shared by every app."""

import re

import markdown as markdown_lib
import nh3
from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "a",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


@register.filter
def render_markdown(text: str) -> SafeString:
    """Markdown to HTML, then sanitised: no script, no event handlers, no foreign styles."""
    html = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308  sanitised by nh3 just above


@register.filter
def get_item(mapping: dict, key: str):
    """Look a key up in a dict inside a template (the snapshot results are plain dicts)."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def localized_name(item) -> str:
    """name_en on English pages, name_zh otherwise, for models and stored dicts alike."""
    from django.utils.translation import get_language

    field = "name_en" if (get_language() or "").startswith("en") else "name_zh"
    if isinstance(item, dict):
        return item.get(field) or item.get("name_zh", "")
    return getattr(item, field, "") or getattr(item, "name_zh", "")


@register.filter
def district_name(code: str) -> str:
    """The label of a district code in the current language."""
    from wenzhou_portal.districts import District

    return str(District(code).label) if code in District.values else code


# On an English page, staff text without English is shown in Chinese with this mark.
# It names the language in its own script, as language menus do, so it is not translated.
CHINESE_FALLBACK_MARK = "(中文)"
# Han characters, CJK symbols and punctuation, full-width forms.
_CHINESE = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _localized_text(item, field: str) -> tuple[str, bool]:
    """The text to show for item.<field>, and whether it is Chinese standing in for English.

    Models and stored dicts alike; on English pages item.<field>_en when filled in.
    """
    from django.utils.translation import get_language

    if item is None or item == "":
        return "", False
    if isinstance(item, dict):
        source, english = item.get(field, ""), item.get(f"{field}_en", "")
    else:
        source, english = getattr(item, field, ""), getattr(item, f"{field}_en", "")
    source, english = str(source or ""), str(english or "")
    if not (get_language() or "").startswith("en"):
        return source, False
    if english.strip():
        return english, False
    # "%", "km" or a number needs no English: only text in Chinese is marked as such.
    return source, bool(_CHINESE.search(source))


@register.filter
def localized(item, field: str) -> str | SafeString:
    """item.<field>_en on English pages, else item.<field>; marked "(中文)" when it falls back.

    The fallback is HTML (the Chinese in lang="zh-Hans", so read-aloud picks a Chinese
    voice); use localized_text where no HTML is allowed.
    """
    text, fallback = _localized_text(item, field)
    if not fallback:
        return text
    return format_html(
        '<span lang="zh-Hans">{}</span> <span class="zh-fallback">{}</span>',
        text,
        CHINESE_FALLBACK_MARK,
    )


@register.filter
def localized_text(item, field: str) -> str:
    """localized as plain text, for <title>, meta, attributes, JSON-LD and feeds."""
    text, fallback = _localized_text(item, field)
    return f"{text} {CHINESE_FALLBACK_MARK}" if fallback else text


@register.filter
def localized_markdown(item, field: str) -> SafeString:
    """A Markdown field in the page's language, rendered; the Chinese fallback is marked."""
    text, fallback = _localized_text(item, field)
    if not fallback:
        return render_markdown(text)
    return format_html(
        '<div lang="zh-Hans">{}</div><p class="zh-fallback">{}</p>',
        render_markdown(text),
        CHINESE_FALLBACK_MARK,
    )


@register.filter
def mask_name(name: str) -> str:
    """Show a name on a public wall as its first character and stars (张*)."""
    name = (name or "").strip()
    return (name[0] + "*" * max(1, len(name) - 1)) if name else "*"
