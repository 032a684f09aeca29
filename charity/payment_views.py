"""The payment provider's side of a donation: its notifications, and the simulated gateway.

``payment_notice`` is the address a provider posts its signed notifications to; it reads
the body and headers and hands them to the service, which verifies everything. The
simulated gateway pages stand in for the provider's own checkout in development; they
exist only where ``simulated`` is an allowed provider.
"""

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from wenzhou_portal.celery import enqueue_on_commit

from . import payments, services
from .models import NoticeOutcome
from .payments.simulated import SimulatedGateway

# WeChat Pay v3 expects 200/204 for "received, stop retrying"; anything else is retried.
# A notification that will never verify is answered 400 so the sender stops; a transient
# failure of ours (the database) surfaces as a 500 and the provider retries.
NOTICE_STATUS = {
    NoticeOutcome.APPLIED: 200,
    NoticeOutcome.ALREADY: 200,
    NoticeOutcome.CLOSED: 200,
    NoticeOutcome.UNKNOWN_ORDER: 404,
}


@csrf_exempt
@require_POST
def payment_notice(request: HttpRequest, provider: str) -> JsonResponse:
    """A provider's asynchronous notification (server to server, signed, no cookies)."""
    outcome = services.donation_notice_receive(
        provider_code=provider, headers=request.headers, body=request.body
    )
    status = NOTICE_STATUS.get(outcome, 400)
    if status == 200:
        return JsonResponse({"code": "SUCCESS", "message": "成功"}, status=200)
    return JsonResponse({"code": "FAIL", "message": outcome}, status=status)


def _gateway() -> SimulatedGateway:
    if not payments.provider_available(SimulatedGateway.code):
        raise Http404
    return SimulatedGateway()


@never_cache
@require_http_methods(["GET", "POST"])
def gateway(request: HttpRequest, reference: str) -> HttpResponse:
    """The simulated checkout: pay or give up, as at a real provider's page."""
    gateway = _gateway()
    order = gateway.order(reference)
    if order is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("action") == "pay":
            with transaction.atomic():
                if gateway.pay(reference):
                    # The provider's server tells ours after the payment, separately from
                    # the donor's browser coming back (which may never happen).
                    enqueue_on_commit("charity.tasks.simulated_gateway_notify", reference)
        return redirect(order.return_url)
    return render(
        request,
        "charity/gateway.html",
        {"order": order, "amount": services.fen_display(order.amount_fen)},
    )
