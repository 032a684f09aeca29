from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wenzhou_portal.districts import District


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "civility_index/dashboard.html", {"districts": District.choices})
