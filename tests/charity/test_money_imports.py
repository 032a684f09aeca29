"""Platform donation lists: imported once, overlapping exports add only what is new, and a
malformed or conflicting file changes nothing, saying which line is at fault."""

import logging
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from charity import services
from charity.models import Donation, LedgerEntry, MessageStatus, PlatformImport, ProjectStatus

from . import makers
from .test_money_disbursements import platform_project

pytestmark = pytest.mark.django_db

HEADER = "流水号,捐赠时间,金额,捐赠人,捐赠人编号,留言"


def moment(ago: timedelta = timedelta(days=1)) -> str:
    return timezone.localtime(timezone.now() - ago).strftime("%Y-%m-%d %H:%M:%S")


def csv_upload(*lines: str, encoding: str = "utf-8", header: str = HEADER) -> SimpleUploadedFile:
    text = "\n".join([header, *lines]) + "\n" if header else "\n".join(lines)
    return SimpleUploadedFile("export.csv", text.encode(encoding), content_type="text/csv")


def run(project, upload, actor, *, stated_total_fen: int = 0, source: str = "export"):
    return services.platform_import(
        project_id=project.pk,
        upload=upload,
        source=source,
        stated_total_fen=stated_total_fen,
        actor=actor,
    )


def state(project) -> tuple:
    """Everything an import may change, to show a refused one changed none of it."""
    project.refresh_from_db()
    return (
        Donation.objects.filter(project=project).count(),
        LedgerEntry.objects.filter(project=project).count(),
        PlatformImport.objects.filter(project=project).count(),
        project.raised_fen,
    )


@pytest.fixture
def project():
    return platform_project()


@pytest.fixture
def reviewer(charity_reviewer):
    return charity_reviewer


def test_an_export_enters_each_row_once_in_the_ledger(project, reviewer):
    batch = run(
        project,
        csv_upload(
            f"TX001,{moment()},50,王阿姨,U1,加油",
            f"TX002,{moment()},¥1.5,,U2,",
        ),
        reviewer,
        stated_total_fen=5150,
    )
    project.refresh_from_db()
    assert (batch.rows_in_file, batch.rows_added, batch.rows_known) == (2, 2, 0)
    assert project.raised_fen == 5150
    assert project.balance_fen == 5150
    first = Donation.objects.get(platform_row_id="TX001")
    assert (first.channel, first.status, first.donor_name, first.message) == (
        "platform",
        "paid",
        "王阿姨",
        "加油",
    )
    assert first.message_status == MessageStatus.PENDING  # moderated before it shows
    assert Donation.objects.get(platform_row_id="TX002").message_status == MessageStatus.NONE
    assert batch.reconciled
    assert batch.difference_fen == 0
    assert services.ledger_problems() == []


def test_the_same_file_twice_is_refused_changes_nothing_and_is_logged(project, reviewer, caplog):
    data = f"TX001,{moment()},50,王阿姨,U1,"
    run(project, csv_upload(data), reviewer, stated_total_fen=5000)
    before = state(project)

    with (
        caplog.at_level(logging.INFO, logger="charity.imports"),
        pytest.raises(services.CharityRefused) as refused,
    ):
        run(project, csv_upload(data), reviewer, stated_total_fen=5000)

    assert [e.code for e in refused.value.error_dict["file"]] == ["import_duplicate_file"]
    assert "导入过" in str(refused.value)
    assert state(project) == before
    assert any("already imported" in r.getMessage() for r in caplog.records)


def test_the_same_file_may_be_imported_into_another_project(project, reviewer):
    other = platform_project(makers.organisation(2))
    data = f"TX001,{moment()},50"
    run(project, csv_upload(data), reviewer)
    run(other, csv_upload(data), reviewer)
    assert Donation.objects.filter(platform_row_id="TX001").count() == 2


def test_an_overlapping_export_adds_only_the_new_rows(project, reviewer):
    monday, tuesday = moment(timedelta(days=2)), moment(timedelta(days=1))
    run(project, csv_upload(f"TX001,{monday},50", f"TX002,{monday},20"), reviewer)
    batch = run(
        project,
        csv_upload(f"TX001,{monday},50", f"TX002,{monday},20", f"TX003,{tuesday},30"),
        reviewer,
        stated_total_fen=10_000,
    )
    project.refresh_from_db()
    assert (batch.rows_in_file, batch.rows_added, batch.rows_known) == (3, 1, 2)
    assert project.raised_fen == 10_000
    assert LedgerEntry.objects.filter(project=project).count() == 3
    assert batch.imported_total_fen == 10_000
    assert batch.reconciled
    assert services.ledger_problems() == []


def test_a_known_row_with_a_different_amount_refuses_the_whole_file(project, reviewer):
    run(project, csv_upload(f"TX001,{moment()},50"), reviewer)
    before = state(project)
    with pytest.raises(services.CharityRefused) as refused:
        run(project, csv_upload(f"TX002,{moment()},10", f"TX001,{moment()},60"), reviewer)
    assert [e.code for e in refused.value.error_dict["file"]] == ["import_conflict"]
    assert "第 3 行" in str(refused.value)
    assert "TX001" in str(refused.value)
    assert state(project) == before
    assert not Donation.objects.filter(platform_row_id="TX002").exists()


def test_a_row_id_twice_in_one_file_is_refused(project, reviewer):
    with pytest.raises(services.CharityRefused) as refused:
        run(project, csv_upload(f"TX001,{moment()},50", f"TX001,{moment()},60"), reviewer)
    assert "第 3 行" in str(refused.value)
    assert "重复" in str(refused.value)
    assert state(project) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("bad_line", "says"),
    [
        ("TX009,{when},abc", "请用数字填写金额"),
        ("TX009,{when},1.234", "最小单位是分"),
        ("TX009,{when},-5", "必须大于 0"),
        ("TX009,{when},0", "必须大于 0"),
        ("TX009,{when},", "请填写捐赠金额"),
        ("TX009,2026-13-45 10:00:00,50", "无法识别"),
        ("TX009,yesterday,50", "无法识别"),
        ("TX009,{future},50", "晚于现在"),
        (",{when},50", "流水号为空"),
        ("{long_id},{when},50", "超过 64 个字符"),
    ],
)
def test_a_malformed_row_is_named_by_its_line_and_changes_nothing(
    project, reviewer, caplog, bad_line, says
):
    bad = bad_line.format(
        when=moment(),
        future=moment(-timedelta(days=1)),
        long_id="X" * 65,
    )
    with (
        caplog.at_level(logging.INFO, logger="charity.imports"),
        pytest.raises(services.CharityRefused) as refused,
    ):
        run(project, csv_upload(f"TX001,{moment()},50", bad), reviewer)
    messages = refused.value.error_dict["file"]
    assert len(messages) == 1
    assert messages[0].code == "import_rows"
    text = str(refused.value)
    assert "第 3 行" in text
    assert says in text
    assert state(project) == (0, 0, 0, 0)
    assert any("malformed" in r.getMessage() for r in caplog.records)


def test_every_bad_line_is_listed(project, reviewer):
    with pytest.raises(services.CharityRefused) as refused:
        run(
            project,
            csv_upload(f"TX1,{moment()},x", f"TX2,{moment()},50", "TX3,never,-1"),
            reviewer,
        )
    lines = [str(error.message) for error in refused.value.error_dict["file"]]
    assert len(lines) == 2
    assert lines[0].startswith("第 2 行")
    assert lines[1].startswith("第 4 行")
    # Both problems of line 4 are named, not only the first.
    assert "必须大于 0" in lines[1]
    assert "无法识别" in lines[1]


@pytest.mark.parametrize(
    ("data", "code", "says"),
    [
        (b"", "import_empty", "文件是空的"),
        ("流水号,捐赠时间,金额\n".encode(), "import_empty", "没有捐赠记录"),
        ("流水号,捐赠时间,金额\n\n , , \n".encode(), "import_empty", "没有捐赠记录"),
        ("流水号,捐赠时间\nTX1,2026-01-01 10:00\n".encode(), "import_columns", "金额"),
        ("编号,日期,数目\nTX1,2026-01-01,5\n".encode(), "import_columns", "流水号"),
        (b"\xff\xfe\x00\x00garbage", "import_encoding", "编码"),
    ],
)
def test_a_file_without_rows_or_columns_is_refused(project, reviewer, data, code, says):
    upload = SimpleUploadedFile("export.csv", data, content_type="text/csv")
    with pytest.raises(services.CharityRefused) as refused:
        run(project, upload, reviewer)
    assert [e.code for e in refused.value.error_dict["file"]] == [code]
    assert says in str(refused.value)
    assert state(project) == (0, 0, 0, 0)


def test_a_gbk_export_from_excel_is_read(project, reviewer):
    batch = run(
        project,
        csv_upload(f"TX001,{moment()},8.8,温州张先生,U1,愿老人吃得好", encoding="gbk"),
        reviewer,
    )
    donation = Donation.objects.get()
    assert (donation.donor_name, donation.message, donation.amount_fen) == (
        "温州张先生",
        "愿老人吃得好",
        880,
    )
    assert batch.rows_added == 1


def test_a_utf8_file_with_a_byte_order_mark_is_read(project, reviewer):
    run(project, csv_upload(f"TX001,{moment()},5", encoding="utf-8-sig"), reviewer)
    assert Donation.objects.get().platform_row_id == "TX001"


def test_column_spellings_and_time_formats_the_platforms_use(project, reviewer):
    run(
        project,
        csv_upload(
            "A,2026/11/01 10:00,1",
            "B,2026-11-01T10:00:00+08:00,2",
            "C,2026/11/01 10:00:05,3",
            header="订单号,支付时间,捐赠金额（元）",
        ),
        reviewer,
    )
    paid = dict(Donation.objects.values_list("platform_row_id", "paid_at"))
    shanghai = timezone.get_fixed_timezone(8 * 60)
    # A time without a zone is Wenzhou's time, not UTC.
    assert paid["A"] == datetime(2026, 11, 1, 10, 0, tzinfo=shanghai)
    assert paid["B"] == datetime(2026, 11, 1, 10, 0, tzinfo=shanghai)
    assert paid["C"] == datetime(2026, 11, 1, 10, 0, 5, tzinfo=shanghai)


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "+86 张", "-1+1", "@SUM(A1:A2)"])
def test_formula_looking_names_are_stored_as_plain_text(project, reviewer, name):
    quoted = '"' + name.replace('"', '""') + '"'
    run(project, csv_upload(f"TX001,{moment()},5,{quoted},,"), reviewer)
    assert Donation.objects.get().donor_name == name


def test_over_long_platform_names_and_messages_fit_their_columns(project, reviewer):
    run(project, csv_upload(f"TX001,{moment()},5,{'名' * 40},{'9' * 80},{'话' * 300}"), reviewer)
    donation = Donation.objects.get()
    assert len(donation.donor_name) == 30
    assert len(donation.message) == 200


def test_the_same_platform_donor_counts_as_one(project, reviewer):
    run(
        project,
        csv_upload(f"TX1,{moment()},5,,U42,", f"TX2,{moment()},6,,U42,", f"TX3,{moment()},7,,,"),
        reviewer,
    )
    keys = dict(Donation.objects.values_list("platform_row_id", "donor_key"))
    assert keys["TX1"] == keys["TX2"] != keys["TX3"]


def test_a_difference_from_the_stated_total_is_flagged(project, reviewer, caplog):
    with caplog.at_level(logging.WARNING, logger="charity.imports"):
        batch = run(
            project,
            csv_upload(f"TX1,{moment()},50", f"TX2,{moment()},30"),
            reviewer,
            stated_total_fen=10_000,
        )
    assert not batch.reconciled
    assert batch.imported_total_fen == 8_000
    assert batch.difference_fen == 2_000  # the platform states 20 yuan more than we hold
    assert any("does not reconcile" in r.getMessage() for r in caplog.records)

    # The missing row arrives in the next export: the running total now reconciles.
    later = run(
        project,
        csv_upload(f"TX1,{moment()},50", f"TX2,{moment()},30", f"TX3,{moment()},20"),
        reviewer,
        stated_total_fen=10_000,
    )
    assert later.reconciled
    assert later.difference_fen == 0


def test_an_import_holding_more_than_the_platform_states_is_flagged(project, reviewer):
    batch = run(project, csv_upload(f"TX1,{moment()},50"), reviewer, stated_total_fen=4_000)
    assert not batch.reconciled
    assert batch.difference_fen == -1_000


def test_an_own_channel_project_refuses_imports(reviewer):
    own = makers.project(
        makers.organisation(),
        status=ProjectStatus.FUNDRAISING,
        donation_channel="own",
        payment_provider="simulated",
    )
    with pytest.raises(services.CharityRefused) as refused:
        run(own, csv_upload(f"TX1,{moment()},50"), reviewer)
    assert refused.value.code == "not_platform"
    assert not Donation.objects.exists()


def test_a_negative_stated_total_is_refused(project, reviewer):
    with pytest.raises(services.CharityRefused) as refused:
        run(project, csv_upload(f"TX1,{moment()},50"), reviewer, stated_total_fen=-1)
    assert [e.code for e in refused.value.error_dict["stated_total_fen"]] == ["stated_negative"]
    assert state(project) == (0, 0, 0, 0)


@pytest.mark.parametrize("source", ["", "website", "x" * 11])
def test_an_unknown_source_is_refused(project, reviewer, source):
    with pytest.raises(services.CharityRefused) as refused:
        run(project, csv_upload(f"TX1,{moment()},50"), reviewer, source=source)
    assert [e.code for e in refused.value.error_dict["source"]] == ["source_invalid"]
    assert state(project) == (0, 0, 0, 0)


def test_a_file_above_the_size_limit_is_refused(project, reviewer, monkeypatch):
    from charity.services import imports

    monkeypatch.setattr(imports, "IMPORT_MAX_BYTES", 200)
    lines = [f"TX{i:04d},{moment()},1" for i in range(20)]
    with pytest.raises(services.CharityRefused) as refused:
        run(project, csv_upload(*lines), reviewer)
    assert [e.code for e in refused.value.error_dict["file"]] == ["import_too_large"]
    assert state(project) == (0, 0, 0, 0)
