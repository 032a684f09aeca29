"""Disbursements: four eyes, flags for reused evidence and unusual amounts, the balance
they may draw, and first-in-first-out allocation to the gifts they spend."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from charity import selectors, services
from charity.models import (
    Allocation,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationStatus,
    LedgerEntry,
    PlatformImport,
    ProjectStatus,
)
from wenzhou_portal.roles import Role

from . import makers
from .test_money_own_channel import pay, receive, start

pytestmark = pytest.mark.django_db


# --- makers for money ----------------------------------------------------------------------


def pdf(tag: str) -> SimpleUploadedFile:
    """A small valid PDF; the tag makes its bytes (and so its hash) its own."""
    body = makers.PDF.replace(b"%%EOF", f"% {tag}\n%%EOF".encode())
    return SimpleUploadedFile(f"{tag}.pdf", body, content_type="application/pdf")


def disbursement_input(
    project, amount_fen: int, *, tag: str = "", evidence=None, public_copy=None, **fields
) -> services.DisbursementInput:
    tag = tag or f"invoice-{amount_fen}-{Disbursement.objects.count()}"
    return services.DisbursementInput(
        project_id=project.pk,
        amount_fen=amount_fen,
        paid_on=fields.pop("paid_on", timezone.localdate()),
        purpose=fields.pop("purpose", "助餐食材采购"),
        payee=fields.pop("payee", "文成县放心粮油店"),
        evidence=evidence or pdf(tag),
        public_copy=public_copy or pdf(tag + "-redacted"),
    )


def record(project, amount_fen: int, actor, **fields) -> Disbursement:
    return services.disbursement_record(
        data=disbursement_input(project, amount_fen, **fields), actor=actor
    )


def platform_project(org=None, **extra):
    org = org or makers.organisation()
    return makers.project(
        org,
        status=ProjectStatus.FUNDRAISING,
        donation_channel="platform",
        donation_url="https://gongyi.qq.com/succor/detail.htm?id=1001",
        **extra,
    )


def platform_gifts(project, actor, *gifts: tuple[str, int, timedelta]) -> PlatformImport:
    """Import gifts as (row id, fen, how long ago they were paid) through the real service."""
    lines = ["流水号,捐赠时间,金额"]
    for row_id, fen, ago in gifts:
        moment = timezone.localtime(timezone.now() - ago).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"{row_id},{moment},{fen // 100}.{fen % 100:02d}")
    upload = SimpleUploadedFile("export.csv", "\n".join(lines).encode(), content_type="text/csv")
    total = sum(fen for _, fen, _ in gifts)
    return services.platform_import(
        project_id=project.pk,
        upload=upload,
        source="export",
        stated_total_fen=total,
        actor=actor,
    )


def gift(project, row_id: str) -> Donation:
    return Donation.objects.get(project=project, platform_row_id=row_id)


@pytest.fixture
def approver(make_staff):
    """李娜 is the second charity reviewer, who approves what 张伟 records."""
    return make_staff("li_na_reviewer", Role.CHARITY_REVIEWER, first_name="李娜")


@pytest.fixture
def funded(charity_reviewer):
    """A platform project holding 1,000 yuan of settled gifts."""
    project = platform_project()
    platform_gifts(project, charity_reviewer, ("A1", 100_000, timedelta(hours=2)))
    project.refresh_from_db()
    return project


# --- four eyes -----------------------------------------------------------------------------


def test_whoever_records_a_disbursement_cannot_approve_or_refuse_it(funded, charity_reviewer):
    disbursement = record(funded, 10_000, charity_reviewer)

    with pytest.raises(services.CharityRefused) as refused:
        services.disbursement_approve(disbursement_id=disbursement.pk, actor=charity_reviewer)
    assert refused.value.code == "four_eyes"
    with pytest.raises(services.CharityRefused) as refused:
        services.disbursement_refuse(
            disbursement_id=disbursement.pk, actor=charity_reviewer, reason="发票抬头不对"
        )
    assert refused.value.code == "four_eyes"

    disbursement.refresh_from_db()
    funded.refresh_from_db()
    assert disbursement.status == DisbursementStatus.PENDING
    assert funded.spent_fen == 0
    assert not LedgerEntry.objects.filter(disbursement=disbursement).exists()


def test_the_database_refuses_a_decision_by_the_recorder(funded, charity_reviewer):
    disbursement = record(funded, 10_000, charity_reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=disbursement.pk).update(
            status=DisbursementStatus.APPROVED,
            decided_by=charity_reviewer,
            decided_at=timezone.now(),
        )
    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.PENDING


def test_a_second_reviewer_approves_and_the_money_leaves_the_ledger(
    funded, charity_reviewer, approver
):
    disbursement = record(funded, 30_000, charity_reviewer)
    services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver)

    disbursement.refresh_from_db()
    funded.refresh_from_db()
    assert disbursement.status == DisbursementStatus.APPROVED
    assert disbursement.decided_by == approver
    assert funded.spent_fen == 30_000
    assert funded.balance_fen == 70_000
    entry = LedgerEntry.objects.get(disbursement=disbursement)
    assert (entry.amount_fen, entry.balance_after_fen) == (30_000, 70_000)
    assert list(selectors.disbursements_public(funded)) == [disbursement]
    assert services.ledger_problems() == []
    # Decided once: approving or refusing again is refused and changes nothing.
    with pytest.raises(services.CharityRefused) as refused:
        services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver)
    assert refused.value.code == "already_decided"
    funded.refresh_from_db()
    assert funded.spent_fen == 30_000


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_refusal_needs_a_reason(funded, charity_reviewer, approver, reason):
    disbursement = record(funded, 10_000, charity_reviewer)
    with pytest.raises(services.CharityRefused) as refused:
        services.disbursement_refuse(disbursement_id=disbursement.pk, actor=approver, reason=reason)
    assert [e.code for e in refused.value.error_dict["reason"]] == ["reason_required"]
    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.PENDING


def test_the_database_refuses_a_refusal_without_a_reason(funded, charity_reviewer, approver):
    disbursement = record(funded, 10_000, charity_reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=disbursement.pk).update(
            status=DisbursementStatus.REFUSED, decided_by=approver, decided_at=timezone.now()
        )


def test_a_refused_disbursement_stays_off_the_ledger(funded, charity_reviewer, approver):
    disbursement = record(funded, 10_000, charity_reviewer)
    services.disbursement_refuse(
        disbursement_id=disbursement.pk, actor=approver, reason="  凭证与用途不符  "
    )
    disbursement.refresh_from_db()
    funded.refresh_from_db()
    assert disbursement.status == DisbursementStatus.REFUSED
    assert disbursement.decision_note == "凭证与用途不符"
    assert funded.spent_fen == 0
    assert not Allocation.objects.exists()
    assert list(selectors.disbursements_public(funded)) == []


# --- flags ---------------------------------------------------------------------------------


def test_a_reused_evidence_file_is_flagged_not_refused(funded, charity_reviewer):
    first = record(funded, 1_000, charity_reviewer, tag="invoice-2026-001")
    second = record(funded, 2_000, charity_reviewer, tag="invoice-2026-001")
    other = record(funded, 3_000, charity_reviewer, tag="invoice-2026-002")
    assert (first.evidence_reused, second.evidence_reused, other.evidence_reused) == (
        False,
        True,
        False,
    )
    assert first.evidence_sha256 == second.evidence_sha256 != other.evidence_sha256


def test_evidence_reused_in_another_project_is_flagged(funded, charity_reviewer):
    elsewhere = platform_project(makers.organisation(2))
    platform_gifts(elsewhere, charity_reviewer, ("B1", 50_000, timedelta(hours=1)))
    record(funded, 1_000, charity_reviewer, tag="shared-receipt")
    assert record(elsewhere, 1_000, charity_reviewer, tag="shared-receipt").evidence_reused


def test_unusual_amount_by_share_of_raised(funded, charity_reviewer):
    # The published rule: more than half of everything raised (1,000 yuan here).
    assert not record(funded, 50_000, charity_reviewer).amount_unusual
    assert record(funded, 50_001, charity_reviewer).amount_unusual


def test_gifts_given_and_cancelled_do_not_raise_the_unusual_threshold(charity_reviewer):
    # Otherwise giving 500 yuan and cancelling it within ten minutes, at no cost, would
    # let a 300-yuan disbursement of a 100-yuan project pass unflagged.
    org = makers.organisation()
    project = makers.project(
        org, status=ProjectStatus.FUNDRAISING, donation_channel="own", payment_provider="simulated"
    )
    kept, _ = start(project, "100")
    receive(*pay(kept))
    for _ in range(5):
        withdrawn, _ = start(project, "100")
        receive(*pay(withdrawn))
        services.donation_cancel(reference=withdrawn.reference)
    project.refresh_from_db()
    assert (project.raised_fen, project.refunded_fen) == (60_000, 50_000)
    assert services.amount_is_unusual(project, 5_001) is True
    assert services.amount_is_unusual(project, 5_000) is False


def test_unusual_amount_by_median_of_earlier_approved(charity_reviewer, approver):
    project = platform_project()
    platform_gifts(project, charity_reviewer, ("M1", 10_000_000, timedelta(days=2)))
    for amount in (1_000, 1_000, 4_000):
        disbursement = record(project, amount, charity_reviewer)
        services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver)
    # A pending (not approved) large one does not move the median.
    record(project, 900_000, charity_reviewer)
    # Median of earlier approved is 1,000 fen: above 3 × 1,000 is unusual.
    assert not record(project, 3_000, charity_reviewer).amount_unusual
    assert record(project, 3_001, charity_reviewer).amount_unusual


def test_the_first_disbursement_is_judged_by_share_of_raised_only(funded, charity_reviewer):
    assert services.amount_is_unusual(funded, 40_000) is False


# --- the balance it may draw ---------------------------------------------------------------


def test_a_disbursement_above_the_available_balance_is_refused(funded, charity_reviewer):
    with pytest.raises(services.CharityRefused) as refused:
        record(funded, 100_001, charity_reviewer)
    assert [e.code for e in refused.value.error_dict["amount_fen"]] == ["above_balance"]
    assert not Disbursement.objects.exists()
    # Exactly the balance is allowed.
    assert record(funded, 100_000, charity_reviewer).status == DisbursementStatus.PENDING


def test_gifts_inside_the_cancel_window_are_not_available(charity_reviewer):
    project = platform_project()
    platform_gifts(
        project,
        charity_reviewer,
        ("OLD", 10_000, timedelta(minutes=30)),
        ("NEW", 20_000, timedelta(minutes=5)),
    )
    project.refresh_from_db()
    assert project.balance_fen == 30_000
    assert services.available_fen(project) == 10_000
    with pytest.raises(services.CharityRefused):
        record(project, 10_001, charity_reviewer)
    # Ten minutes later the newer gift may be drawn on too.
    assert services.available_fen(project, timezone.now() + timedelta(minutes=6)) == 30_000


def test_an_own_channel_gift_is_available_only_after_its_cancel_window(charity_reviewer):
    org = makers.organisation()
    project = makers.project(
        org, status=ProjectStatus.FUNDRAISING, donation_channel="own", payment_provider="simulated"
    )
    donation, _ = start(project, "100")
    receive(*pay(donation))
    project.refresh_from_db()
    assert project.balance_fen == 10_000
    assert services.available_fen(project) == 0
    with pytest.raises(services.CharityRefused):
        record(project, 100, charity_reviewer)

    Donation.objects.filter(pk=donation.pk).update(paid_at=F("paid_at") - timedelta(minutes=11))
    assert services.available_fen(project) == 10_000
    assert record(project, 10_000, charity_reviewer).status == DisbursementStatus.PENDING


def test_approval_checks_the_balance_again(funded, charity_reviewer, approver):
    first = record(funded, 60_000, charity_reviewer)
    second = record(funded, 60_000, charity_reviewer)  # each fits alone when recorded
    services.disbursement_approve(disbursement_id=first.pk, actor=approver)
    with pytest.raises(services.CharityRefused) as refused:
        services.disbursement_approve(disbursement_id=second.pk, actor=approver)
    assert [e.code for e in refused.value.error_dict["amount_fen"]] == ["above_balance"]
    second.refresh_from_db()
    funded.refresh_from_db()
    assert second.status == DisbursementStatus.PENDING
    assert funded.spent_fen == 60_000
    assert not Allocation.objects.filter(disbursement=second).exists()
    assert services.ledger_problems() == []


# --- first in, first out -------------------------------------------------------------------


def test_allocation_draws_the_oldest_gifts_first_and_carries_partial_use(
    charity_reviewer, approver
):
    project = platform_project()
    # Imported out of order on purpose: allocation follows the time paid, not the file.
    platform_gifts(
        project,
        charity_reviewer,
        ("C", 2_000, timedelta(hours=1)),
        ("A", 3_000, timedelta(hours=3)),
        ("B", 5_000, timedelta(hours=2)),
    )
    a, b, c = (gift(project, row) for row in "ABC")

    first = record(project, 4_000, charity_reviewer)
    services.disbursement_approve(disbursement_id=first.pk, actor=approver)
    assert list(
        Allocation.objects.filter(disbursement=first)
        .order_by("donation__paid_at")
        .values_list("donation", "amount_fen")
    ) == [(a.pk, 3_000), (b.pk, 1_000)]

    second = record(project, 4_500, charity_reviewer)
    services.disbursement_approve(disbursement_id=second.pk, actor=approver)
    assert list(
        Allocation.objects.filter(disbursement=second)
        .order_by("donation__paid_at")
        .values_list("donation", "amount_fen")
    ) == [(b.pk, 4_000), (c.pk, 500)]

    for donation, used in ((a, 3_000), (b, 5_000), (c, 500)):
        donation.refresh_from_db()
        assert donation.allocated_fen == used
    # The donor of B sees both disbursements their gift helped fund.
    assert [(row.disbursement_id, row.amount_fen) for row in selectors.donation_allocations(b)] == [
        (first.pk, 1_000),
        (second.pk, 4_000),
    ]
    project.refresh_from_db()
    assert project.spent_fen == 8_500
    assert services.available_fen(project) == 1_500
    assert services.ledger_problems() == []


def test_allocation_skips_gifts_still_inside_the_cancel_window(charity_reviewer, approver):
    project = platform_project()
    platform_gifts(
        project,
        charity_reviewer,
        ("OLD", 1_000, timedelta(hours=1)),
        ("FRESH", 9_000, timedelta(minutes=2)),
    )
    disbursement = record(project, 1_000, charity_reviewer)
    services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver)
    assert gift(project, "FRESH").allocated_fen == 0
    assert gift(project, "OLD").allocated_fen == 1_000


def test_an_allocated_gift_cannot_be_cancelled(charity_reviewer, approver):
    org = makers.organisation()
    project = makers.project(
        org, status=ProjectStatus.FUNDRAISING, donation_channel="own", payment_provider="simulated"
    )
    donation, _ = start(project, "100")
    receive(*pay(donation))
    Donation.objects.filter(pk=donation.pk).update(paid_at=F("paid_at") - timedelta(minutes=11))
    disbursement = record(project, 4_000, charity_reviewer)
    services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver)
    donation.refresh_from_db()
    assert donation.allocated_fen == 4_000

    # Even a cancel that was asked for in time (processed late) cannot refund spent money.
    with pytest.raises(services.CharityRefused) as refused:
        services.donation_cancel(
            reference=donation.reference, now=donation.paid_at + timedelta(minutes=5)
        )
    assert refused.value.code == "allocated"
    with pytest.raises(services.CharityRefused) as refused:
        services.donation_cancel(reference=donation.reference)
    assert refused.value.code == "cancel_too_late"

    donation.refresh_from_db()
    project.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert project.refunded_fen == 0
    assert services.ledger_problems() == []


# --- bad input -----------------------------------------------------------------------------


def test_a_public_copy_identical_to_the_original_is_refused(funded, charity_reviewer):
    with pytest.raises(services.CharityRefused) as refused:
        record(
            funded,
            1_000,
            charity_reviewer,
            evidence=pdf("unredacted"),
            public_copy=pdf("unredacted"),
        )
    assert [e.code for e in refused.value.error_dict["public_copy"]] == ["public_copy_unredacted"]
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"amount_fen": 0}, "amount_fen", "amount_not_positive"),
        ({"amount_fen": -100}, "amount_fen", "amount_not_positive"),
        ({"paid_on": "tomorrow"}, "paid_on", "paid_on_future"),
        ({"purpose": "助" * 201}, "purpose", "purpose_too_long"),
        ({"payee": "某" * 101}, "payee", "payee_too_long"),
    ],
)
def test_bad_disbursements_are_refused_with_the_field_at_fault(
    funded, charity_reviewer, fields, field, code
):
    fields = dict(fields)
    amount = fields.pop("amount_fen", 1_000)
    if fields.get("paid_on") == "tomorrow":
        fields["paid_on"] = timezone.localdate() + timedelta(days=1)
    with pytest.raises(services.CharityRefused) as refused:
        record(funded, amount, charity_reviewer, **fields)
    assert [e.code for e in refused.value.error_dict[field]] == [code]
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize(("purpose", "payee"), [("", "某公司"), ("采购", "   ")])
def test_a_disbursement_names_its_purpose_and_payee(funded, charity_reviewer, purpose, payee):
    with pytest.raises(services.CharityRefused) as refused:
        record(funded, 1_000, charity_reviewer, purpose=purpose, payee=payee)
    assert refused.value.code == "purpose_required"


def test_the_longest_purpose_and_payee_fit(funded, charity_reviewer):
    disbursement = record(funded, 1_000, charity_reviewer, purpose="助" * 200, payee="某" * 100)
    disbursement.refresh_from_db()
    assert (len(disbursement.purpose), len(disbursement.payee)) == (200, 100)


def test_evidence_that_is_not_a_document_is_refused(funded, charity_reviewer):
    script = SimpleUploadedFile("invoice.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="text/plain")
    with pytest.raises(ValidationError):
        record(funded, 1_000, charity_reviewer, evidence=script)
    assert not Disbursement.objects.exists()
