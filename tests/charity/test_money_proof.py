"""The nightly proof: every public figure equals the ledger and the rows behind it; a
tampered counter is named, with its figures, to the office; expiry closes unpaid orders."""

import base64
import json
import time
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.db.models import F
from django.utils import timezone

from charity import services, tasks
from charity.models import (
    Donation,
    DonationStatus,
    LedgerEntry,
    LedgerProof,
    PaymentNotice,
    Project,
)
from charity.payments import wechat_v3
from charity.payments.simulated import SimulatedGateway
from wenzhou_portal.models import Notification
from wenzhou_portal.roles import Role

from . import makers
from .test_money_disbursements import platform_gifts, platform_project, record
from .test_money_own_channel import pay, receive, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(make_staff):
    """王晓明 runs the office; 张伟 reviews charity; 周敏 edits the index (not told)."""
    return {
        "admin": make_staff(
            "wang_xiaoming", Role.OFFICE_ADMIN, first_name="王晓明", email="wang@wzwx.example"
        ),
        "reviewer": make_staff(
            "zhang_wei", Role.CHARITY_REVIEWER, first_name="张伟", email="zhang@wzwx.example"
        ),
        "editor": make_staff(
            "zhou_min", Role.INDEX_EDITOR, first_name="周敏", email="zhou@wzwx.example"
        ),
    }


@pytest.fixture
def busy(office, make_staff):
    """Two projects with money in, a refund and money out: a ledger that reconciles."""
    approver = make_staff("li_na", Role.CHARITY_REVIEWER, first_name="李娜")
    platform = platform_project()
    platform_gifts(platform, office["reviewer"], ("G1", 50_000, timedelta(hours=3)))
    disbursement = record(platform, 20_000, office["reviewer"])
    services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver)
    own = makers.project(
        makers.organisation(2),
        status="fundraising",
        donation_channel="own",
        payment_provider="simulated",
        title="鹿城社区助学",
    )
    kept, _ = start(own, "30")
    receive(*pay(kept))
    cancelled, _ = start(own, "10")
    receive(*pay(cancelled))
    services.donation_cancel(reference=cancelled.reference)
    assert services.ledger_problems() == []
    return {"platform": platform, "own": own, "approver": approver}


def notifications_about(proof) -> list[Notification]:
    return list(
        Notification.objects.filter(
            source_type=ContentType.objects.get_for_model(LedgerProof), source_id=proof.pk
        )
    )


def test_a_clean_ledger_is_proven_with_no_problems_and_no_alert(busy):
    proof = services.ledger_prove()
    assert proof.ok
    assert proof.problems == []
    assert proof.projects_checked == Project.objects.count() == 2
    assert notifications_about(proof) == []
    assert tasks.ledger_prove() == 0


def test_a_tampered_raised_counter_is_named_with_its_figures(
    busy, office, django_capture_on_commit_callbacks
):
    platform = busy["platform"]
    Project.objects.filter(pk=platform.pk).update(raised_fen=F("raised_fen") + 100)

    with django_capture_on_commit_callbacks(execute=True):
        proof = services.ledger_prove()

    assert not proof.ok
    figures = {(p["project"], p["figure"]): p for p in proof.problems}
    assert set(figures) == {(platform.pk, "raised_fen"), (platform.pk, "balance_fen")}
    raised = figures[(platform.pk, "raised_fen")]
    assert (raised["shown"], raised["ledger"], raised["records"]) == (50_100, 50_000, 50_000)
    assert raised["title"] == platform.title
    balance = figures[(platform.pk, "balance_fen")]
    assert (balance["shown"], balance["ledger"], balance["records"]) == (30_100, 30_000, 30_000)

    # The office admin and each charity reviewer get one e-mail; the index editor does not.
    told = notifications_about(proof)
    assert sorted((n.recipient_id, n.channel) for n in told) == sorted(
        (person.pk, "email") for person in (office["admin"], office["reviewer"], busy["approver"])
    )
    assert all("2 处不一致" in n.subject for n in told)
    assert all(
        platform.title in n.body and "累计收到捐赠：公开的数字 501.00 元" in n.body for n in told
    )
    # 李娜 has no address on file: her row is kept, marked skipped.
    sent_to = sorted(address for message in mail.outbox for address in message.to)
    assert sent_to == ["wang@wzwx.example", "zhang@wzwx.example"]
    skipped = Notification.objects.get(recipient_id=busy["approver"].pk)
    assert skipped.state == Notification.State.SKIPPED


def test_tampering_with_raw_sql_is_caught_too(busy, office):
    own = busy["own"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE charity_project SET spent_fen = spent_fen + 100 WHERE id = %s", [own.pk]
        )
    problems = {p["figure"] for p in services.ledger_prove().problems if p["project"] == own.pk}
    # Spending nobody approved: the counter, the allocation it should match, the balance.
    assert problems == {"spent_fen", "allocated_fen", "balance_fen"}


def test_a_tampered_refund_counter_is_caught(busy, office):
    own = busy["own"]
    Project.objects.filter(pk=own.pk).update(refunded_fen=F("refunded_fen") - 1)
    problems = {p["figure"] for p in services.ledger_prove().problems}
    assert problems == {"refunded_fen", "balance_fen"}


def test_a_gift_edited_behind_the_ledger_is_caught(busy, office):
    # The counters and the entries agree; the donation row itself says something else.
    Donation.objects.filter(platform_row_id="G1").update(amount_fen=F("amount_fen") + 1)
    problems = services.ledger_prove().problems
    assert [(p["figure"], p["shown"], p["ledger"], p["records"]) for p in problems] == [
        ("raised_fen", 50_000, 50_000, 50_001)
    ]


def test_an_allocation_edited_on_the_gift_is_caught(busy, office):
    Donation.objects.filter(platform_row_id="G1").update(allocated_fen=F("allocated_fen") + 5)
    problems = services.ledger_prove().problems
    assert [(p["figure"], p["shown"], p["ledger"], p["records"]) for p in problems] == [
        ("allocated_fen", 20_000, 20_005, 20_000)
    ]


def test_the_task_returns_the_number_of_problems(busy, office):
    Project.objects.filter(pk=busy["platform"].pk).update(raised_fen=F("raised_fen") + 100)
    assert tasks.ledger_prove() == 2
    assert LedgerProof.objects.count() == 1


def test_each_proof_alerts_once_and_an_inactive_reviewer_is_not_told(busy, office):
    for person in (office["reviewer"], busy["approver"]):
        person.is_active = False
        person.save(update_fields=["is_active"])
    Project.objects.filter(pk=busy["own"].pk).update(raised_fen=F("raised_fen") + 1)

    first, second = services.ledger_prove(), services.ledger_prove()

    assert [n.recipient_id for n in notifications_about(first)] == [office["admin"].pk]
    assert [n.recipient_id for n in notifications_about(second)] == [office["admin"].pk]


# --- expiry --------------------------------------------------------------------------------


@pytest.fixture
def own():
    return makers.project(
        makers.organisation(),
        status="fundraising",
        donation_channel="own",
        payment_provider="simulated",
    )


def test_the_expiry_task_closes_orders_left_unpaid(own):
    unpaid, _ = start(own, "10")
    fresh, _ = start(own, "20")
    Donation.objects.filter(pk=unpaid.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert tasks.donations_expire() == 1

    unpaid.refresh_from_db()
    fresh.refresh_from_db()
    assert unpaid.status == DonationStatus.EXPIRED
    assert fresh.status == DonationStatus.PENDING
    gateway = SimulatedGateway()
    assert gateway.order(unpaid.reference).state == "CLOSED"
    assert gateway.pay(unpaid.reference) is False
    # A second run finds nothing left to do.
    assert tasks.donations_expire() == 0


def test_expiry_enters_a_payment_whose_notice_was_lost_and_a_late_notice_changes_nothing(own):
    donation, _ = start(own, "10")
    gateway = SimulatedGateway()
    gateway.pay(donation.reference)
    Donation.objects.filter(pk=donation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert tasks.donations_expire() == 0

    donation.refresh_from_db()
    own.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert own.raised_fen == 1000
    assert receive(*gateway.notice(donation.reference)) == "already"
    assert services.ledger_problems() == []


def test_a_payment_after_expiry_is_still_entered(own):
    # The donor paid while we were closing; the provider's notice is the truth.
    donation, _ = start(own, "10")
    Donation.objects.filter(pk=donation.pk).update(status=DonationStatus.EXPIRED)
    SimulatedGateway().pay(donation.reference)
    assert receive(*SimulatedGateway().notice(donation.reference)) == "applied"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert services.ledger_problems() == []


def wait_for_proofs(count: int) -> list[LedgerProof]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and LedgerProof.objects.count() < count:
        time.sleep(0.2)
    return list(LedgerProof.objects.order_by("pk"))


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_nightly_proof_runs_on_a_real_worker(live_celery_worker, django_user_model):
    # Results are not kept (CELERY_TASK_IGNORE_RESULT): the proof rows are what it leaves.
    reviewer = django_user_model.objects.create_user(username="reviewer", password="x" * 16)
    project = platform_project()
    platform_gifts(project, reviewer, ("G1", 10_000, timedelta(hours=1)))
    tasks.ledger_prove.delay()
    assert [proof.problems for proof in wait_for_proofs(1)] == [[]]

    Project.objects.filter(pk=project.pk).update(raised_fen=F("raised_fen") + 100)
    tasks.ledger_prove.delay()
    proofs = wait_for_proofs(2)
    assert len(proofs) == 2, "the worker never ran the second proof"
    assert {(p["project"], p["figure"]) for p in proofs[1].problems} == {
        (project.pk, "raised_fen"),
        (project.pk, "balance_fen"),
    }


# --- notifications that prove nothing ------------------------------------------------------


def signed_notice(fields: dict, *, resource_edit=None, body: bytes | None = None):
    """A notification signed with the gateway's genuine key, saying whatever a test needs."""
    gateway = SimulatedGateway()
    if body is None:
        resource = wechat_v3.encrypt_resource(
            gateway.apiv3_key(), fields, nonce="0123456789ab", associated_data="transaction"
        )
        if resource_edit:
            resource_edit(resource)
        body = json.dumps({"id": "EV-test", "resource": resource}).encode()
    stamp, nonce = str(int(time.time())), "f" * 32
    return {
        wechat_v3.TIMESTAMP: stamp,
        wechat_v3.NONCE: nonce,
        wechat_v3.SIGNATURE: wechat_v3.sign(
            gateway.signing_key(), timestamp=stamp, nonce=nonce, body=body
        ),
    }, body


def paid_fields(donation, **changes) -> dict:
    return {
        "mchid": SimulatedGateway.MCHID,
        "out_trade_no": donation.reference,
        "transaction_id": "4200000000000000000000000001",
        "trade_state": "SUCCESS",
        "success_time": timezone.localtime().isoformat(),
        "amount": {"total": donation.amount_fen, "currency": "CNY"},
        **changes,
    }


def nonce_not_text(resource: dict) -> None:
    resource["nonce"] = 12345


def ciphertext_flipped(resource: dict) -> None:
    resource["ciphertext"] = resource["ciphertext"][::-1]


@pytest.mark.parametrize(
    ("make", "outcome"),
    [
        (lambda d: signed_notice(paid_fields(d)), "applied"),
        (lambda d: signed_notice(paid_fields(d, mchid="1900009999")), "malformed"),
        (lambda d: signed_notice(paid_fields(d, amount={"total": str(d.amount_fen)})), "malformed"),
        (lambda d: signed_notice(paid_fields(d, amount={"total": 0})), "malformed"),
        (lambda d: signed_notice(paid_fields(d, amount={"total": True})), "malformed"),
        (lambda d: signed_notice(paid_fields(d, amount={"total": 10.0})), "malformed"),
        (
            lambda d: signed_notice(paid_fields(d, amount={"total": d.amount_fen + 1})),
            "amount_mismatch",
        ),
        (lambda d: signed_notice(paid_fields(d, out_trade_no="NOSUCHORDER00000")), "unknown_order"),
        (lambda d: signed_notice(paid_fields(d, trade_state="NOTPAY")), "closed"),
        (lambda d: signed_notice(paid_fields(d, success_time="yesterday")), "malformed"),
        (lambda d: signed_notice(paid_fields(d), resource_edit=ciphertext_flipped), "malformed"),
        (lambda d: signed_notice(paid_fields(d), resource_edit=nonce_not_text), "malformed"),
        (lambda d: signed_notice({}, body=b"not json at all"), "malformed"),
        (lambda d: signed_notice({}, body=b'{"id": "EV", "resource": []}'), "malformed"),
        (lambda d: signed_notice({}, body=b"\xff\xfe"), "malformed"),
    ],
)
def test_a_genuinely_signed_notice_is_still_read_with_suspicion(own, make, outcome):
    donation, _ = start(own, "10")
    headers, body = make(donation)

    assert receive(headers, body) == outcome

    donation.refresh_from_db()
    own.refresh_from_db()
    applied = outcome == "applied"
    assert donation.status == (DonationStatus.PAID if applied else DonationStatus.PENDING)
    assert own.raised_fen == (1000 if applied else 0)
    assert list(PaymentNotice.objects.values_list("outcome", flat=True)) == [outcome]
    assert services.ledger_problems() == []


@pytest.mark.parametrize(
    ("tamper", "outcome"),
    [
        (lambda h: {}, "malformed"),
        (lambda h: {**h, wechat_v3.TIMESTAMP: "soon"}, "malformed"),
        (lambda h: {**h, wechat_v3.SIGNATURE: "not base64!"}, "bad_signature"),
        (
            lambda h: {**h, wechat_v3.SIGNATURE: base64.b64encode(b"x" * 256).decode()},
            "bad_signature",
        ),
        (lambda h: {**h, wechat_v3.NONCE: "another-nonce"}, "bad_signature"),
        (lambda h: {k.lower(): v for k, v in h.items()}, "applied"),  # header case is free
    ],
)
def test_a_notice_whose_headers_do_not_prove_it_changes_nothing(own, tamper, outcome):
    donation, _ = start(own, "10")
    headers, body = pay(donation)
    assert receive(tamper(headers), body) == outcome
    donation.refresh_from_db()
    assert (donation.status == DonationStatus.PAID) == (outcome == "applied")
    assert PaymentNotice.objects.get().outcome == outcome


def test_a_notice_from_the_future_is_stale(own):
    donation, _ = start(own, "10")
    SimulatedGateway().pay(donation.reference)
    later = int((timezone.now() + timedelta(minutes=10)).timestamp())
    assert receive(*SimulatedGateway().notice(donation.reference, timestamp=later)) == "stale"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_a_notice_for_a_provider_this_site_does_not_have_is_refused(own):
    donation, _ = start(own, "10")
    headers, body = pay(donation)
    outcome = services.donation_notice_receive(provider_code="alipay", headers=headers, body=body)
    assert outcome == "malformed"
    assert PaymentNotice.objects.get().provider == "alipay"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_a_second_transaction_for_a_settled_order_is_refused(own):
    donation, _ = start(own, "10")
    receive(*pay(donation))
    other = paid_fields(donation, transaction_id="4200000000000000000000000999")
    assert receive(*signed_notice(other)) == "amount_mismatch"
    own.refresh_from_db()
    assert own.raised_fen == 1000
    assert LedgerEntry.objects.filter(donation=donation).count() == 1
