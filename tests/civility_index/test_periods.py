"""A month typed by a person or put in a URL: refused cleanly when it is not one the index holds.

Year 0000 once reached ``date()`` and answered 500 on the downloads and in the import;
every way in (the download URLs, the API's ``?period=``, the CSV import) now gives the
same answer: a 404 for a page, a 400 naming the field for the API, a row error in the import.
"""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civility_index import services
from civility_index.models import EnteredValue, Snapshot
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)

NOT_MONTHS = [
    "0000-01",  # year zero: date() refuses it
    "0001-01",  # a date, but its previous month is not
    "1999-12",  # before the index's first month
    "2100-01",  # after its last
    "9999-12",  # its next month is not a date
    "99999-01",
    "2026-13",
    "2026-00",
    "2026-1",
    "2026-10-01",
    "2026/10",
    "October",
    "",
    "٢٠٢٦-١٠",  # Arabic-Indic digits: int() reads them, NFKC does not fold them
    "2026-10" + " " * 40 + "x",
]


def _snapshot(period: date = OCTOBER) -> Snapshot:
    return Snapshot.objects.create(
        period=period,
        version=1,
        method_version=1,
        is_published=True,
        published_at=timezone.now(),
        results={"units": {}, "city": {}},
        method={"dimensions": [], "indicators": []},
    )


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-10", OCTOBER),
        (" 2026-10\n", OCTOBER),
        ("２０２６－１０", OCTOBER),  # typed with a Chinese input method's full-width keys
        ("2000-01", date(2000, 1, 1)),
        ("2099-12", date(2099, 12, 1)),
    ],
)
def test_a_month_is_read_with_full_width_digits_folded(text, month):
    assert services.parse_period(text) == month


@pytest.mark.parametrize("text", NOT_MONTHS)
def test_anything_else_is_refused_with_a_validation_error(text):
    with pytest.raises(ValidationError) as refused:
        services.parse_period(text)
    assert refused.value.code in {"period_format", "period_range"}


def test_a_year_out_of_range_says_which_months_the_index_holds():
    with pytest.raises(ValidationError) as refused:
        services.parse_period("0000-01")
    assert refused.value.code == "period_range"
    assert "2000-01" in refused.value.messages[0]
    assert "2099-12" in refused.value.messages[0]


@pytest.mark.parametrize("text", NOT_MONTHS)
@pytest.mark.parametrize("suffix", ["json", "csv"])
def test_a_download_of_a_month_that_is_not_one_is_not_found(client, text, suffix):
    _snapshot()
    response = client.get(f"/index/snapshots/{text}.{suffix}")
    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["json", "csv"])
def test_a_download_named_in_full_width_digits_serves_the_month(client, suffix):
    _snapshot()
    response = client.get(f"/index/snapshots/２０２６－１０.{suffix}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="qinglang-index-2026-10.{suffix}"'
    )


# An empty ?period= means no filter (the current version of each month), not a bad month.
@pytest.mark.parametrize("text", [text for text in NOT_MONTHS if text])
def test_the_api_refuses_a_period_that_is_not_a_month_naming_the_field(client, text):
    response = client.get("/api/v1/index/snapshots/", {"period": text})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["field"] for error in errors] == ["period"]
    assert "月份" in errors[0]["message"]


def test_the_api_reads_a_full_width_period(client):
    _snapshot()
    response = client.get("/api/v1/index/snapshots/", {"period": "２０２６－１０"})
    assert response.status_code == 200
    assert [item["period"] for item in response.json()] == ["2026-10"]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("0000-01", "月份应在 2000-01 至 2099-12 之间"),
        ("99999-01", "月份格式应为 YYYY-MM"),
        ("2026-00", "月份格式应为 YYYY-MM"),
        ("2026-13", "月份格式应为 YYYY-MM"),
    ],
)
def test_the_admin_import_refuses_a_row_whose_month_is_not_one(
    client, index_editor, period, message
):
    client.force_login(index_editor)
    upload = io.BytesIO(
        (
            "indicator,district,period,value,cases\n"
            "literacy_sessions_per_10k,330303,2026-10,1.5,\n"
            f"security_incident_handling_rate,330302,{period},99.2,120\n"
        ).encode()
    )
    upload.name = "values.csv"

    response = client.post("/admin/civility_index/enteredvalue/import/", {"file": upload})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "<td>3</td>" in page  # the row at fault, counting the header as line 1
    assert not EnteredValue.objects.exists()
    assert not AuditEvent.objects.filter(app="civility_index").exists()


def test_the_import_stores_a_full_width_month_as_that_month(index_editor):
    report = services.entered_values_import(
        text="indicator,district,period,value\nliteracy_sessions_per_10k,330303,２０２６－１０,1.5\n",
        actor=index_editor,
    )
    assert report.ok, report.errors
    assert EnteredValue.objects.get().period == OCTOBER
