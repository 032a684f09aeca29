"""What the cached public debunk pages hang on (wenzhou_portal.page_cache)."""

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import Debunk


def debunks_version() -> tuple:
    """Changes when a debunk is added, edited, corrected, withdrawn or deleted, and when one
    dated in the future reaches its publication time: one aggregate over the debunk table."""
    state = Debunk.objects.aggregate(
        count=Count("pk"),
        published=Count("pk", filter=Q(is_published=True)),
        live=Count("pk", filter=Q(published_at__lte=timezone.now())),
        changed=Max("updated_at"),
    )
    return (state["count"], state["published"], state["live"], state["changed"])
