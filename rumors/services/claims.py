"""A signed-in citizen claims a report they filed anonymously, by its tracking code."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from wenzhou_portal.audit import audit_record
from wenzhou_portal.citizen_auth import is_citizen

from ..models import Report
from .reporter import tracking_code_read


class ClaimRefused(ValidationError):
    """No report to claim: unknown code, malformed code or someone else's report alike."""


def report_claim(*, citizen, code: object) -> Report:
    """Attach the report with this code to the citizen, if it has no reporter yet.

    A miss and another citizen's report get the same refusal, so codes cannot be probed
    for ownership. Claiming one's own report again is not an error.
    """
    refused = ClaimRefused(gettext("没有找到可以认领的举报，请核对查询码。"), code="not_claimable")
    if not is_citizen(citizen):
        raise refused
    tracking_code = tracking_code_read(code)
    if not tracking_code:
        raise refused
    # A conditional update: two citizens claiming at once cannot both win.
    Report.objects.filter(tracking_code=tracking_code, reporter__isnull=True).update(
        reporter=citizen
    )
    report = Report.objects.filter(tracking_code=tracking_code, reporter=citizen).first()
    if report is None:
        raise refused
    audit_record(
        action="rumors.report_claimed", actor=citizen, target=report.formatted_tracking_code
    )
    return report
