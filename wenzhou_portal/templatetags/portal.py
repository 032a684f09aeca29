"""Template filters shared by every app."""

import markdown as markdown_lib
import nh3
from django import template
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


@register.filter
def localized(item, field: str) -> str:
    """item.<field>_en on English pages when it is filled in, else item.<field>."""
    from django.utils.translation import get_language

    get = (
        item.get
        if isinstance(item, dict)
        else lambda name, default="": getattr(item, name, default)
    )
    if (get_language() or "").startswith("en") and get(f"{field}_en", ""):
        return get(f"{field}_en", "")
    return get(field, "")


@register.filter
def mask_name(name: str) -> str:
    """Show a name on a public wall as its first character and stars (张*)."""
    name = (name or "").strip()
    return (name[0] + "*" * max(1, len(name) - 1)) if name else "*"
