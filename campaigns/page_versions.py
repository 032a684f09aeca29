"""What the cached public campaign pages hang on (wenzhou_portal.page_cache)."""

from django.db.models import Count, Max

from .models import Campaign


def campaigns_version() -> tuple:
    """Changes when a campaign is added, edited or deleted (its counters move by the minute:
    the pages bound those by time instead)."""
    state = Campaign.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    return (state["count"], state["changed"])
