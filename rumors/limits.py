"""The report desk's limits, shared by the pages and the API (wenzhou_portal.limits).

- every submission attempt, valid or not, counts toward a loose flood guard;
- only accepted reports count toward the 5-a-minute and 50-a-day budgets, so a citizen
  who has to fix a form a few times is never locked out for the day;
- every tracking lookup counts (a lookup is what an enumeration would be made of), and so
  does every step taken with a code (an answer, a request for a second look, a private
  link opened): each of them would answer an enumeration too;
- sending the private link to a typed phone or e-mail is a message to an address a
  stranger could type, the same abuse as a text-message code: it shares those budgets
  (per client, and per address and per report), counted apart.
"""

from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from wenzhou_portal.clients import client_hash
from wenzhou_portal.limits import Decision, Limit, limit_consume, limit_hit, wait_text

REPORT_ATTEMPT = Limit("report-attempt", ("REPORT_FLOOD_LIMIT",))
REPORT_ACCEPTED = Limit("report-accepted", ("REPORT_RATE_LIMIT_MINUTE", "REPORT_RATE_LIMIT_DAY"))
REPORT_LOOKUP = Limit("report-lookup", ("TRACK_RATE_LIMIT",))
DEBUNK_SUGGEST = Limit("debunk-suggest", ("SUGGEST_RATE_LIMIT",))
LINK_SEND_PER_CLIENT = Limit("report-link-client", ("PHONE_CODE_LIMIT_PER_CLIENT",))
LINK_SEND_PER_ADDRESS = Limit("report-link-address", ("PHONE_CODE_LIMIT_PER_NUMBER",))
LINK_SEND_PER_REPORT = Limit("report-link-report", ("PHONE_CODE_LIMIT_PER_NUMBER",))


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


def link_send_attempt(request: HttpRequest, *, address: str, tracking_code: str) -> Decision | None:
    """Count sending the private link; the refusal if the client, the address or the report
    has had too many (every budget counts the attempt, so none can be drained apart)."""
    keys = (
        (LINK_SEND_PER_CLIENT, client_hash(request)),
        (LINK_SEND_PER_ADDRESS, _keyed("address", address.strip().lower())),
        (LINK_SEND_PER_REPORT, _keyed("report", tracking_code)),
    )
    refusals = [decision for limit, key in keys if not (decision := limit_hit(limit, key)).allowed]
    return max(refusals, key=lambda decision: decision.retry_after, default=None)


def _keyed(kind: str, value: str) -> str:
    # Limit keys live in Redis: never an address or a code in clear.
    return salted_hmac(f"rumors.limits.{kind}", value, algorithm="sha256").hexdigest()


def submission_refusal_text(decision: Decision) -> str:
    return gettext(
        "提交太频繁了：为防止滥用，同一网络提交举报的次数有限制。请在 %(wait)s后再提交，"
        "您填写的内容都还在。"
    ) % {"wait": wait_text(max(60, -(-decision.retry_after // 60) * 60))}  # whole minutes: "1 分钟"


def lookup_refusal_text(decision: Decision) -> str:
    return gettext("查询太频繁了，请在 %(wait)s后再试。") % {
        "wait": wait_text(decision.retry_after)
    }


def link_send_refusal_text(decision: Decision) -> str:
    return gettext("发送次数过多，请在 %(wait)s后再试；也可以先抄写或截图保存查询码。") % {
        "wait": wait_text(decision.retry_after)
    }
