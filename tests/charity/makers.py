"""Charity rows for tests: each maker sets up only what a test names, the rest is plain."""

from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from charity import credit_codes
from charity.models import (
    Organisation,
    OrganisationStatus,
    PactSignature,
    PactVersion,
    Project,
    ProjectStatus,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def code_for(number: int, *, prefix: str = "5233030") -> str:
    """A valid code (its check character computed) for a made-up civil-affairs organisation."""
    first = f"{prefix}{number:010d}"[:17]
    return first + credit_codes.check_character(first)


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def pact(number: int = 1, *, published: bool = True) -> PactVersion:
    return PactVersion.objects.create(
        number=number,
        text=f"第 {number} 版：善款专款专用，按时公开。",
        published_at=timezone.now() if published else None,
    )


def organisation(
    number: int = 1,
    *,
    status: str = OrganisationStatus.VERIFIED,
    qualified: bool = True,
    signed: PactVersion | None = None,
    verified_at: datetime | None = None,
    district: str = "330302",
    **extra,
) -> Organisation:
    today = timezone.localdate()
    org = Organisation.objects.create(
        name=extra.pop("name", f"温州测试公益基金会{number}"),
        credit_code=code_for(number),
        registering_authority="温州市民政局",
        district=district,
        contact_name="陈主任",
        contact_phone="0577-88880000",
        fundraising_certificate="浙民募字[2024]001" if qualified else "",
        fundraising_valid_from=today - timedelta(days=365) if qualified else None,
        fundraising_valid_until=today + timedelta(days=365) if qualified else None,
        status=status,
        status_reason="" if status in ("applied", "verified") else "测试原因",
        verified_at=(verified_at or timezone.now()) if status != "applied" else None,
        **extra,
    )
    if signed is not None:
        PactSignature.objects.create(
            organisation=org,
            version=signed,
            signer_name="陈明",
            signer_title="理事长",
            signed_at=timezone.now(),
        )
    return org


def project(
    org: Organisation,
    *,
    status: str = ProjectStatus.DRAFT,
    starts_on: date | None = None,
    ends_on: date | None = None,
    **extra,
) -> Project:
    today = timezone.localdate()
    starts_on = starts_on or today
    fields = {
        "title": "山区留守老人助餐",
        "summary": "为文成县山区留守老人提供每日一餐。",
        "district": "330328",
        "cause": "elderly",
        "beneficiaries": "文成县 200 名留守老人",
        "target_fen": 20_000_000,
        "filing_number": "53330300MJ0000000X2026001",
        "donation_platform": "腾讯公益",
        "donation_url": "https://gongyi.example.org/projects/1",
        "surplus_rule": "return",
        **extra,
    }
    fields.setdefault("filed_on", starts_on - timedelta(days=15))
    return Project.objects.create(
        organisation=org,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on or starts_on + timedelta(days=90),
        published_at=timezone.now() if status != ProjectStatus.DRAFT else None,
        **fields,
    )
