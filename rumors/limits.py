"""Per-client limits on submissions and lookups, kept in the shared cache.

The same counters serve the pages and the API, so a client cannot double its allowance
by switching between them.
"""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited


def submission_limited(request: HttpRequest) -> bool:
    """True once this client has sent too many reports this minute or today."""
    minute = is_ratelimited(
        request,
        group="report-submit",
        key="ip",
        rate=settings.REPORT_RATE_LIMIT_MINUTE,
        increment=True,
    )
    day = is_ratelimited(
        request,
        group="report-submit-day",
        key="ip",
        rate=settings.REPORT_RATE_LIMIT_DAY,
        increment=True,
    )
    return minute or day


def lookup_limited(request: HttpRequest) -> bool:
    """True once this client has looked up too many tracking codes this minute."""
    return is_ratelimited(
        request, group="report-track", key="ip", rate=settings.TRACK_RATE_LIMIT, increment=True
    )
