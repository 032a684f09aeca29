"""Taking a signature or a vote back: only from the browser that gave it, within 10 minutes."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import services
from ..models import WITHDRAW_MINUTES, Vote
from .common import _may_withdraw, _published, _withdraw_offer
from .pledges import _signature_from


@never_cache
@require_http_methods(["GET", "POST"])
def pledge_withdraw(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Ask "确定撤回吗？", then take the signature back (this browser, within 10 minutes)."""
    signature = _signature_from(token, slug)
    return _withdraw_page(
        request,
        campaign=signature.campaign,
        what="signature",
        row=signature,
        made_at=signature.signed_at,
        withdraw=lambda: services.signature_withdraw(signature_id=signature.pk),
        not_yours=gettext("只有签名时使用的这部手机（同一个浏览器）才能撤回这个签名。"),
        already=gettext("这个签名已经撤回了。"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def vote_withdraw(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    """Ask "确定撤回吗？", then take the vote back (this browser, within 10 minutes)."""
    campaign = _published(slug)
    vote = get_object_or_404(
        Vote.objects.select_related("candidate"), pk=vote_id, campaign=campaign
    )
    return _withdraw_page(
        request,
        campaign=campaign,
        what="vote",
        row=vote,
        made_at=vote.cast_at,
        withdraw=lambda: services.vote_withdraw(vote_id=vote.pk),
        not_yours=gettext("只有投票时使用的这部手机（同一个浏览器）才能撤回这一票。"),
        already=gettext("这一票已经撤回了。"),
    )


def _withdraw_page(
    request: HttpRequest,
    *,
    campaign,
    what: str,
    row,
    made_at,
    withdraw: Callable[[], object],
    not_yours: str,
    already: str,
) -> HttpResponse:
    """The confirmation step and its answer, for a signature or a vote alike."""
    kind = "signatures" if what == "signature" else "votes"
    context = {
        "campaign": campaign,
        "what": what,
        what: row,
        **_withdraw_offer(request, kind, row.pk, made_at),
    }
    if not _may_withdraw(request, kind, row.pk):
        context["refusal"] = not_yours
        return render(request, "campaigns/withdraw.html", context, status=403)
    if request.method == "POST":
        try:
            withdraw()
        except services.ParticipationRefused as exc:
            context["refusal"] = exc.messages[0]
            context["withdraw_open"] = False
            return render(request, "campaigns/withdraw.html", context, status=409)
        context["withdrawn"] = True
        context["withdraw_open"] = False
    elif row.withdrawn_at is not None:
        context["refusal"] = already
    elif not context["withdraw_open"]:
        context["refusal"] = gettext(
            "已经超过 %(n)s 分钟，不能再撤回了。如有疑问，请联系主办单位。"
        ) % {"n": WITHDRAW_MINUTES}
    return render(request, "campaigns/withdraw.html", context)
