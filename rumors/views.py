from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import CATEGORY_EXAMPLES, NATIONAL_CENTRE_CATEGORIES, Category, Platform


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    categories = [
        {
            "label": category.label,
            "example": CATEGORY_EXAMPLES[category],
            "national": category in NATIONAL_CENTRE_CATEGORIES,
        }
        for category in Category
    ]
    return render(
        request,
        "rumors/landing.html",
        {"categories": categories, "platforms": Platform.choices},
    )


@require_GET
def debunk_list(request: HttpRequest) -> HttpResponse:
    return render(request, "rumors/debunk_list.html", {"debunks": []})
