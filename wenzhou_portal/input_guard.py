"""Refuse a NUL byte in a request's path, query string or form fields before any view runs.

PostgreSQL refuses NUL in every string, so "/api/v1/campaigns/a%00b/" reached the database
as a slug and came back as a 500; no URL, parameter or field of the portal can hold one.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.translation import gettext
from django.views import defaults

from .errors import API_PREFIX, OPEN311_PREFIX, api_error, open311_error

NUL = "\x00"


def nul_byte_field(request: HttpRequest) -> str | None:
    """Which part of the request holds a NUL: "path", a parameter's name, or None.

    Form fields are read only from a POST (as Django parses them); a JSON body cannot
    carry a raw NUL, and its escaped "\\u0000" is refused by the serializers' fields.
    """
    if NUL in request.path:
        return "path"
    for source in (request.GET, request.POST):
        name = _nul_parameter(source)
        if name is not None:
            return name
    return None


def _nul_parameter(source: QueryDict) -> str | None:
    for name, values in source.lists():
        if NUL in name:
            return "non_field"
        if any(NUL in value for value in values):
            return name
    return None


def _drop_nul_cookies(request: HttpRequest) -> None:
    # An escaped "\000" in a quoted cookie reaches the session lookup, a 500 on PostgreSQL.
    # The cookie is dropped rather than refused: a visitor cannot clear a cookie that a
    # neighbouring site planted, and would otherwise be locked out.
    for name in [name for name, value in request.COOKIES.items() if NUL in name + value]:
        del request.COOKIES[name]


def _chosen_language(request: HttpRequest) -> str:
    # ChosenLanguageMiddleware runs after this one; make the same choice: the cookie, or Chinese.
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def refusal(request: HttpRequest, field: str) -> HttpResponse:
    """A 400 in the shape the client reads: the API's, Open311's, or a plain page."""
    with translation.override(_chosen_language(request)):
        message = gettext("%(field)s 含有空字符（NUL），无法处理。") % {"field": field}
        if request.path.startswith(API_PREFIX):
            return api_error(field, message, 400)
        if request.path.startswith(OPEN311_PREFIX):
            return open311_error(request, message, 400)
        return defaults.bad_request(request, BadRequest(message))


class InputGuardMiddleware:
    """Answer 400 to a NUL in the path, query string or form fields; drop NUL cookies.

    Place it before SessionMiddleware (which looks the session cookie up) and before
    anything that reads the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _drop_nul_cookies(request)
        field = nul_byte_field(request)
        if field is not None:
            return refusal(request, field)
        return self.get_response(request)
