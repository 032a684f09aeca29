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

Each submission's limits cost one Redis round trip: as it arrives, the attempt is
counted and one report is reserved from the budgets; a submission that turns out invalid
gives the reservation back (a second round trip on that path only, never on a valid one).
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from wenzhou_portal.clients import client_hash
from wenzhou_portal.limits import (
    CONSUME,
    HIT,
    Check,
    Decision,
    Limit,
    limit_hit,
    limit_release,
    limits_check,
    wait_text,
)

REPORT_ATTEMPT = Limit("report-attempt", ("REPORT_FLOOD_LIMIT",))
REPORT_ACCEPTED = Limit("report-accepted", ("REPORT_RATE_LIMIT_MINUTE", "REPORT_RATE_LIMIT_DAY"))
REPORT_LOOKUP = Limit("report-lookup", ("TRACK_RATE_LIMIT",))
DEBUNK_SUGGEST = Limit("debunk-suggest", ("SUGGEST_RATE_LIMIT",))
LINK_SEND_PER_CLIENT = Limit("report-link-client", ("PHONE_CODE_LIMIT_PER_CLIENT",))
LINK_SEND_PER_ADDRESS = Limit("report-link-address", ("PHONE_CODE_LIMIT_PER_NUMBER",))
LINK_SEND_PER_REPORT = Limit("report-link-report", ("PHONE_CODE_LIMIT_PER_NUMBER",))


def _refused(decision: Decision) -> Decision | None:
    return None if decision.allowed else decision


@dataclass(frozen=True)
class SubmissionCheck:
    """A submission's limits, counted in one round trip when it arrives."""

    flood: Decision  # the attempt, always counted
    budget: Decision  # one report reserved from the budgets, if the flood guard let it in

    @property
    def flood_refusal(self) -> Decision | None:
        """The refusal if this client is flooding (its uploads are not even read)."""
        return _refused(self.flood)

    @property
    def budget_refusal(self) -> Decision | None:
        """The refusal (uncounted) if a minute or day budget is spent."""
        return _refused(self.budget)


def submission_check(request: HttpRequest) -> SubmissionCheck:
    """Count a submission attempt and reserve one report from the budgets, in one round trip.

    The reservation is the count an accepted report makes; a submission that turns out
    invalid gives it back with ``submission_release``, so only accepted reports count.
    """
    client = client_hash(request)
    flood, budget = limits_check(
        [Check(HIT, REPORT_ATTEMPT, client), Check(CONSUME, REPORT_ACCEPTED, client)]
    )
    return SubmissionCheck(flood=flood, budget=budget)


def submission_release(check: SubmissionCheck) -> None:
    """Give back the budget reserved for a submission that was not accepted (invalid)."""
    limit_release(check.budget)


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
    decisions = limits_check([Check(HIT, limit, key) for limit, key in keys])  # one round trip
    refusals = [decision for decision in decisions if not decision.allowed]
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
