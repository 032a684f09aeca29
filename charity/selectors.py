"""Reads of charity (乐善365): the public lists, the legal calendar, and figures for the index.

The pages, the API and admin read through here; the index reads charity only through
``disclosure_punctuality_by_district`` and ``donors_by_district``. Disclosure deadlines are computed, not stored
(``charity.deadlines``), from the project dates and the published disclosures, which are
fetched in one query per kind of row.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal.metrics import metric_reading

from . import deadlines
from .models import (
    PUBLIC_PROJECT_STATUSES,
    Allocation,
    Disbursement,
    DisbursementStatus,
    Disclosure,
    DisclosureKind,
    Donation,
    DonationStatus,
    LedgerEntry,
    LedgerProof,
    MessageStatus,
    Organisation,
    OrganisationStatus,
    PactSignature,
    PactVersion,
    Project,
    ProjectStatus,
)

PUBLIC_ORGANISATION_STATUSES = (OrganisationStatus.VERIFIED, OrganisationStatus.SUSPENDED)


def organisations_public(*, district: str = "") -> QuerySet[Organisation]:
    """Verified and suspended organisations (applications and refusals are not public)."""
    rows = Organisation.objects.filter(status__in=PUBLIC_ORGANISATION_STATUSES)
    if district:
        rows = rows.filter(district=district)
    return rows.order_by("name")


def organisation_public(credit_code: str) -> Organisation | None:
    return organisations_public().filter(credit_code=credit_code.upper()).first()


def projects_public(
    *, district: str = "", cause: str = "", status: str = "", organisation=None
) -> QuerySet[Project]:
    """Published projects (raising, ended, closed) of public organisations, newest first."""
    rows = Project.objects.filter(
        status__in=PUBLIC_PROJECT_STATUSES,
        organisation__status__in=PUBLIC_ORGANISATION_STATUSES,
    ).select_related("organisation", "partner")
    if district:
        rows = rows.filter(district=district)
    if cause:
        rows = rows.filter(cause=cause)
    if status:
        rows = rows.filter(status=status)
    if organisation is not None:
        rows = rows.filter(Q(organisation=organisation) | Q(partner=organisation))
    return rows.order_by("-starts_on", "-pk")


def projects_raising(*, district: str = "", cause: str = "") -> QuerySet[Project]:
    """Projects raising now (募捐中), those ending soonest first."""
    return projects_public(
        district=district, cause=cause, status=ProjectStatus.FUNDRAISING
    ).order_by("ends_on", "pk")


def project_public(pk: int) -> Project | None:
    return (
        projects_public()
        .prefetch_related(
            Prefetch("disclosures", queryset=Disclosure.objects.order_by("-published_at")),
            "corrections",
        )
        .filter(pk=pk)
        .first()
    )


def disclosure_public(pk: int) -> Disclosure | None:
    """A disclosure of a public organisation (its file is public with it)."""
    return (
        Disclosure.objects.filter(organisation__status__in=PUBLIC_ORGANISATION_STATUSES)
        .filter(Q(project__isnull=True) | Q(project__status__in=PUBLIC_PROJECT_STATUSES))
        .filter(pk=pk)
        .first()
    )


def pact_current() -> PactVersion | None:
    """The latest published version of the pact: the one organisations must have signed."""
    return PactVersion.objects.filter(published_at__isnull=False).order_by("-number").first()


def pact_signature_latest(organisation: Organisation) -> PactSignature | None:
    return (
        PactSignature.objects.filter(organisation=organisation)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )


# --- The legal calendar ----------------------------------------------------------------


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _published(disclosures) -> list[tuple[deadlines.Kind, date, int | None]]:
    return [(deadlines.Kind(d.kind), _local_day(d.published_at), d.year) for d in disclosures]


def project_outcomes(project: Project, disclosures, today: date) -> list[deadlines.Outcome]:
    """The project's disclosure obligations and how each stands; drafts owe nothing yet."""
    if project.status not in PUBLIC_PROJECT_STATUSES:
        return []
    return deadlines.assess(
        deadlines.project_obligations(project.starts_on, project.ends_on),
        _published(disclosures),
        today,
    )


def annual_outcomes(
    organisation: Organisation, disclosures, today: date
) -> list[deadlines.Outcome]:
    """Annual reports owed from the year after the organisation was verified on the platform."""
    if organisation.verified_at is None:
        return []
    first_year = _local_day(organisation.verified_at).year
    return deadlines.assess(
        deadlines.annual_report_obligations(first_year, today), _published(disclosures), today
    )


@dataclass
class ProjectCalendar:
    project: Project
    outcomes: list[deadlines.Outcome]

    @property
    def next_due(self) -> deadlines.Outcome | None:
        return deadlines.next_due(self.outcomes)

    @property
    def overdue(self) -> list[deadlines.Outcome]:
        return deadlines.overdue(self.outcomes)


@dataclass
class OrganisationCalendar:
    """An organisation's obligations (its projects' and its annual reports) as of a day."""

    organisation: Organisation
    projects: list[ProjectCalendar]
    annual: list[deadlines.Outcome]
    punctuality: deadlines.Punctuality = field(init=False)

    def __post_init__(self) -> None:
        self.punctuality = deadlines.punctuality(self.all_outcomes)

    @property
    def all_outcomes(self) -> list[deadlines.Outcome]:
        return [o for p in self.projects for o in p.outcomes] + self.annual

    @property
    def overdue(self) -> list[tuple[Project | None, deadlines.Outcome]]:
        """What is overdue, and of which project (None: the annual report)."""
        items = [(p.project, o) for p in self.projects for o in p.overdue]
        items += [(None, o) for o in deadlines.overdue(self.annual)]
        return items


def project_calendar(project: Project, today: date | None = None) -> ProjectCalendar:
    today = today or timezone.localdate()
    disclosures = [d for d in project.disclosures.all() if d.kind != DisclosureKind.ANNUAL_REPORT]
    return ProjectCalendar(project, project_outcomes(project, disclosures, today))


def organisation_calendar(
    organisation: Organisation, today: date | None = None
) -> OrganisationCalendar:
    """Two queries: the organisation's own projects, and all its disclosures."""
    today = today or timezone.localdate()
    projects = list(
        Project.objects.filter(organisation=organisation, status__in=PUBLIC_PROJECT_STATUSES)
    )
    by_project: dict[int | None, list[Disclosure]] = defaultdict(list)
    for disclosure in Disclosure.objects.filter(organisation=organisation):
        by_project[disclosure.project_id].append(disclosure)
    return OrganisationCalendar(
        organisation=organisation,
        projects=[
            ProjectCalendar(p, project_outcomes(p, by_project[p.pk], today)) for p in projects
        ],
        annual=annual_outcomes(organisation, by_project[None], today),
    )


def disclosure_punctuality_by_district(*, start: datetime, end: datetime) -> dict[str, dict]:
    """Per district, disclosures that fell due in [start, end) and how many were on time.

    For the index: ``{"330302": {"due": 4, "on_time": 3, "rate": 75.0, "last_updated": …}}``.
    A project's obligations count in the project's district, an annual report in its
    organisation's. An obligation due in the window but met late, or still unmet after its
    due date, counts as due and not on time; one not yet due is left out. Three
    queries, whatever the number of organisations.
    """
    first_day, last_day = _local_day(start), _local_day(end)
    today = min(timezone.localdate(), last_day)
    organisations = {
        o.pk: o
        for o in Organisation.objects.filter(
            status__in=PUBLIC_ORGANISATION_STATUSES, verified_at__isnull=False
        )
    }
    projects = list(
        Project.objects.filter(
            status__in=PUBLIC_PROJECT_STATUSES, organisation_id__in=organisations
        )
    )
    disclosures: dict[tuple[int, int | None], list[Disclosure]] = defaultdict(list)
    last_updated: dict[str, datetime] = {}
    for disclosure in Disclosure.objects.filter(organisation_id__in=organisations):
        disclosures[(disclosure.organisation_id, disclosure.project_id)].append(disclosure)
    figures: dict[str, dict] = defaultdict(lambda: {"due": 0, "on_time": 0})

    def count(district: str, outcomes, rows) -> None:
        for outcome in outcomes:
            if outcome.state == deadlines.State.UPCOMING:
                continue  # not due yet (a window that ends in the future): undecided
            if not first_day <= outcome.obligation.due < last_day:
                continue
            figures[district]["due"] += 1
            if outcome.state == deadlines.State.ON_TIME:
                figures[district]["on_time"] += 1
        for row in rows:
            if district not in last_updated or row.published_at > last_updated[district]:
                last_updated[district] = row.published_at

    for project in projects:
        rows = disclosures[(project.organisation_id, project.pk)]
        count(project.district, project_outcomes(project, rows, today), rows)
    for organisation in organisations.values():
        rows = disclosures[(organisation.pk, None)]
        # Annual obligations up to the window's end, so last year's report is counted.
        outcomes = annual_outcomes(organisation, rows, today)
        count(organisation.district, outcomes, rows)
    return {
        district: {
            **row,
            "rate": 100.0 * row["on_time"] / row["due"] if row["due"] else None,
            "last_updated": last_updated.get(district),
        }
        for district, row in figures.items()
        if row["due"]
    }


# --- Money: the public ledger, receipts, figures for the index ---------------------------


def ledger_entries_public(project: Project, *, kind: str = "") -> QuerySet[LedgerEntry]:
    """A project's ledger, newest first; each row names the gift or disbursement behind it."""
    entries = LedgerEntry.objects.filter(project=project).select_related("donation", "disbursement")
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-recorded_at", "-pk")


def disbursements_public(project: Project) -> QuerySet[Disbursement]:
    """Approved disbursements of a project (recorded and refused ones stay with staff)."""
    return Disbursement.objects.filter(
        project=project, status=DisbursementStatus.APPROVED
    ).order_by("-paid_on", "-pk")


def disbursement_public(pk: int) -> Disbursement | None:
    return (
        Disbursement.objects.filter(pk=pk, status=DisbursementStatus.APPROVED)
        .select_related("project")
        .first()
    )


def donation_by_reference(reference: str) -> Donation | None:
    """The donation a receipt reference names (already normalised), with its project."""
    return (
        Donation.objects.filter(reference=reference)
        .select_related("project", "project__organisation")
        .first()
    )


def donation_allocations(donation: Donation) -> QuerySet[Allocation]:
    """Which approved disbursements this gift helped fund, and how much of it each used."""
    return (
        Allocation.objects.filter(donation=donation)
        .select_related("disbursement")
        .order_by("disbursement__paid_on", "pk")
    )


def donation_messages_shown(project: Project, *, limit: int = 20) -> QuerySet[Donation]:
    """Donors' messages a reviewer let through, newest first."""
    return Donation.objects.filter(
        project=project,
        status=DonationStatus.PAID,
        message_status=MessageStatus.SHOWN,
    ).order_by("-paid_at")[:limit]


def ledger_csv_rows(project: Project) -> Iterator[list]:
    """The project's ledger as CSV rows, oldest first (``csv_download`` makes it formula-safe)."""
    yield [
        gettext("时间"),
        gettext("类型"),
        gettext("金额（元）"),
        gettext("余额（元）"),
        gettext("凭证号或用途"),
        gettext("收款方"),
    ]
    for entry in ledger_entries_public(project).order_by("recorded_at", "pk"):
        if entry.donation_id:
            detail, payee = entry.donation.reference_display, ""
        else:
            detail, payee = entry.disbursement.purpose, entry.disbursement.payee
        yield [
            timezone.localtime(entry.recorded_at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.get_kind_display(),
            _yuan(entry.amount_fen),
            _yuan(entry.balance_after_fen),
            detail,
            payee,
        ]


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def donors_by_district(*, start: datetime, end: datetime) -> dict[str, int]:
    """Distinct donors to projects located in each district, paid in [start, end).

    For the index (donors per 10,000 residents: the index divides by its population
    table). A donor is known only by a keyed hash of their contact or platform id; a gift
    with neither counts as one donor. Refunded gifts do not count. One query.
    """
    return dict(
        Donation.objects.filter(status=DonationStatus.PAID, paid_at__gte=start, paid_at__lt=end)
        .values("project__district")
        .annotate(donors=Count("donor_key", distinct=True))
        .values_list("project__district", "donors")
    )


# --- Figures for the operators' metrics (wenzhou_portal/metrics.py) -------------------------


def ledger_proof_latest() -> LedgerProof | None:
    """The latest nightly proof that every public figure equals its ledger, if any ran."""
    return LedgerProof.objects.order_by("-ran_at", "-pk").first()


@metric_reading(
    "portal_charity_ledger_proof_problems",
    "Figures the latest ledger proof found different from their ledger (absent: never run).",
)
def ledger_proof_problem_count() -> int | None:
    """Problems the latest ledger proof found; None before the first proof."""
    proof = ledger_proof_latest()
    return None if proof is None else len(proof.problems)


@metric_reading(
    "portal_charity_ledger_proof_timestamp_seconds",
    "When the latest ledger proof ran (Unix time; absent: never run).",
)
def ledger_proof_ran_at() -> float | None:
    """When the latest ledger proof ran, as a Unix time; None before the first proof."""
    proof = ledger_proof_latest()
    return None if proof is None else proof.ran_at.timestamp()
