"""The own-channel donation flow through the simulated gateway, with hostile notifications."""

from datetime import timedelta

import pytest
from django.utils import timezone

from charity import services
from charity.models import (
    Donation,
    DonationStatus,
    LedgerEntry,
    NoticeOutcome,
    PaymentNotice,
    Project,
    ProjectStatus,
)
from charity.payments.simulated import SimulatedGateway

from . import makers

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    org = makers.organisation()
    return makers.project(
        org, status=ProjectStatus.FUNDRAISING, donation_channel="own", payment_provider="simulated"
    )


def start(project, amount="50", **fields):
    draft = services.donation_draft_check(project=project, amount=amount, **fields)
    donation, pay_url = services.donation_start(
        draft=draft, return_url_for=lambda ref: f"/charity/donations/{ref}/"
    )
    return donation, pay_url


def pay(donation):
    gateway = SimulatedGateway()
    assert gateway.pay(donation.reference)
    return gateway.notice(donation.reference)


def receive(headers, body):
    return services.donation_notice_receive(provider_code="simulated", headers=headers, body=body)


def test_paid_notice_enters_the_gift_once_and_moves_the_balance(project):
    donation, pay_url = start(project, "50.5", donor_name="王阿姨", message="加油")
    assert pay_url == f"/charity/gateway/{donation.reference}/"
    headers, body = pay(donation)

    assert receive(headers, body) == NoticeOutcome.APPLIED
    assert receive(headers, body) == NoticeOutcome.ALREADY  # replayed verbatim
    assert receive(*SimulatedGateway().notice(donation.reference)) == NoticeOutcome.ALREADY

    donation.refresh_from_db()
    project.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert project.raised_fen == 5050
    assert project.balance_fen == 5050
    assert LedgerEntry.objects.filter(donation=donation).count() == 1
    assert services.ledger_problems() == []


def test_forged_signature_changes_nothing_and_is_logged(project):
    donation, _ = start(project)
    headers, body = pay(donation)
    tampered = body.replace(b'"id": "EV-', b'"id": "XX-')

    assert receive(headers, tampered) == NoticeOutcome.BAD_SIGNATURE
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert PaymentNotice.objects.get().outcome == NoticeOutcome.BAD_SIGNATURE


def test_amount_mismatch_is_refused_even_when_genuinely_signed(project):
    donation, _ = start(project, "100")
    SimulatedGateway().pay(donation.reference)
    headers, body = SimulatedGateway().notice(donation.reference, amount_fen=1)

    assert receive(headers, body) == NoticeOutcome.AMOUNT_MISMATCH
    project.refresh_from_db()
    assert project.raised_fen == 0


def test_stale_notice_is_refused(project):
    donation, _ = start(project)
    SimulatedGateway().pay(donation.reference)
    old = int((timezone.now() - timedelta(hours=1)).timestamp())
    assert receive(*SimulatedGateway().notice(donation.reference, timestamp=old)) == "stale"


def test_cancel_within_ten_minutes_refunds_in_full_and_enters_the_refund(project):
    donation, _ = start(project, "20")
    receive(*pay(donation))

    services.donation_cancel(reference=donation.reference)

    donation.refresh_from_db()
    project.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert project.raised_fen == 2000
    assert project.refunded_fen == 2000
    assert project.balance_fen == 0
    assert SimulatedGateway().order(donation.reference).state == "REFUND"
    assert services.ledger_problems() == []


def test_cancel_after_ten_minutes_is_refused(project):
    donation, _ = start(project, "20")
    receive(*pay(donation))
    with pytest.raises(services.CharityRefused) as refused:
        services.donation_cancel(
            reference=donation.reference, now=timezone.now() + timedelta(minutes=11)
        )
    assert refused.value.code == "cancel_too_late"


def test_unpaid_orders_expire_and_cannot_be_paid_afterwards(project):
    donation, _ = start(project)
    assert services.donations_expire(now=timezone.now() + timedelta(hours=1)) == 1
    donation.refresh_from_db()
    assert donation.status == DonationStatus.EXPIRED
    assert SimulatedGateway().pay(donation.reference) is False


def test_expiry_finds_a_payment_whose_notice_was_lost(project):
    donation, _ = start(project)
    SimulatedGateway().pay(donation.reference)  # the notice never arrives
    assert services.donations_expire(now=timezone.now() + timedelta(hours=1)) == 0
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("0", "amount_not_positive"),
        ("-5", "amount_not_positive"),
        ("1.234", "amount_fraction_of_fen"),
        ("abc", "amount_invalid"),
        ("0.5", "amount_too_small"),
        ("99999999", "amount_too_large"),
        ("", "amount_required"),
    ],
)
def test_bad_amounts_are_refused_with_the_reason(project, typed, code):
    with pytest.raises(services.CharityRefused) as refused:
        services.donation_draft_check(project=project, amount=typed)
    assert [error.code for error in refused.value.error_dict["amount"]] == [code]


@pytest.mark.parametrize(("typed", "fen"), [("５０", 5000), ("¥1,000", 100000), ("50.50元", 5050)])
def test_amounts_as_people_type_them(typed, fen):
    assert services.amount_parse(typed) == fen


def test_closed_project_refuses_donations(project):
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.CLOSED)
    project.refresh_from_db()
    with pytest.raises(services.CharityRefused) as refused:
        services.donation_draft_check(project=project, amount="10")
    assert "不再接受捐赠" in str(refused.value)
    assert not Donation.objects.exists()


def test_a_refund_the_provider_could_not_make_is_finished_by_the_sweeper(project, monkeypatch):
    donation, _ = start(project, "20")
    receive(*pay(donation))

    def provider_down(self, reference, *, amount_fen, refund_id):
        raise ConnectionError("provider unreachable")

    monkeypatch.setattr(SimulatedGateway, "refund", provider_down)
    with pytest.raises(ConnectionError):
        services.donation_cancel(reference=donation.reference)
    donation.refresh_from_db()
    project.refresh_from_db()
    # Marked, so no disbursement can draw on it; not entered, since nothing was refunded.
    assert donation.status == DonationStatus.REFUNDING
    assert project.refunded_fen == 0
    assert services.ledger_problems() == []
    assert services.donation_refunds_finish() == 0  # still down: stays refunding

    monkeypatch.undo()
    assert services.donation_refunds_finish() == 1
    donation.refresh_from_db()
    project.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert project.refunded_fen == 2000
    assert SimulatedGateway().order(donation.reference).state == "REFUND"
    assert services.ledger_problems() == []
