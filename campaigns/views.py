from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import KIND_DESCRIPTIONS, CampaignKind


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    kinds = [{"label": kind.label, "description": KIND_DESCRIPTIONS[kind]} for kind in CampaignKind]
    return render(request, "campaigns/landing.html", {"kinds": kinds})
