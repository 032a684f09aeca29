"""The report desk's limits, shared by the pages and the API (wenzhou_portal.limits).

- every submission attempt, valid or not, counts toward a loose flood guard;
- only accepted reports count toward the 5-a-minute and 50-a-day budgets, so a citizen
  who has to fix a form a few times is never locked out for the day;
- every tracking lookup counts (a lookup is what an enumeration would be made of).
"""

from django.http import HttpRequest
from django.utils.translation import gettext

from wenzhou_portal.clients import client_hash
from wenzhou_portal.limits import Decision, Limit, limit_consume, limit_hit, wait_text

REPORT_ATTEMPT = Limit("report-attempt", ("REPORT_FLOOD_LIMIT",))
REPORT_ACCEPTED = Limit("report-accepted", ("REPORT_RATE_LIMIT_MINUTE", "REPORT_RATE_LIMIT_DAY"))
REPORT_LOOKUP = Limit("report-lookup", ("TRACK_RATE_LIMIT",))
DEBUNK_SUGGEST = Limit("debunk-suggest", ("SUGGEST_RATE_LIMIT",))


def _refused(decision: Decision) -> Decision | None:
    return None if decision.allowed else decision


def submission_attempt(request: HttpRequest) -> Decision | None:
    """Count a submission attempt; the refusal if this client is flooding."""
    return _refused(limit_hit(REPORT_ATTEMPT, client_hash(request)))


def submission_accept(request: HttpRequest) -> Decision | None:
    """Count a valid report against the budgets; the refusal (uncounted) if one is spent."""
    return _refused(limit_consume(REPORT_ACCEPTED, client_hash(request)))


def lookup_attempt(request: HttpRequest) -> Decision | None:
    """Count a tracking lookup; the refusal if this client looks up too many."""
    return _refused(limit_hit(REPORT_LOOKUP, client_hash(request)))


def suggest_attempt(request: HttpRequest) -> Decision | None:
    """Count an as-you-type debunk suggestion (its own budget: typing is not tracking)."""
    return _refused(limit_hit(DEBUNK_SUGGEST, client_hash(request)))


def submission_refusal_text(decision: Decision) -> str:
    return gettext(
        "提交太频繁了：为防止滥用，同一网络提交举报的次数有限制。请在 %(wait)s后再提交；"
        "您填写的内容都还在。"
    ) % {"wait": wait_text(decision.retry_after)}


def lookup_refusal_text(decision: Decision) -> str:
    return gettext("查询太频繁了，请在 %(wait)s后再试。") % {
        "wait": wait_text(decision.retry_after)
    }
