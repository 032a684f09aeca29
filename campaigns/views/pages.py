"""The campaigns a citizen browses: the landing list, a campaign's page, its cover image."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .. import selectors, services
from ..forms import CampaignFilterForm
from ..models import KIND_DESCRIPTIONS, Campaign, CampaignKind
from .common import _published, _render_detail, _voter_hash


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    form = CampaignFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    campaigns = selectors.campaigns_public(**{k: v for k, v in filters.items() if v})
    page = Paginator(campaigns, 12).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    kinds = [{"label": kind.label, "description": KIND_DESCRIPTIONS[kind]} for kind in CampaignKind]
    return render(
        request,
        "campaigns/landing.html",
        {"kinds": kinds, "form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    if request.user.has_perm("campaigns.view_campaign"):
        # Editors preview drafts; their views are not counted as reach.
        campaign = get_object_or_404(Campaign, slug=slug)
        if not campaign.is_published:
            return _render_detail(request, campaign, preview=True)
    campaign = _published(slug)
    services.page_view_record(campaign_id=campaign.pk, client_key=services.client_key(request))
    if request.GET.get("step") == "verified" and _voter_hash(request) is not None:
        return _render_detail(request, campaign, answered=True, voter_verified_now=True)
    return _render_detail(request, campaign)


@require_GET
def cover_image(request: HttpRequest, slug: str) -> FileResponse:
    """A published campaign's cover image."""
    from wenzhou_portal import images

    campaign = _published(slug)
    if not campaign.cover_path:
        raise Http404
    content_type = "image/png" if campaign.cover_path.endswith(".png") else "image/jpeg"
    return FileResponse(images.open_private(campaign.cover_path), content_type=content_type)
