import re

from django.conf import settings
from django.http import HttpRequest

from .page_cache import release
from .preferences import elder_mode_enabled, text_size

NATIONAL_HOTLINE = "12377"


def _dialable(number: str) -> str:
    """What a tel: link dials: digits (and a leading +), without the spaces and dashes
    people write a number with."""
    number = number.strip()
    return ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)


def portal(request: HttpRequest) -> dict:
    office_hotline = settings.OFFICE_HOTLINE
    return {
        "elder_mode": elder_mode_enabled(request),
        # Fragment cache keys carry it, so a deploy never shows the previous templates.
        "page_release": release(),
        "text_size": text_size(request),
        "national_hotline": NATIONAL_HOTLINE,
        "office_hotline": office_hotline,
        "office_hotline_tel": _dialable(office_hotline) if office_hotline else "",
    }
