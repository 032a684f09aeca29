"""Display preferences a citizen sets without an account, kept in cookies."""

from django.http import HttpRequest

ELDER_MODE_COOKIE = "elder_mode"
TEXT_SIZE_COOKIE = "text_size"
TEXT_SIZES = ("normal", "large", "x-large")
COOKIE_MAX_AGE = 365 * 24 * 3600


def elder_mode_enabled(request: HttpRequest) -> bool:
    return request.COOKIES.get(ELDER_MODE_COOKIE) == "1"


def text_size(request: HttpRequest) -> str:
    value = request.COOKIES.get(TEXT_SIZE_COOKIE, "normal")
    return value if value in TEXT_SIZES else "normal"
