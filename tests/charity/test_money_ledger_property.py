"""Property: under any sequence of money operations, every balance is money in minus money
out, and never below zero.

Hypothesis draws a sequence of up to a dozen steps, run through the real services against
two projects (one taking gifts on the organisation's own channel through the simulated
gateway, one importing a platform's donation lists):

- a donation started and paid, its notice delivered, lost (found later by query) or never
  paid at all;
- a notification replayed, verbatim or freshly signed;
- a cancel, allowed exactly when the gift is paid, own-channel and inside its window;
- expiry of unpaid orders (a paid one whose notice was lost is entered instead);
- an import of random rows from a pool of platform row ids (overlapping what is known,
  sometimes with a changed amount, which refuses the whole file), or the last file again;
- a disbursement recorded by one reviewer and approved (or refused) by another, refused
  exactly when it is above ``available_fen``;
- time moving on: gifts' ``paid_at`` moved back past the cancel window.

A model kept by the test predicts each outcome, and after every step the test checks: each
project's counters equal its ledger entries' sums and the model's figures; the balance is
money in − refunds − money out, never negative, and equals the last entry's running
balance; ``ledger_problems()`` is empty; allocations add up to what was spent; no gift is
allocated above its amount; a refunded gift has no allocation; paid gifts have exactly one
entry in, refunded ones one entry in and one refund.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Sum
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from charity import services
from charity.models import (
    Allocation,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationStatus,
    EntryKind,
    LedgerEntry,
    NoticeOutcome,
    Project,
    ProjectStatus,
)
from charity.payments.simulated import SimulatedGateway

from . import makers
from .test_money_disbursements import disbursement_input

# The platform's row ids and what each row is worth; a "changed" row is worth 1 fen more.
ROW_AMOUNTS = {f"R{number}": 100 * (number + 1) + 37 for number in range(8)}
CANCEL_WINDOW = timedelta(minutes=10)


def refusal_code(call) -> str | None:
    """Run a service call; the code of its refusal (a field's first code), or None."""
    try:
        call()
    except services.CharityRefused as refused:
        if hasattr(refused, "error_dict"):
            return next(iter(refused.error_dict.values()))[0].code
        return refused.code
    return None


# --- the steps -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Donate:
    fen: int
    contact: int  # which of three donors, or -1 for none
    payment: str  # "notice", "lost" (paid, notice never arrives), "unpaid"


@dataclass(frozen=True)
class Replay:
    pick: int
    verbatim: bool


@dataclass(frozen=True)
class Cancel:
    pick: int


@dataclass(frozen=True)
class Expire:
    pass


@dataclass(frozen=True)
class Import:
    rows: tuple[tuple[str, int, bool], ...]  # (row id, minutes ago, amount changed)


@dataclass(frozen=True)
class ImportLastAgain:
    pass


@dataclass(frozen=True)
class Disburse:
    own_project: bool
    share: int  # per cent of what is available (above 100: more than there is)
    approve: bool


@dataclass(frozen=True)
class Age:
    pick: int  # counted from the latest gift
    everyone: bool


donate = st.builds(
    Donate,
    fen=st.integers(100, 20_000),
    contact=st.integers(-1, 2),
    payment=st.sampled_from(["notice", "notice", "lost", "unpaid"]),
)
disburse = st.builds(
    Disburse,
    own_project=st.booleans(),
    share=st.sampled_from([1, 37, 99, 100, 101, 150]) | st.integers(1, 130),
    approve=st.sampled_from([True, True, False]),
)
import_rows = st.builds(
    Import,
    rows=st.lists(
        st.tuples(
            st.sampled_from(sorted(ROW_AMOUNTS)),
            st.integers(1, 300),
            st.sampled_from([False, False, False, True]),  # mostly the true amount
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda row: row[0],
    ).map(tuple),
)
cancel = st.builds(Cancel, pick=st.integers(0, 3))
# Weighted (by repetition in sampled_from; one_of would merge repeated branches): money
# must come in, and settle, for disbursements to have something to draw on.
steps = st.sampled_from(
    [donate] * 3
    + [import_rows] * 3
    + [disburse] * 4
    + [cancel] * 2
    + [
        st.builds(Replay, pick=st.integers(0, 3), verbatim=st.booleans()),
        st.just(Expire()),
        st.just(ImportLastAgain()),
        st.builds(Age, pick=st.integers(0, 3), everyone=st.booleans()),
        st.builds(Age, pick=st.integers(0, 3), everyone=st.just(True)),
    ]
).flatmap(lambda step: step)


# --- what the test expects -----------------------------------------------------------------


@dataclass
class Gift:
    pk: int
    reference: str
    fen: int
    status: str
    paid_at_gateway: bool = False
    notice: tuple | None = None


@dataclass
class Expected:
    raised: dict[int, int] = field(default_factory=dict)
    refunded: dict[int, int] = field(default_factory=dict)
    spent: dict[int, int] = field(default_factory=dict)
    gifts: list[Gift] = field(default_factory=list)
    platform_rows: dict[str, int] = field(default_factory=dict)
    last_file: bytes | None = None


class LedgerUnderAnySequence(TestCase):
    @classmethod
    def setUpTestData(cls):
        organisation = makers.organisation()
        cls.own = makers.project(
            organisation,
            status=ProjectStatus.FUNDRAISING,
            donation_channel="own",
            payment_provider="simulated",
            district="330302",
        )
        cls.platform = makers.project(
            organisation,
            status=ProjectStatus.FUNDRAISING,
            donation_channel="platform",
            donation_url="https://gongyi.qq.com/succor/detail.htm?id=7",
            district="330303",
        )
        users = get_user_model().objects
        cls.recorder = users.create_user(username="zhang_wei", password="x" * 16)
        cls.approver = users.create_user(username="li_na", password="x" * 16)
        SimulatedGateway().signing_key()  # made once, not once per example

    @settings(
        max_examples=40,
        deadline=None,
        database=None,  # no example database written into the shared checkout
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sequence=st.lists(steps, min_size=4, max_size=14))
    def test_every_balance_is_money_in_minus_money_out_and_never_negative(self, sequence):
        expected = Expected(
            raised={self.own.pk: 0, self.platform.pk: 0},
            refunded={self.own.pk: 0, self.platform.pk: 0},
            spent={self.own.pk: 0, self.platform.pk: 0},
        )
        for step in sequence:
            getattr(self, "step_" + type(step).__name__.lower())(step, expected)
            self.check(expected, after=step)

    # --- steps ------------------------------------------------------------------------------

    def step_donate(self, step: Donate, expected: Expected) -> None:
        contact = "" if step.contact < 0 else f"1381234567{step.contact}"
        draft = services.donation_draft_check(
            project=self.own, amount=services.fen_display(step.fen), contact=contact
        )
        donation, _ = services.donation_start(draft=draft, return_url_for=lambda ref: "/")
        gift = Gift(donation.pk, donation.reference, step.fen, DonationStatus.PENDING)
        expected.gifts.append(gift)
        if step.payment == "unpaid":
            return
        gateway = SimulatedGateway()
        assert gateway.pay(donation.reference)
        gift.paid_at_gateway = True
        if step.payment == "notice":
            gift.notice = gateway.notice(donation.reference)
            outcome = services.donation_notice_receive(
                provider_code="simulated", headers=gift.notice[0], body=gift.notice[1]
            )
            assert outcome == NoticeOutcome.APPLIED
            self.entered(gift, expected)

    def step_replay(self, step: Replay, expected: Expected) -> None:
        paid = [gift for gift in expected.gifts if gift.paid_at_gateway]
        if not paid:
            return
        gift = paid[-1 - step.pick % len(paid)]  # the latest most often
        if step.verbatim and gift.notice:
            headers, body = gift.notice
        else:
            headers, body = SimulatedGateway().notice(gift.reference)
        outcome = services.donation_notice_receive(
            provider_code="simulated", headers=headers, body=body
        )
        if gift.status in (DonationStatus.PENDING, DonationStatus.EXPIRED):
            # The notice that was lost arrives at last: the money is entered now.
            assert outcome == NoticeOutcome.APPLIED
            self.entered(gift, expected)
        else:
            assert outcome == NoticeOutcome.ALREADY

    def step_cancel(self, step: Cancel, expected: Expected) -> None:
        if not expected.gifts:
            return
        gift = expected.gifts[-1 - step.pick % len(expected.gifts)]  # latest most often
        donation = Donation.objects.get(pk=gift.pk)
        in_window = (
            donation.paid_at is not None and timezone.now() <= donation.paid_at + CANCEL_WINDOW
        )
        may_cancel = gift.status == DonationStatus.PAID and in_window
        refusal = refusal_code(lambda: services.donation_cancel(reference=gift.reference))
        event(f"cancel refused: {refusal}" if refusal else "cancel refunded or already refunded")
        if gift.status == DonationStatus.REFUNDED:
            assert refusal is None  # a second cancel answers with the refunded gift
            return
        assert (refusal is None) == may_cancel, f"cancel of {gift}: {refusal}"
        if may_cancel:
            gift.status = DonationStatus.REFUNDED
            expected.refunded[self.own.pk] += gift.fen

    def step_expire(self, step: Expire, expected: Expected) -> None:
        expired = services.donations_expire(now=timezone.now() + timedelta(hours=1))
        unpaid = 0
        for gift in expected.gifts:
            if gift.status != DonationStatus.PENDING:
                continue
            if gift.paid_at_gateway:
                self.entered(gift, expected)  # found by the query expiry makes first
            else:
                gift.status = DonationStatus.EXPIRED
                unpaid += 1
        assert expired == unpaid

    def step_import(self, step: Import, expected: Expected) -> None:
        lines = ["流水号,捐赠时间,金额"]
        now = timezone.now()
        for row_id, minutes_ago, changed in step.rows:
            fen = ROW_AMOUNTS[row_id] + (1 if changed else 0)
            when = timezone.localtime(now - timedelta(minutes=minutes_ago))
            lines.append(f"{row_id},{when:%Y-%m-%d %H:%M:%S},{services.fen_display(fen)}")
        self.run_import("\n".join(lines).encode(), step.rows, expected)

    def step_importlastagain(self, step: ImportLastAgain, expected: Expected) -> None:
        if expected.last_file is None:
            return
        before = self.platform_state()
        assert refusal_code(lambda: self.import_file(expected.last_file)) == (
            "import_duplicate_file"
        )
        assert self.platform_state() == before

    def step_disburse(self, step: Disburse, expected: Expected) -> None:
        project = Project.objects.get(pk=self.own.pk if step.own_project else self.platform.pk)
        available = services.available_fen(project)
        assert available == self.expected_available(project, expected)
        fen = max(available * step.share // 100, 1) if available else step.share
        recorded = []
        refusal = refusal_code(
            lambda: recorded.append(
                services.disbursement_record(
                    data=disbursement_input(project, fen), actor=self.recorder
                )
            )
        )
        # Refused exactly when above what is available, and for that reason.
        assert refusal == ("above_balance" if fen > available else None), (fen, available)
        if refusal:
            event("disbursement refused above the balance")
            return
        (disbursement,) = recorded
        if not step.approve:
            services.disbursement_refuse(
                disbursement_id=disbursement.pk, actor=self.approver, reason="凭证不清晰"
            )
            return
        available = services.available_fen(project)
        refusal = refusal_code(
            lambda: services.disbursement_approve(
                disbursement_id=disbursement.pk, actor=self.approver
            )
        )
        assert refusal == ("above_balance" if fen > available else None), (fen, available)
        if refusal is None:
            event("disbursement approved")
            expected.spent[project.pk] += fen

    def step_age(self, step: Age, expected: Expected) -> None:
        gifts = Donation.objects.filter(paid_at__isnull=False)
        if not step.everyone:
            pks = list(gifts.order_by("pk").values_list("pk", flat=True))
            if not pks:
                return
            gifts = gifts.filter(pk=pks[step.pick % len(pks)])
        gifts.update(paid_at=F("paid_at") - CANCEL_WINDOW - timedelta(minutes=1))

    # --- helpers ----------------------------------------------------------------------------

    def entered(self, gift: Gift, expected: Expected) -> None:
        gift.status = DonationStatus.PAID
        expected.raised[self.own.pk] += gift.fen

    def import_file(self, data: bytes):
        return services.platform_import(
            project_id=self.platform.pk,
            upload=SimpleUploadedFile("export.csv", data, content_type="text/csv"),
            source="export",
            stated_total_fen=0,
            actor=self.recorder,
        )

    def run_import(self, data: bytes, rows, expected: Expected) -> None:
        before = self.platform_state()
        conflict = any(
            row_id in expected.platform_rows
            and expected.platform_rows[row_id] != ROW_AMOUNTS[row_id] + int(changed)
            for row_id, _, changed in rows
        )
        batches = []
        refusal = refusal_code(lambda: batches.append(self.import_file(data)))
        if refusal:
            event(f"import refused: {refusal}")
            # Two import steps within one second may write the very same file.
            assert refusal == ("import_conflict" if conflict else "import_duplicate_file")
            assert self.platform_state() == before
            return
        assert not conflict, "a row known with another amount was imported"
        new = [
            (row_id, changed) for row_id, _, changed in rows if row_id not in expected.platform_rows
        ]
        assert batches[0].rows_added == len(new)
        event("import added rows" if new else "import added nothing new")
        for row_id, changed in new:
            fen = ROW_AMOUNTS[row_id] + int(changed)
            expected.platform_rows[row_id] = fen
            expected.raised[self.platform.pk] += fen
        expected.last_file = data

    def platform_state(self) -> tuple:
        return (
            Donation.objects.filter(project=self.platform).count(),
            LedgerEntry.objects.filter(project=self.platform).count(),
            Project.objects.get(pk=self.platform.pk).raised_fen,
        )

    def expected_available(self, project: Project, expected: Expected) -> int:
        cutoff = timezone.now() - CANCEL_WINDOW
        settled = (
            Donation.objects.filter(
                project=project, status=DonationStatus.PAID, paid_at__lte=cutoff
            ).aggregate(total=Sum("amount_fen"))["total"]
            or 0
        )
        return settled - expected.spent[project.pk]

    # --- the invariants -----------------------------------------------------------------------

    def check(self, expected: Expected, *, after) -> None:
        context = f"after {after!r}"
        assert services.ledger_problems() == [], context
        for project in Project.objects.filter(pk__in=[self.own.pk, self.platform.pk]):
            entries = LedgerEntry.objects.filter(project=project)
            sums = {
                kind: entries.filter(kind=kind).aggregate(total=Sum("amount_fen"))["total"] or 0
                for kind in EntryKind.values
            }
            assert project.raised_fen == sums[EntryKind.DONATION], context
            assert project.refunded_fen == sums[EntryKind.REFUND], context
            assert project.spent_fen == sums[EntryKind.DISBURSEMENT], context
            money_in = sums[EntryKind.DONATION]
            money_out = sums[EntryKind.REFUND] + sums[EntryKind.DISBURSEMENT]
            assert project.balance_fen == money_in - money_out, context
            assert project.balance_fen >= 0, context
            assert (project.raised_fen, project.refunded_fen, project.spent_fen) == (
                expected.raised[project.pk],
                expected.refunded[project.pk],
                expected.spent[project.pk],
            ), context
            running = 0
            for entry in entries.order_by("pk"):
                running += (
                    entry.amount_fen if entry.kind == EntryKind.DONATION else -entry.amount_fen
                )
                assert running >= 0, context
                assert entry.balance_after_fen == running, context
            assert running == project.balance_fen, context
            allocated = (
                Allocation.objects.filter(disbursement__project=project).aggregate(
                    total=Sum("amount_fen")
                )["total"]
                or 0
            )
            assert allocated == project.spent_fen, context
            approved = Disbursement.objects.filter(
                project=project, status=DisbursementStatus.APPROVED
            ).aggregate(total=Sum("amount_fen"))["total"]
            assert (approved or 0) == project.spent_fen, context

        statuses = dict(Donation.objects.values_list("pk", "status"))
        for gift in expected.gifts:
            assert statuses[gift.pk] == gift.status, f"{context}: {gift}"
        for donation in Donation.objects.all():
            allocations = donation.allocations.aggregate(total=Sum("amount_fen"))["total"] or 0
            assert donation.allocated_fen == allocations, context
            assert donation.allocated_fen <= donation.amount_fen, context
            kinds = sorted(donation.entries.values_list("kind", flat=True))
            if donation.status == DonationStatus.REFUNDED:
                assert donation.allocated_fen == 0, context
                assert kinds == [EntryKind.DONATION, EntryKind.REFUND], context
            elif donation.status == DonationStatus.PAID:
                assert kinds == [EntryKind.DONATION], context
            else:
                assert kinds == [], context
