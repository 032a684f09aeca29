"""Links to a report that leave the portal (notices, the confirmation page, its QR code).

Built from settings.SITE_URL, never from the request's host: a notice is sent by a
worker that has no request, and a link must not point at whatever host a request named.
"""

from django.conf import settings
from django.urls import reverse

from ..models import Report


def report_private_url(report: Report) -> str:
    """The private link that follows one report; the code in it is the secret."""
    return settings.SITE_URL + reverse("rumors:track_private", args=[report.tracking_code])
