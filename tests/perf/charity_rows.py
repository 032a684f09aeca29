"""Charity rows for the query budgets: organisations, projects with their partner,
disclosures and corrections, and gifts paid through the simulated gateway."""

import itertools
from datetime import timedelta

from django.utils import timezone

from charity import services
from charity.models import (
    Correction,
    Disclosure,
    Donation,
    MessageStatus,
    Organisation,
    Project,
    ProjectStatus,
)
from charity.payments.simulated import SimulatedGateway
from tests.charity import makers
from wenzhou_portal.districts import District

_serial = itertools.count(100)
DISTRICTS = itertools.cycle(District.values)


def organisations(n: int) -> list[Organisation]:
    return [makers.organisation(next(_serial), district=next(DISTRICTS)) for _ in range(n)]


def projects(n: int, *, organisation: Organisation | None = None) -> list[Project]:
    """Projects raising now, each of its own organisation (or the one given) and a partner,
    each with a disclosure and a correction."""
    made = []
    for _ in range(n):
        number = next(_serial)
        owner = organisation or organisations(1)[0]
        project = makers.project(
            owner,
            status=ProjectStatus.FUNDRAISING,
            title=f"山区助餐第{number}期",
            district=next(DISTRICTS),
            partner=organisations(1)[0],
            donation_channel="own",
            payment_provider="simulated",
        )
        disclosures(project, 1)
        Correction.objects.create(
            project=project,
            kind="correction",
            field="summary",
            old_value="旧",
            new_value="新",
            note="更正错字",
            made_at=timezone.now(),
        )
        made.append(project)
    return made


def disclosures(project: Project, n: int) -> None:
    for _ in range(n):
        number = next(_serial)
        Disclosure.objects.create(
            organisation=project.organisation,
            project=project,
            kind="periodic",
            title=f"第{number}季度公开",
            summary="善款使用情况",
            document_date=timezone.localdate(),
            document=makers.pdf(f"disclosure-{number}.pdf"),
            document_type="application/pdf",
            document_sha256="0" * 64,
            published_at=timezone.now(),
        )


def annual_reports(organisation: Organisation, n: int) -> None:
    for _ in range(n):
        number = next(_serial)
        Disclosure.objects.create(
            organisation=organisation,
            kind="annual_report",
            year=1900 + number % 120,
            title=f"{number}年度报告",
            summary="年度工作",
            document_date=timezone.localdate(),
            document=makers.pdf(f"annual-{number}.pdf"),
            document_type="application/pdf",
            document_sha256="0" * 64,
            published_at=timezone.now(),
        )


def gifts(project: Project, n: int) -> None:
    """Paid gifts through the simulated gateway, each with a message let through."""
    gateway = SimulatedGateway()
    for _ in range(n):
        number = next(_serial)
        draft = services.donation_draft_check(
            project=project, amount="50", donor_name=f"捐赠人{number}", message=f"加油{number}"
        )
        donation, _url = services.donation_start(
            draft=draft, return_url_for=lambda reference: f"/charity/donations/{reference}/"
        )
        assert gateway.pay(donation.reference)
        headers, body = gateway.notice(donation.reference)
        services.donation_notice_receive(provider_code="simulated", headers=headers, body=body)
    # Past the cancel window, and their messages shown.
    Donation.objects.filter(project=project).update(
        paid_at=timezone.now() - timedelta(minutes=30), message_status=MessageStatus.SHOWN
    )
