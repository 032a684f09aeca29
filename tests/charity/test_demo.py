"""The demo register and its money hold every case the pages must show; seeding twice adds
nothing."""

import pytest
from django.contrib.auth import get_user_model

from charity import demo, selectors, services
from charity.models import (
    Disbursement,
    DisbursementStatus,
    Disclosure,
    Donation,
    DonationStatus,
    EntryKind,
    LedgerEntry,
    LedgerProof,
    MessageStatus,
    NoticeOutcome,
    Organisation,
    PaymentNotice,
    PlatformImport,
    Project,
    ProjectStatus,
)
from wenzhou_portal.demo import seed_staff_accounts
from wenzhou_portal.roles import Role

pytestmark = pytest.mark.django_db


def test_demo_holds_verified_suspended_overdue_and_every_project_status():
    demo.seed_charity(lambda _text: None)
    demo.seed_charity(lambda _text: None)
    statuses = set(Organisation.objects.values_list("status", flat=True))
    assert statuses == {"applied", "verified", "suspended", "rejected"}
    assert set(Project.objects.values_list("status", flat=True)) == set(ProjectStatus.values)
    assert Project.objects.count() == 7
    overdue = [
        org
        for org in selectors.organisations_public()
        if selectors.organisation_calendar(org).overdue
    ]
    assert "瑞安市春苗助学促进会（演示）" in [org.name for org in overdue]
    lesan = Organisation.objects.get(name="温州市乐善公益基金会（演示）")
    assert services.project_open_refusals(lesan) == []
    chunmiao = Organisation.objects.get(name="瑞安市春苗助学促进会（演示）")
    refusals = services.project_open_refusals(chunmiao)
    assert any("尚未签署最新" in reason for reason in refusals)
    assert any("至今未公开" in reason for reason in refusals)
    kinds = set(Disclosure.objects.values_list("kind", flat=True))
    assert kinds == {"periodic", "final", "leftover", "annual_report"}
    for organisation in Organisation.objects.all():
        assert organisation.full_clean() is None


@pytest.fixture
def seeded_money(settings, tmp_path):
    """The register, its two reviewers and its money, seeded twice."""
    settings.VAR_DIR = tmp_path
    for _twice in range(2):
        seed_staff_accounts(lambda _text: None)
        demo.seed_charity(lambda _text: None)
        demo.seed_second_charity_reviewer(lambda _text: None)
        demo.seed_charity_money(lambda _text: None)
    return tmp_path


def _money_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Donation, PlatformImport, Disbursement, LedgerEntry, LedgerProof)
    }


def test_demo_money_holds_both_paths_a_refund_and_decided_disbursements(seeded_money):
    platform = Project.objects.get(title=demo.PLATFORM_TITLE)
    own = Project.objects.get(title=demo.OWN_CHANNEL_TITLE)
    assert (own.donation_channel, own.payment_provider) == ("own", "simulated")
    assert platform.donation_url.startswith("https://gongyi.example.com/")

    # The platform list was imported twice: the export short by one gift, the platform's
    # own file overlapping it and reconciling.
    first, second = PlatformImport.objects.order_by("imported_at", "pk")
    assert (first.rows_added, first.reconciled, first.difference_fen) == (5, False, 20_000)
    assert (second.rows_added, second.rows_known, second.reconciled) == (1, 5, True)
    assert platform.donations.count() == len(demo.PLATFORM_ROWS)

    # Own-channel gifts entered from the gateway's signed notifications, one refunded.
    gifts = own.donations.all()
    assert set(gifts.values_list("channel", flat=True)) == {"own"}
    assert gifts.filter(status=DonationStatus.PAID).count() == len(demo.OWN_GIFTS)
    refunded = gifts.get(status=DonationStatus.REFUNDED)
    assert refunded.entries.filter(kind=EntryKind.REFUND).exists()
    assert PaymentNotice.objects.filter(outcome=NoticeOutcome.APPLIED).count() == (
        len(demo.OWN_GIFTS) + 1
    )
    statuses = set(Donation.objects.values_list("message_status", flat=True))
    assert {MessageStatus.SHOWN, MessageStatus.HIDDEN, MessageStatus.PENDING} <= statuses

    # Four eyes: each approved disbursement decided by someone else than who recorded it.
    decided = Disbursement.objects.exclude(status=DisbursementStatus.PENDING)
    assert {d.status for d in decided} == {"approved", "refused"}
    assert all(d.decided_by_id != d.recorded_by_id for d in decided)
    refused = decided.get(status=DisbursementStatus.REFUSED)
    assert refused.evidence_reused
    assert refused.decision_note
    assert Disbursement.objects.filter(status=DisbursementStatus.PENDING).count() == 1
    approved = Disbursement.objects.filter(status=DisbursementStatus.APPROVED)
    assert all(d.allocations.exists() for d in approved)

    assert services.ledger_problems() == []
    assert LedgerProof.objects.get().ok
    own.refresh_from_db()
    assert own.balance_fen == 213_880 - 80_000 - 60_000


def test_seeding_the_money_twice_changes_nothing(seeded_money):
    before = _money_counts()
    demo.seed_charity_money(lambda _text: None)
    demo.seed_second_charity_reviewer(lambda _text: None)
    assert _money_counts() == before
    accounts = (seeded_money / "demo-accounts.txt").read_text(encoding="utf-8")
    assert accounts.count("charity_reviewer2 ") == 1
    reviewer = get_user_model().objects.get(username="charity_reviewer2")
    assert reviewer.has_role(Role.CHARITY_REVIEWER)
