from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import health, jobs
from .districts import District
from .health import DEGRADED, DOWN, OK
from .preferences import (
    COOKIE_MAX_AGE,
    ELDER_MODE_COOKIE,
    TEXT_SIZE_COOKIE,
    TEXT_SIZES,
    elder_mode_enabled,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"districts": District.choices})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers. Never asks a dependency, so an outage of Redis or
    the database never takes a healthy web node out of the proxy (it would restart)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: each dependency ok, degraded or down; 503 only when reports cannot be
    accepted (the database is down).

    The scheduler is reported too (each job's last success, and whether it is late), but a
    late scheduler is "degraded", never 503: beat and the worker run apart from the web
    nodes, and taking every web node out of the proxy would stop citizens reporting
    without starting a single job.
    """
    ready, checks = health.readiness()
    body = {"status": "ready" if ready else "unavailable", **checks}
    if ready:
        try:
            reports = jobs.scheduler_reports()
        except DatabaseError:  # went away since the check: unready after all
            return JsonResponse({**body, "status": "unavailable", "database": DOWN}, status=503)
        body["scheduler"] = DEGRADED if any(report.late for report in reports) else OK
        body["jobs"] = {
            report.name: {
                "last_succeeded_at": (
                    localtime(report.last_succeeded_at).isoformat()
                    if report.last_succeeded_at
                    else None
                ),
                "late": report.late,
            }
            for report in reports
        }
    return JsonResponse(body, status=200 if ready else 503)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or request.headers.get("referer")
    target = target or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


def _set_cookie(response: HttpResponse, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=settings.PRODUCTION,
        httponly=True,
    )


# The display preferences are switched by a plain GET (a link, or a form with method="get"),
# so that no public page carries a per-visitor CSRF token and every page can be shared from
# the cache (wenzhou_portal.page_cache). A preference changes nothing but how this browser
# is shown pages; the worst a forged link can do is switch a visitor's language, which the
# same switch undoes. POST is still answered, for forms and clients made before.


@never_cache
@require_http_methods(["GET", "POST"])
def toggle_elder_mode(request: HttpRequest) -> HttpResponse:
    """Senior mode on or off: ``on=1``/``on=0``, or the opposite of now if not given."""
    data = request.POST if request.method == "POST" else request.GET
    wanted = data.get("on", "")
    if wanted not in ("", "0", "1"):
        return HttpResponse("on is 0 or 1", status=400, content_type="text/plain")
    value = wanted or ("0" if elder_mode_enabled(request) else "1")
    response = HttpResponseRedirect(_back(request))
    _set_cookie(response, ELDER_MODE_COOKIE, value)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def set_text_size(request: HttpRequest) -> HttpResponse:
    size = (request.POST if request.method == "POST" else request.GET).get("size", "")
    if size not in TEXT_SIZES:
        return HttpResponse("Unknown text size", status=400, content_type="text/plain")
    response = HttpResponseRedirect(_back(request))
    _set_cookie(response, TEXT_SIZE_COOKIE, size)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: ``language=en`` or ``zh-hans`` in a cookie, then back."""
    language = (request.POST if request.method == "POST" else request.GET).get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponse("Unknown language", status=400, content_type="text/plain")
    response = HttpResponseRedirect(_back(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=COOKIE_MAX_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer a client over its limit with a plain page and 429, never a bare error."""
    return render(request, "429.html", status=429)
