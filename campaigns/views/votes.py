"""Voting (a proven number, remembered for a while) and contest entries with their status."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .. import services
from ..forms import CodeForm, EntryForm
from ..models import Candidate
from .common import (
    VERIFICATION_SESSION_KEY,
    VOTER_SESSION_KEY,
    VOTER_SESSION_SECONDS,
    _flooding,
    _published,
    _remember_withdrawable,
    _render_detail,
    _voter_hash,
)


@never_cache
@require_POST
def voter_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 2 of voting: the code proves the number; the session remembers it for a while."""
    campaign = _published(slug)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, campaign, 400, code_form=form, code_sent=True)
    try:
        hashed = services.phone_code_check(
            verification_id=request.session.get(VERIFICATION_SESSION_KEY) or 0,
            code=form.cleaned_data["code"],
        )
    except ValidationError as exc:
        return _render_detail(
            request, campaign, 400, code_form=form, code_sent=True, refusal=exc.messages[0]
        )
    request.session[VOTER_SESSION_KEY] = {
        "hash": hashed,
        "until": timezone.now().timestamp() + VOTER_SESSION_SECONDS,
    }
    # Back to the page (a reload sends nothing again), which says the number is proven.
    return redirect(campaign.get_absolute_url() + "?step=verified#outcome")


@never_cache
@require_POST
def vote(request: HttpRequest, slug: str, candidate_id: int) -> HttpResponse:
    campaign = _published(slug)
    hashed = _voter_hash(request)
    if hashed is None:
        return _render_detail(request, campaign, 400, refusal=gettext("请先验证手机号再投票。"))
    try:
        cast = services.vote_cast(
            campaign=campaign,
            candidate_id=candidate_id,
            hashed_phone=hashed,
            client_key=services.client_key(request),
        )
    except services.ParticipationRefused as exc:
        status = 429 if exc.code == "too_many_votes" else 400
        return _render_detail(request, campaign, status, refusal=exc.messages[0])
    _remember_withdrawable(request, "votes", cast.pk)
    return _render_detail(
        request,
        campaign,
        voted=cast,
        withdraw_until=services.withdrawable_until(cast.cast_at),
    )


@never_cache
@require_POST
def contest_enter(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _published(slug)
    form = EntryForm(request.POST, request.FILES)
    refused = _flooding(request, campaign, form_name="entry_form", form=form)
    if refused:
        return refused
    if not form.is_valid():
        return _render_detail(request, campaign, 400, entry_form=form)
    try:
        entry = services.contest_entry_submit(
            campaign=campaign,
            name=form.cleaned_data["name"],
            story=form.cleaned_data["story"],
            link=form.cleaned_data["link"],
            image=form.cleaned_data["image"],
            contact=form.cleaned_data["contact"],
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return _render_detail(request, campaign, 400, entry_form=form)
        return _render_detail(request, campaign, 400, entry_form=form, refusal=exc.messages[0])
    return redirect(reverse("campaigns:entry_status", args=[entry.status_token]) + "#outcome")


@never_cache
@require_GET
def entry_status(request: HttpRequest, token: str) -> HttpResponse:
    entry = get_object_or_404(Candidate.objects.select_related("campaign"), status_token=token)
    return render(
        request, "campaigns/entry_status.html", {"entry": entry, "campaign": entry.campaign}
    )


@require_GET
def entry_image(request: HttpRequest, pk: int) -> FileResponse:
    """An approved entry's image (re-encoded without metadata when it was received)."""
    from wenzhou_portal import images

    entry = get_object_or_404(Candidate, pk=pk, status=Candidate.Status.APPROVED)
    if not entry.image_path:
        raise Http404
    content_type = "image/png" if entry.image_path.endswith(".png") else "image/jpeg"
    return FileResponse(images.open_private(entry.image_path), content_type=content_type)
