"""The portal's URLconf plus the ceiling: a bare JSON view behind the same middleware.

gunicorn serves this in a bench run (settings read ``DJANGO_ROOT_URLCONF``), so the bare
view pays every middleware a page pays and nothing else: its rate is what the stack
allows before a view does any work.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from wenzhou_portal import urls as portal_urls

# The portal's own error answers (the API's shapes under its paths), as it serves them.
handler400 = getattr(portal_urls, "handler400", "django.views.defaults.bad_request")
handler403 = getattr(portal_urls, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(portal_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(portal_urls, "handler500", "django.views.defaults.server_error")


def bare_view(request: HttpRequest) -> JsonResponse:
    """No database, no template, no cache: the ceiling every figure is divided by."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/bare/", bare_view, name="bench-bare"), *portal_urls.urlpatterns]
