"""What the cached public index pages and API reads hang on (wenzhou_portal.page_cache)."""

from django.db.models import Max

from .models import Indicator, MethodSettings
from .selectors import snapshots_version


def index_version() -> tuple:
    """Changes with every snapshot computed or published, and every edit of the method."""
    return (
        snapshots_version(),
        MethodSettings.objects.aggregate(changed=Max("updated_at"))["changed"],
        tuple(Indicator.objects.aggregate(newest=Max("pk")).values()),
    )
