"""The ledger: every movement of money appended once, counters moved with it, proven nightly."""

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.notifications import notify
from wenzhou_portal.roles import Role

from ..models import (
    Allocation,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationStatus,
    EntryKind,
    LedgerEntry,
    LedgerProof,
    Project,
)

logger = logging.getLogger("charity.ledger")

# Which counter on Project each kind of entry moves.
COUNTER = {
    EntryKind.DONATION: "raised_fen",
    EntryKind.REFUND: "refunded_fen",
    EntryKind.DISBURSEMENT: "spent_fen",
}


def entry_append(
    *,
    project_id: int,
    kind: str,
    amount_fen: int,
    donation: Donation | None = None,
    disbursement: Disbursement | None = None,
    at: datetime | None = None,
) -> LedgerEntry:
    """Append one entry and move its project's counter, in the caller's transaction.

    The project row is locked, so concurrent entries of one project are serialised and
    ``balance_after_fen`` is the true running balance; the database refuses a balance
    below zero (``charity_project_balance_not_negative``).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entry_append runs inside the transaction of its write")
    project = Project.objects.select_for_update(of=("self",)).get(pk=project_id)
    counter = COUNTER[EntryKind(kind)]
    balance = project.balance_fen + (amount_fen if kind == EntryKind.DONATION else -amount_fen)
    Project.objects.filter(pk=project_id).update(**{counter: F(counter) + amount_fen})
    return LedgerEntry.objects.create(
        project_id=project_id,
        kind=kind,
        amount_fen=amount_fen,
        balance_after_fen=balance,
        donation=donation,
        disbursement=disbursement,
        recorded_at=at or timezone.now(),
    )


def _figures(project_ids=None) -> dict[int, dict[str, int]]:
    """Per project, each figure as the public sees it and as its rows add it up."""
    projects = (
        Project.objects.all() if project_ids is None else Project.objects.filter(pk__in=project_ids)
    )
    zero = 0

    def total(path: str, condition: Q) -> Coalesce:
        return Coalesce(Sum(path, filter=condition), zero)

    public = projects.values("pk", "title", "raised_fen", "refunded_fen", "spent_fen")
    entries = {
        row["project"]: row
        for row in LedgerEntry.objects.filter(project__in=projects)
        .values("project")
        .annotate(
            donation=total("amount_fen", Q(kind=EntryKind.DONATION)),
            refund=total("amount_fen", Q(kind=EntryKind.REFUND)),
            disbursement=total("amount_fen", Q(kind=EntryKind.DISBURSEMENT)),
            last_id=Max("pk"),
        )
    }
    last_balances = dict(
        LedgerEntry.objects.filter(pk__in=[row["last_id"] for row in entries.values()]).values_list(
            "project", "balance_after_fen"
        )
    )
    donations = {
        row["project"]: row
        for row in Donation.objects.filter(project__in=projects)
        .values("project")
        .annotate(
            received=total(
                "amount_fen",
                Q(
                    status__in=[
                        DonationStatus.PAID,
                        DonationStatus.REFUNDING,
                        DonationStatus.REFUNDED,
                    ]
                ),
            ),
            refunded=total("amount_fen", Q(status=DonationStatus.REFUNDED)),
            allocated=Coalesce(Sum("allocated_fen"), zero),
        )
    }
    spent = dict(
        Disbursement.objects.filter(project__in=projects, status=DisbursementStatus.APPROVED)
        .values("project")
        .annotate(total=Sum("amount_fen"))
        .values_list("project", "total")
    )
    allocated = dict(
        Allocation.objects.filter(disbursement__project__in=projects)
        .values("disbursement__project")
        .annotate(total=Sum("amount_fen"))
        .values_list("disbursement__project", "total")
    )
    figures = {}
    for row in public:
        pk = row["pk"]
        entry = entries.get(pk, {})
        donation = donations.get(pk, {})
        figures[pk] = {
            "title": row["title"],
            "raised_fen": (
                row["raised_fen"],
                entry.get("donation", 0),
                donation.get("received", 0),
            ),
            "refunded_fen": (
                row["refunded_fen"],
                entry.get("refund", 0),
                donation.get("refunded", 0),
            ),
            "spent_fen": (row["spent_fen"], entry.get("disbursement", 0), spent.get(pk, 0)),
            "allocated_fen": (
                row["spent_fen"],
                donation.get("allocated", 0),
                allocated.get(pk, 0),
            ),
            "balance_fen": (
                row["raised_fen"] - row["refunded_fen"] - row["spent_fen"],
                last_balances.get(pk, 0),
                entry.get("donation", 0) - entry.get("refund", 0) - entry.get("disbursement", 0),
            ),
        }
    return figures


def _figures_at_one_moment(project_ids=None) -> dict[int, dict[str, int]]:
    """The figures read in one snapshot: money entered while they are read is in all or none.

    Each figure is its own query; under PostgreSQL's default READ COMMITTED every query
    sees what committed before it, so a gift entered mid-proof was in the counters but
    not in the entries read a moment earlier: a false alarm to the office.
    """
    connection = transaction.get_connection()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _figures(project_ids)


def ledger_problems(project_ids=None) -> list[dict]:
    """Every public figure that differs from the rows behind it (empty: all reconcile)."""
    problems = []
    for pk, figures in _figures_at_one_moment(project_ids).items():
        for name, values in figures.items():
            if name == "title":
                continue
            if len(set(values)) != 1:
                problems.append(
                    {
                        "project": pk,
                        "title": figures["title"],
                        "figure": name,
                        "shown": values[0],
                        "ledger": values[1],
                        "records": values[2],
                    }
                )
    return problems


# The figures as the office knows them, for the alert.
FIGURE_LABELS = {
    "raised_fen": _("累计收到捐赠"),
    "refunded_fen": _("累计退款"),
    "spent_fen": _("累计支出"),
    "allocated_fen": _("已分配到捐赠的支出"),
    "balance_fen": _("余额"),
}


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}" if fen >= 0 else "-" + _yuan(-fen)


def ledger_prove() -> LedgerProof:
    """The nightly proof: every public balance equals its ledger; alert the office if not."""
    problems = ledger_problems()
    proof = LedgerProof.objects.create(projects_checked=Project.objects.count(), problems=problems)
    if problems:
        logger.error("charity ledger does not reconcile", extra={"problems": problems})
        office = (
            get_user_model()
            .objects.filter(
                is_active=True, groups__name__in=[Role.OFFICE_ADMIN, Role.CHARITY_REVIEWER]
            )
            .distinct()
        )
        lines = [
            gettext(
                "项目“%(title)s”（编号 %(project)s）的%(figure)s：公开的数字 %(shown)s 元，"
                "账目合计 %(ledger)s 元，明细合计 %(records)s 元。"
            )
            % {
                **problem,
                "figure": FIGURE_LABELS.get(problem["figure"], problem["figure"]),
                "shown": _yuan(problem["shown"]),
                "ledger": _yuan(problem["ledger"]),
                "records": _yuan(problem["records"]),
            }
            for problem in problems
        ]
        with transaction.atomic():
            notify(
                source=proof,
                recipients=office,
                channels=["email"],
                subject=gettext("乐善365 账目核对发现 %(count)s 处不一致")
                % {"count": len(problems)},
                body="\n".join(lines),
            )
    else:
        logger.info("charity ledger reconciles", extra={"projects": proof.projects_checked})
    return proof


def project_ledger_counts(project_id: int) -> dict[str, int]:
    """How many rows stand behind each public figure of a project."""
    return LedgerEntry.objects.filter(project_id=project_id).aggregate(
        donation=Count("pk", filter=Q(kind=EntryKind.DONATION)),
        refund=Count("pk", filter=Q(kind=EntryKind.REFUND)),
        disbursement=Count("pk", filter=Q(kind=EntryKind.DISBURSEMENT)),
    )
