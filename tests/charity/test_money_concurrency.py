"""What the database itself guarantees about money, and what holds when requests collide.

The races run on PostgreSQL with real threads, each on its own connection, and the first
writer slowed inside its transaction so the second truly waits on its locks (the slowing
wraps the real function, it replaces nothing). The append-only ledger, the non-negative
balance and the column lengths are checked on whichever database the run uses: the
embedded SQLite default has hand-written triggers, PostgreSQL pgtrigger's.
"""

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

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
    PaymentNotice,
    Project,
    ProjectStatus,
)
from charity.payments.simulated import SimulatedGateway
from charity.services import disbursements as disbursement_services
from charity.services import donations as donation_services
from charity.services import imports as import_services
from tests.support import require_service

from . import makers
from .test_money_disbursements import platform_gifts, platform_project, record
from .test_money_imports import csv_upload, moment
from .test_money_own_channel import pay, receive, start

# --- racing --------------------------------------------------------------------------------


def race(*steps: Callable[[], object]) -> list[tuple[str, object]]:
    """Run each step in its own thread, released together; ("ok", result) or ("error", exc)."""
    barrier = threading.Barrier(len(steps))
    results: list[tuple[str, object]] = [("missing", None)] * len(steps)

    def run(index: int, step: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", step())
        except Exception as exc:
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    return results


@contextmanager
def slowed(module, name: str, seconds: float = 0.4, *, before: bool = False):
    """Hold the first writer inside its transaction a while after (or before) ``module.name``."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        if before:
            time.sleep(seconds)
        result = original(*args, **kwargs)
        if not before:
            time.sleep(seconds)
        return result

    # A plain function, so that patched onto a class it is bound like the method it wraps.
    with mock.patch.object(module, name, new=slow):
        yield


@pytest.fixture
def on_postgres(transactional_db):
    require_service(
        connection.vendor == "postgresql", "concurrent writes need PostgreSQL (DATABASE_URL)"
    )


@pytest.fixture
def own_project(on_postgres):
    return makers.project(
        makers.organisation(),
        status=ProjectStatus.FUNDRAISING,
        donation_channel="own",
        payment_provider="simulated",
    )


@pytest.fixture
def recorder(django_user_model):
    return django_user_model.objects.create_user(username="recorder", password="x" * 16)


@pytest.fixture
def approver(django_user_model):
    return django_user_model.objects.create_user(username="approver", password="x" * 16)


def outcomes(results) -> list:
    assert all(kind == "ok" for kind, _ in results), results
    return sorted(str(value) for _, value in results)


# --- races on PostgreSQL -------------------------------------------------------------------


@pytest.mark.postgres
def test_two_identical_notifications_at_once_enter_the_gift_once(own_project):
    donation, _ = start(own_project, "50")
    headers, body = pay(donation)

    with slowed(donation_services, "entry_append"):
        results = race(lambda: receive(headers, body), lambda: receive(headers, body))

    assert outcomes(results) == [NoticeOutcome.ALREADY, NoticeOutcome.APPLIED]
    own_project.refresh_from_db()
    assert own_project.raised_fen == 5000
    assert LedgerEntry.objects.filter(donation=donation).count() == 1
    assert sorted(PaymentNotice.objects.values_list("outcome", flat=True)) == [
        NoticeOutcome.ALREADY,
        NoticeOutcome.APPLIED,
    ]
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_a_notification_racing_the_donors_return_enters_the_gift_once(own_project):
    donation, _ = start(own_project, "50")
    headers, body = pay(donation)

    with slowed(donation_services, "entry_append"):
        results = race(
            lambda: receive(headers, body),
            lambda: services.donation_refresh(reference=donation.reference).status,
        )

    assert all(kind == "ok" for kind, _ in results), results
    assert results[0][1] in (NoticeOutcome.APPLIED, NoticeOutcome.ALREADY)
    assert results[1][1] == DonationStatus.PAID
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert LedgerEntry.objects.filter(donation=donation).count() == 1
    own_project.refresh_from_db()
    assert own_project.raised_fen == 5000
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_two_approvals_that_together_exceed_the_balance_let_exactly_one_through(
    on_postgres, recorder, approver
):
    project = platform_project()
    platform_gifts(project, recorder, ("G1", 10_000, timedelta(hours=1)))
    first = record(project, 6_000, recorder)
    second = record(project, 6_000, recorder)  # each fits alone

    def approve(disbursement):
        return lambda: (
            services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver).status
        )

    with slowed(disbursement_services, "entry_append"):
        results = race(approve(first), approve(second))

    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, services.CharityRefused)
    assert [e.code for e in error.error_dict["amount_fen"]] == ["above_balance"]
    assert sorted(Disbursement.objects.values_list("status", flat=True)) == [
        DisbursementStatus.APPROVED,
        DisbursementStatus.PENDING,
    ]
    project.refresh_from_db()
    assert project.spent_fen == 6_000
    assert project.balance_fen == 4_000
    assert Allocation.objects.count() == 1
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_an_approval_that_waited_for_the_lock_judges_and_allocates_at_one_moment(
    on_postgres, recorder, approver, settings
):
    # A two-second cancel window, so a gift settles while the second approval waits.
    settings.CHARITY_CANCEL_MINUTES = 2 / 60
    project = platform_project()
    platform_gifts(project, recorder, ("OLD", 2_000, timedelta(hours=1)))
    first = record(project, 1_500, recorder)
    second = record(project, 1_000, recorder)  # each fits the 20 yuan settled now
    platform_gifts(project, recorder, ("LATE", 500, timedelta(hours=1)))
    # Paid just now: inside its window when both approvals start, settled when the
    # second one gets the project lock.
    Donation.objects.filter(platform_row_id="LATE").update(paid_at=timezone.now())

    def approve(disbursement):
        return lambda: (
            services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver).status
        )

    with slowed(disbursement_services, "entry_append", seconds=3):
        results = race(approve(first), approve(second))

    # Whichever went second saw 5 yuan left of OLD plus LATE, now settled: enough for
    # either. It must allocate against the same moment it checked the balance at.
    assert outcomes(results) == [DisbursementStatus.APPROVED, DisbursementStatus.APPROVED]
    project.refresh_from_db()
    assert project.spent_fen == 2_500
    assert Donation.objects.get(platform_row_id="LATE").allocated_fen == 500
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_a_cancel_racing_a_replayed_notification_refunds_once(own_project):
    donation, _ = start(own_project, "20")
    headers, body = pay(donation)
    assert receive(headers, body) == NoticeOutcome.APPLIED

    with slowed(donation_services, "entry_append"):
        results = race(
            lambda: services.donation_cancel(reference=donation.reference).status,
            lambda: receive(headers, body),
        )

    assert all(kind == "ok" for kind, _ in results), results
    assert results[0][1] == DonationStatus.REFUNDED
    assert results[1][1] == NoticeOutcome.ALREADY
    donation.refresh_from_db()
    own_project.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert sorted(LedgerEntry.objects.filter(donation=donation).values_list("kind", flat=True)) == [
        EntryKind.DONATION,
        EntryKind.REFUND,
    ]
    assert (own_project.raised_fen, own_project.refunded_fen, own_project.balance_fen) == (
        2000,
        2000,
        0,
    )
    assert SimulatedGateway().order(donation.reference).state == "REFUND"
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_a_cancel_at_the_end_of_its_window_racing_an_approval_does_not_deadlock(
    own_project, recorder, approver
):
    old, _ = start(own_project, "10")
    receive(*pay(old))
    Donation.objects.filter(pk=old.pk).update(paid_at=F("paid_at") - timedelta(hours=1))
    late, _ = start(own_project, "10")
    receive(*pay(late))
    disbursement = record(own_project, 1_000, recorder)  # fits OLD alone
    # LATE's window closes one second from now: the cancel starts inside it, the approval
    # (started later) finds LATE settled and would draw on it.
    Donation.objects.filter(pk=late.pk).update(
        paid_at=timezone.now() - timedelta(minutes=10) + timedelta(seconds=1)
    )

    def cancel():
        return services.donation_cancel(reference=late.reference).status

    def approve():
        time.sleep(1.3)
        return services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver).status

    # The provider takes its time to refund, as a real one over the network may.
    with slowed(SimulatedGateway, "refund", seconds=2):
        results = race(cancel, approve)

    assert all(kind == "ok" for kind, _ in results), results
    late.refresh_from_db()
    # Whatever the order, the books and the provider agree about LATE.
    gateway_state = SimulatedGateway().order(late.reference).state
    assert (late.status == DonationStatus.REFUNDED) == (gateway_state == "REFUND")
    assert results == [("ok", DonationStatus.REFUNDED), ("ok", DisbursementStatus.APPROVED)]
    assert list(Allocation.objects.values_list("donation", "amount_fen")) == [(old.pk, 1_000)]
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_a_cancel_racing_the_first_notification_neither_deadlocks_nor_enters_twice(own_project):
    donation, _ = start(own_project, "20")
    headers, body = pay(donation)

    def cancel_a_little_later():
        time.sleep(0.2)
        try:
            return services.donation_cancel(reference=donation.reference).status
        except services.CharityRefused as refused:
            return refused.code

    # The notice holds its locks a while before it enters the gift in the ledger.
    with slowed(donation_services, "entry_append", seconds=1, before=True):
        results = race(lambda: receive(headers, body), cancel_a_little_later)

    assert all(kind == "ok" for kind, _ in results), results
    assert results[0][1] == NoticeOutcome.APPLIED
    donation.refresh_from_db()
    # The cancel waited for the notice, then refunded the gift it entered.
    assert results[1][1] == DonationStatus.REFUNDED
    assert donation.status == DonationStatus.REFUNDED
    own_project.refresh_from_db()
    assert (own_project.raised_fen, own_project.refunded_fen) == (2000, 2000)
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_the_proof_reads_one_moment_while_money_moves(own_project):
    from charity.services import ledger as ledger_services

    donation, _ = start(own_project, "20")
    headers, body = pay(donation)
    original, calls = ledger_services.Coalesce, []

    def coalesce_then_wait(*args, **kwargs):
        # The proof has read the ledger entries and is about to read the donations.
        calls.append(1)
        if len(calls) == 4:
            time.sleep(1)
        return original(*args, **kwargs)

    def notice_meanwhile():
        time.sleep(0.3)
        return receive(headers, body)

    with mock.patch.object(ledger_services, "Coalesce", new=coalesce_then_wait):
        results = race(services.ledger_problems, notice_meanwhile)

    # A gift entered during the proof is seen by every figure or by none: no false alarm.
    assert results == [("ok", []), ("ok", NoticeOutcome.APPLIED)]
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_two_cancels_at_once_refund_once(own_project):
    donation, _ = start(own_project, "20")
    receive(*pay(donation))

    def cancel():
        return services.donation_cancel(reference=donation.reference).status

    with slowed(donation_services, "entry_append"):
        results = race(cancel, cancel)

    assert outcomes(results) == [DonationStatus.REFUNDED, DonationStatus.REFUNDED]
    assert LedgerEntry.objects.filter(donation=donation, kind=EntryKind.REFUND).count() == 1
    own_project.refresh_from_db()
    assert own_project.refunded_fen == 2000
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_overlapping_imports_at_once_enter_each_row_once(on_postgres, recorder):
    project = platform_project()
    when = moment()
    monday = csv_upload(f"A,{when},10", f"B,{when},20")
    tuesday = csv_upload(f"B,{when},20", f"C,{when},30")

    def run(upload):
        return lambda: (
            services.platform_import(
                project_id=project.pk,
                upload=upload,
                source="export",
                stated_total_fen=6_000,
                actor=recorder,
            ).rows_added
        )

    with slowed(import_services, "entry_append"):
        results = race(run(monday), run(tuesday))

    # Both files are good: neither may fail on the other's rows (no IntegrityError).
    assert outcomes(results) == ["1", "2"]
    assert sorted(
        Donation.objects.filter(project=project).values_list("platform_row_id", flat=True)
    ) == ["A", "B", "C"]
    project.refresh_from_db()
    assert project.raised_fen == 6_000
    assert services.ledger_problems() == []


@pytest.mark.postgres
def test_the_same_file_imported_twice_at_once_is_entered_once(on_postgres, recorder):
    project = platform_project()
    data = f"A,{moment()},10\nB,{moment()},20"

    def run():
        return services.platform_import(
            project_id=project.pk,
            upload=csv_upload(*data.split("\n")),
            source="export",
            stated_total_fen=3_000,
            actor=recorder,
        ).rows_added

    with slowed(import_services, "entry_append"):
        results = race(run, run)

    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, services.CharityRefused), error
    assert [e.code for e in error.error_dict["file"]] == ["import_duplicate_file"]
    project.refresh_from_db()
    assert project.raised_fen == 3_000
    assert project.imports.count() == 1


# --- what the database refuses, on either database -----------------------------------------


@pytest.fixture
def ledger(db, recorder, approver):
    """A project with a gift, a disbursement and its allocation on the ledger."""
    project = platform_project()
    platform_gifts(project, recorder, ("G1", 10_000, timedelta(hours=1)))
    disbursement = record(project, 4_000, recorder)
    services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver)
    project.refresh_from_db()
    return project


def test_ledger_entries_cannot_be_changed_or_deleted(ledger):
    entries = LedgerEntry.objects.filter(project=ledger)
    before = list(entries.values_list("pk", "kind", "amount_fen", "balance_after_fen"))
    assert len(before) == 2

    with pytest.raises(DatabaseError), transaction.atomic():
        entries.update(amount_fen=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        entries.filter(kind=EntryKind.DISBURSEMENT).delete()
    entry = entries.first()
    entry.amount_fen += 100
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()

    assert list(entries.values_list("pk", "kind", "amount_fen", "balance_after_fen")) == before


def test_allocations_cannot_be_changed_or_deleted(ledger):
    with pytest.raises(DatabaseError), transaction.atomic():
        Allocation.objects.update(amount_fen=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Allocation.objects.all().delete()
    assert list(Allocation.objects.values_list("amount_fen", flat=True)) == [4_000]


@pytest.mark.parametrize(
    "change",
    [
        {"spent_fen": F("spent_fen") + 6_001},
        {"refunded_fen": F("refunded_fen") + 6_001},
        {"raised_fen": F("raised_fen") - 6_001},
    ],
)
def test_the_database_refuses_a_balance_below_zero(ledger, change):
    assert ledger.balance_fen == 6_000
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=ledger.pk).update(**change)
    ledger.refresh_from_db()
    assert ledger.balance_fen == 6_000


def test_a_balance_of_exactly_zero_is_allowed(ledger):
    Project.objects.filter(pk=ledger.pk).update(spent_fen=F("spent_fen") + 6_000)
    ledger.refresh_from_db()
    assert ledger.balance_fen == 0


# --- column lengths: the service refuses before the database would ------------------------


@pytest.fixture
def own(db):
    return makers.project(
        makers.organisation(),
        status=ProjectStatus.FUNDRAISING,
        donation_channel="own",
        payment_provider="simulated",
    )


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"donor_name": "王" * 31}, "donor_name", "donor_name_too_long"),
        ({"donor_name": "Wang " * 6 + "X"}, "donor_name", "donor_name_too_long"),
        ({"message": "好" * 201}, "message", "message_too_long"),
        ({"contact": "a" * 60 + "@" + "b" * 50 + ".example.com"}, "contact", "contact_too_long"),
        ({"contact": "not-an-address@"}, "contact", "contact_invalid"),
        ({"contact": "1381234567"}, "contact", "contact_invalid"),
    ],
)
def test_over_long_donor_fields_are_refused_by_the_service(own, fields, field, code):
    with pytest.raises(services.CharityRefused) as refused:
        services.donation_draft_check(project=own, amount="10", **fields)
    assert [e.code for e in refused.value.error_dict[field]] == [code]
    assert not Donation.objects.exists()


def test_the_longest_donor_fields_fit_the_database(own):
    address = "a" * 80 + "@example.com"
    draft = services.donation_draft_check(
        project=own,
        amount="10",
        donor_name="王" * 30,
        message="好" * 200,
        contact=address + "  ",
    )
    donation, _ = services.donation_start(draft=draft, return_url_for=lambda ref: "/")
    donation.refresh_from_db()
    assert (len(donation.donor_name), len(donation.message), donation.contact) == (
        30,
        200,
        address,
    )


def test_a_mobile_contact_is_stored_as_its_eleven_digits(own):
    draft = services.donation_draft_check(project=own, amount="10", contact="138 1234 5678")
    assert draft.contact == "13812345678"


def test_expired_and_pending_orders_keep_their_shape_in_the_database(own):
    donation, _ = start(own, "10")
    assert services.donations_expire(now=timezone.now() + timedelta(hours=1)) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Donation.objects.filter(pk=donation.pk).update(status=DonationStatus.PAID)
    donation.refresh_from_db()
    assert donation.status == DonationStatus.EXPIRED
