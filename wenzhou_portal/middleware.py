import logging
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware import http
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .clients import client_ip
from .log_redaction import redact

logger = logging.getLogger("wenzhou_portal.request")


class RequestLogMiddleware:
    """Log each request as one structured line: method, path, status, time, user.

    A tracking code in a private link's path is logged as [code]: the log is kept six
    months and read by more people than may follow a citizen's report.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": redact(request.path),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user": user.pk if user is not None and user.is_authenticated else None,
                "ip": client_ip(request),
            },
        )
        return response


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the visitor chose English with the switch (a cookie).

    A municipal portal speaks Chinese by default; the browser's Accept-Language is not
    taken as a choice, so an English-language phone still opens the Chinese site.
    """

    def process_request(self, request: HttpRequest) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class StaffSecondFactorMiddleware:
    """With a second factor required, a staff session without one is anonymous elsewhere.

    Admin asks for the code itself and sends a staff member without an authenticator to
    enrol at /staff/; everywhere else (the staff API, evidence downloads) a password-only
    staff session counts as no session at all. Runs after django-otp's OTPMiddleware.
    """

    SIGN_IN_PATHS = ("/admin/", "/staff/")

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.OTP_REQUIRED_FOR_STAFF and not request.path.startswith(self.SIGN_IN_PATHS):
            user = request.user
            if user.is_authenticated and user.is_staff and not user.is_verified():
                request.user = AnonymousUser()
        return self.get_response(request)


class ConditionalGetMiddleware(http.ConditionalGetMiddleware):
    """Django's ETag and 304 for what a client can keep: a 200 answer to a GET.

    An error page gets no ETag, so a 404 looks the same to GET and POST alike (the metrics
    page is an ordinary 404 to an outsider, whatever the method).
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code != 200:
            return response
        return super().process_response(request, response)
