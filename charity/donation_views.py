"""Citizen pages of a gift: donate, confirm, pay, the receipt and its verification, the ledger."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors, services


@never_cache
@require_GET
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The receipt of one gift: what, to whom, where it stands, what it helped fund."""
    normalised = services.reference_normalise(reference)
    donation = selectors.donation_by_reference(normalised) if normalised else None
    if donation is None:
        raise Http404
    donation = services.donation_refresh(reference=donation.reference)
    return render(
        request,
        "charity/receipt.html",
        {
            "donation": donation,
            "allocations": selectors.donation_allocations(donation),
            "cancel_deadline": services.cancel_deadline(donation),
        },
    )
