"""What the donation page tests share: a project taking gifts, giving through the pages,
reviewers who record and approve spending."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from charity import services
from charity.models import (
    Donation,
    ProjectStatus,
)
from tests.charity import makers
from wenzhou_portal.roles import Role

PLATFORM_URL = "https://gongyi.example.org/projects/4242"
REDACTED_PDF = b"%PDF-1.4\n% redacted copy\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def project():
    """山区留守老人助餐, raising through its organisation's own (simulated) provider."""
    org = makers.organisation()
    return makers.project(
        org,
        status=ProjectStatus.FUNDRAISING,
        donation_channel="own",
        payment_provider="simulated",
        target_fen=1_000_000,
    )


@pytest.fixture
def platform_project():
    """A project whose gifts are taken on a designated platform only."""
    org = makers.organisation(2)
    return makers.project(
        org,
        status=ProjectStatus.FUNDRAISING,
        title="泰顺助学",
        donation_platform="腾讯公益",
        donation_channel="platform",
        donation_url=PLATFORM_URL,
    )


def donate_url(project) -> str:
    return reverse("charity:donate", args=[project.pk])


def confirm_url(project) -> str:
    return reverse("charity:donate_confirm", args=[project.pk])


def fill(client, project, **fields):
    data = {"amount": "50", "donor_name": "", "message": "", "contact": "", **fields}
    return client.post(donate_url(project), data)


def give(client, project, *, pay=True, capture=None, **fields) -> Donation:
    """Fill in, confirm, and (unless told not to) pay at the simulated gateway."""
    assert fill(client, project, **fields).status_code == 302
    to_gateway = client.post(confirm_url(project))
    assert to_gateway.status_code == 302
    donation = Donation.objects.latest("pk")
    assert to_gateway["Location"] == reverse("charity:gateway", args=[donation.reference])
    if pay:
        with capture(execute=True):
            back = client.post(to_gateway["Location"], {"action": "pay"})
        assert back["Location"].endswith(donation.get_absolute_url())
        donation.refresh_from_db()
    return donation


def settle_older(donation: Donation, minutes: int = 11) -> None:
    """As if the gift was paid ``minutes`` ago (past its cancel window)."""
    Donation.objects.filter(pk=donation.pk).update(
        paid_at=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.fixture
def reviewers(make_staff):
    """张伟 records disbursements, 刘芳 approves them (four eyes)."""
    return (
        make_staff("zhang_wei_reviewer", Role.CHARITY_REVIEWER, first_name="张伟"),
        make_staff("liu_fang_reviewer", Role.CHARITY_REVIEWER, first_name="刘芳"),
    )


def spend(project, reviewers, *, amount_fen: int, purpose="采购大米 200 袋", payee="文成粮油店"):
    recorder, approver = reviewers
    disbursement = services.disbursement_record(
        data=services.DisbursementInput(
            project_id=project.pk,
            amount_fen=amount_fen,
            paid_on=timezone.localdate(),
            purpose=purpose,
            payee=payee,
            evidence=makers.pdf("发票原件-含身份证号.pdf"),
            public_copy=SimpleUploadedFile("copy.pdf", REDACTED_PDF, "application/pdf"),
        ),
        actor=recorder,
    )
    return services.disbursement_approve(disbursement_id=disbursement.pk, actor=approver)
