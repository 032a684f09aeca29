"""What the cached public charity pages hang on (wenzhou_portal.page_cache)."""

from django.db.models import Count, Max

from .models import Disclosure, LedgerEntry, Organisation, Project


def charity_version() -> tuple:
    """Changes when a project is added or edited, an organisation's standing changes, a
    disclosure is published, or money moves (every gift, refund and disbursement is a new
    ledger row): one small aggregate per table."""
    projects = Project.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    return (
        projects["count"],
        projects["changed"],
        tuple(
            Organisation.objects.aggregate(
                newest=Max("pk"), standing=Max("status_changed_at")
            ).values()
        ),
        Disclosure.objects.aggregate(newest=Max("pk"))["newest"],
        LedgerEntry.objects.aggregate(newest=Max("pk"))["newest"],
    )
