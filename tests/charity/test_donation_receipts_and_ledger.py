"""After a gift: cancelling within the window, the private receipt, verifying a reference,
the public ledger, and the evidence original that never leaves staff hands."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from charity import services
from charity.models import (
    DonationStatus,
)
from tests.charity.donation_support import (
    REDACTED_PDF,
    give,
    settle_older,
    spend,
)

from . import makers

pytestmark = pytest.mark.django_db


# --- Cancelling within the window, from this browser only ---------------------------------


def test_the_donor_cancels_within_ten_minutes_and_is_refunded_in_full(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks, amount="100")
    receipt = client.get(donation.get_absolute_url()).content.decode()
    deadline = timezone.localtime(services.cancel_deadline(donation))
    assert f"（{deadline:%H:%M} 前）" in receipt

    response = client.post(
        reverse("charity:receipt_cancel", args=[donation.reference]), follow=True
    )
    assert response.redirect_chain[-1][0] == donation.get_absolute_url() + "#outcome"
    page = response.content.decode()
    assert "已撤销，已全额退款" in page
    assert "100.00 元将原路全额退回" in page
    donation.refresh_from_db()
    project.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert project.refunded_fen == 10000
    assert project.balance_fen == 0
    assert reverse("charity:receipt_cancel", args=[donation.reference]) not in page


def test_another_browser_cannot_cancel_someone_elses_gift(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    from django.test import Client

    stranger = Client()
    page = stranger.get(donation.get_absolute_url()).content.decode()
    assert reverse("charity:receipt_cancel", args=[donation.reference]) not in page
    response = stranger.post(reverse("charity:receipt_cancel", args=[donation.reference]))
    assert response.status_code == 403
    assert "同一个浏览器" in response.content.decode()
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_cancelling_after_the_window_is_refused_with_the_reason(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    settle_older(donation)
    page = client.get(donation.get_absolute_url()).content.decode()
    assert reverse("charity:receipt_cancel", args=[donation.reference]) not in page
    response = client.post(reverse("charity:receipt_cancel", args=[donation.reference]))
    assert response.status_code == 409
    page = response.content.decode()
    assert "已超过时限" in page
    assert 'role="alert"' in page
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_a_shorter_window_in_settings_is_the_one_applied(
    client, project, settings, django_capture_on_commit_callbacks
):
    settings.CHARITY_CANCEL_MINUTES = 1
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    settle_older(donation, minutes=2)
    response = client.post(reverse("charity:receipt_cancel", args=[donation.reference]))
    assert response.status_code == 409
    assert "1 分钟内" in response.content.decode()


# --- The receipt is private by address --------------------------------------------------


def test_the_receipt_is_not_indexed_cached_or_leaked_in_a_referer(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks, message="加油")
    response = client.get(donation.get_absolute_url())
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "strict-origin"
    page = response.content.decode()
    assert '<meta name="robots" content="noindex' in page
    assert "加油" not in page
    assert "待审核" in page


def test_a_receipt_typed_in_lower_case_redirects_to_its_one_address(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    typed = reverse("charity:receipt", args=[donation.reference.lower()])
    assert client.get(typed)["Location"] == donation.get_absolute_url()
    assert client.get(reverse("charity:receipt", args=["0" * 16])).status_code == 404


# --- Verifying a receipt by its reference ----------------------------------------------------


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in text)


def test_a_reference_typed_full_width_with_dashes_finds_the_receipt(
    client, project, django_capture_on_commit_callbacks
):
    donation = give(client, project, capture=django_capture_on_commit_callbacks)
    typed = _full_width(donation.reference_display).replace("-", "－")
    response = client.post(reverse("charity:verify"), {"reference": typed})
    assert response.status_code == 302
    assert response["Location"] == donation.get_absolute_url() + "#outcome"


def test_an_unknown_reference_is_a_form_error_with_what_was_typed_kept(client):
    response = client.post(reverse("charity:verify"), {"reference": "ABCD-EFGH-JKMN-PQRS"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有找到这个凭证号" in page
    assert 'value="ABCD-EFGH-JKMN-PQRS"' in page
    assert 'id="outcome"' in page
    assert 'href="#id_reference"' in page
    assert client.post(reverse("charity:verify"), {"reference": ""}).status_code == 400


def test_verifying_too_often_is_refused_with_when_to_retry(client, settings):
    settings.CHARITY_FORM_LIMIT = "2/m"
    for _attempt in range(2):
        client.post(reverse("charity:verify"), {"reference": "ABCD"})
    response = client.post(reverse("charity:verify"), {"reference": "WXYZ"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert "提交太频繁了" in page
    assert 'value="WXYZ"' in page


def test_the_verify_page_is_linked_from_project_pages_and_receipts(client, project):
    verify = reverse("charity:verify")
    assert verify == "/charity/donations/verify/"
    assert verify in client.get(project.get_absolute_url()).content.decode()
    assert client.get(verify).status_code == 200


# --- The public ledger -------------------------------------------------------------------


@pytest.fixture
def spent_project(client, project, reviewers, django_capture_on_commit_callbacks):
    """Three gifts (one cancelled), one approved disbursement drawn from the oldest gift."""
    first = give(client, project, capture=django_capture_on_commit_callbacks, amount="200")
    second = give(client, project, capture=django_capture_on_commit_callbacks, amount="100")
    cancelled = give(client, project, capture=django_capture_on_commit_callbacks, amount="10")
    client.post(reverse("charity:receipt_cancel", args=[cancelled.reference]))
    settle_older(first, minutes=30)
    settle_older(second, minutes=20)
    disbursement = spend(project, reviewers, amount_fen=15000)
    project.refresh_from_db()
    return {
        "project": project,
        "first": first,
        "second": second,
        "cancelled": cancelled,
        "disbursement": disbursement,
    }


def test_the_ledger_shows_every_total_linked_to_its_rows(client, spent_project):
    project = spent_project["project"]
    assert (project.raised_fen, project.refunded_fen, project.spent_fen) == (31000, 1000, 15000)
    url = reverse("charity:ledger", args=[project.pk])
    page = client.get(url).content.decode()
    for figure in ("310 元", "10 元", "150 元", "150 元"):
        assert figure in page
    for kind in ("donation", "refund", "disbursement"):
        assert f'href="?kind={kind}#rows"' in page
    assert "先到先用" in page
    assert reverse("charity:ledger_csv", args=[project.pk]) in page

    donations = client.get(url, {"kind": "donation"}).content.decode()
    assert spent_project["first"].reference_display in donations
    assert "文成粮油店" not in donations
    spending = client.get(url, {"kind": "disbursement"}).content.decode()
    assert "采购大米 200 袋" in spending
    assert "文成粮油店" in spending
    assert reverse("charity:disbursement_copy", args=[spent_project["disbursement"].pk]) in spending
    assert spent_project["first"].reference_display not in spending
    refunds = client.get(url, {"kind": "refund"}).content.decode()
    assert spent_project["cancelled"].reference_display in refunds


def test_the_ledger_pages_its_rows(client, project, settings, django_capture_on_commit_callbacks):
    settings.CHARITY_FORM_LIMIT = "100/m"  # one browser opening 21 orders in a test
    for _gift in range(21):
        give(client, project, capture=django_capture_on_commit_callbacks, amount="10")
    url = reverse("charity:ledger", args=[project.pk])
    first = client.get(url).content.decode()
    assert first.count('class="card ledger-row') == 20
    assert "第 1 / 2 页" in first
    assert client.get(url, {"page": 2}).content.decode().count('class="card ledger-row') == 1


def test_the_ledger_reads_in_a_fixed_number_of_queries(
    client, spent_project, django_assert_max_num_queries
):
    url = reverse("charity:ledger", args=[spent_project["project"].pk])
    with django_assert_max_num_queries(4):
        client.get(url)
    with django_assert_max_num_queries(4):
        client.get(url, {"kind": "disbursement"})


def test_the_receipt_says_which_disbursements_the_gift_funded(client, spent_project):
    first = spent_project["first"]
    page = client.get(first.get_absolute_url()).content.decode()
    assert "采购大米 200 袋" in page
    assert "用了您的 150 元" in page
    assert "先到先用" in page
    assert "还有 50 元没有用出" in page
    row = reverse("charity:ledger", args=[first.project_id])
    row += f"?disbursement={spent_project['disbursement'].pk}#rows"
    assert row in page
    single = client.get(row.split("#")[0]).content.decode()
    assert single.count('class="card ledger-row') == 1
    assert "采购大米 200 袋" in single
    second = client.get(spent_project["second"].get_absolute_url()).content.decode()
    assert "采购大米" not in second
    assert "还没有被用于支出" in second


def test_the_ledger_csv_has_every_row_and_no_formula_survives(
    client, project, reviewers, django_capture_on_commit_callbacks
):
    gift = give(client, project, capture=django_capture_on_commit_callbacks, amount="100")
    settle_older(gift)
    spend(
        project,
        reviewers,
        amount_fen=3000,
        purpose='=HYPERLINK("http://evil.example","点我")',
        payee="@SUM(1+1)",
    )
    response = client.get(reverse("charity:ledger_csv", args=[project.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "类型", "金额（元）"]
    assert rows[1][1] == "捐赠收入"
    assert rows[1][2] == "100.00"
    assert rows[1][4] == gift.reference_display
    assert rows[2][4].startswith("'=HYPERLINK")
    assert rows[2][5] == "'@SUM(1+1)"
    assert rows[2][3] == "70.00"


# --- The evidence original never leaves staff hands ----------------------------------------


def test_only_the_redacted_public_copy_is_served(client, spent_project):
    disbursement = spent_project["disbursement"]
    response = client.get(reverse("charity:disbursement_copy", args=[disbursement.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == REDACTED_PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    project = spent_project["project"]
    for url in (
        reverse("charity:ledger", args=[project.pk]) + "?kind=disbursement",
        project.get_absolute_url(),
        spent_project["first"].get_absolute_url(),
    ):
        page = client.get(url).content.decode()
        assert disbursement.evidence.name not in page
        assert "发票原件" not in page
    assert client.get("/media/" + disbursement.evidence.name).status_code == 404


def test_a_disbursement_not_approved_has_no_public_copy(
    client, project, reviewers, django_capture_on_commit_callbacks
):
    gift = give(client, project, capture=django_capture_on_commit_callbacks, amount="100")
    settle_older(gift)
    pending = services.disbursement_record(
        data=services.DisbursementInput(
            project_id=project.pk,
            amount_fen=1000,
            paid_on=timezone.localdate(),
            purpose="待批准的支出",
            payee="某商店",
            evidence=makers.pdf(),
            public_copy=SimpleUploadedFile("copy.pdf", REDACTED_PDF, "application/pdf"),
        ),
        actor=reviewers[0],
    )
    assert client.get(reverse("charity:disbursement_copy", args=[pending.pk])).status_code == 404
    page = client.get(reverse("charity:ledger", args=[project.pk])).content.decode()
    assert "待批准的支出" not in page
