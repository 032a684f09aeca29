"""Backups that are proven: the demo is backed up, restored into a fresh database and fresh
buckets, and every report, event, donation, ledger entry and file is found again.

PostgreSQL (scratch databases on the server DATABASE_URL names) and moto's S3 server; the
embedded default (SQLite and local folders) needs neither. The demo is seeded, backed up
and restored by the commands an operator runs (`seed_demo`, `scripts/backup.py`,
`scripts/restore.py`), each in a process of its own.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from psycopg import sql

from tests.reliability.processes import moto_s3, object_storage_env, s3_client
from tests.support import REPO_ROOT, require_service

pytestmark = pytest.mark.reliability

# What must be found again, row for row: the reports and their history, the evidence, the
# gifts and the ledger that proves them, and what the charity paid out.
KEY_TABLES = (
    "rumors_report",
    "rumors_reportevent",
    "rumors_evidence",
    "rumors_debunk",
    "campaigns_signature",
    "charity_donation",
    "charity_ledgerentry",
    "charity_disbursement",
    "civility_index_snapshot",
    "wenzhou_portal_auditevent",
)
SCRIPT_TIMEOUT = 300


@dataclass(frozen=True)
class Server:
    """The PostgreSQL server of DATABASE_URL, where this test makes its own databases."""

    params: dict

    def connect(self, dbname: str) -> psycopg.Connection:
        return psycopg.connect(**self.params, dbname=dbname, autocommit=True)

    def url(self, dbname: str) -> str:
        password = self.params["password"] or ""
        return (
            f"postgres://{self.params['user']}:{password}"
            f"@{self.params['host']}:{self.params['port']}/{dbname}"
        )

    def create(self, dbname: str) -> None:
        with self.connect("postgres") as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))

    def drop(self, dbname: str) -> None:
        with self.connect("postgres") as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )


@dataclass(frozen=True)
class Portal:
    """One installation: a database, two buckets and a VAR_DIR, as the environment names them."""

    server: Server
    s3_url: str
    name: str
    var_dir: Path

    @property
    def dbname(self) -> str:
        return f"wz_backup_{os.getpid()}_{self.name}"

    @property
    def buckets(self) -> dict[str, str]:
        return {"public": f"{self.name}-public", "private": f"{self.name}-private"}

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("OBJECT_STORAGE_", "CELERY_", "BACKUP_"))
            and key
            not in {
                "DATABASE_URL",
                "REDIS_URL",
                "DJANGO_ENV",
                "VAR_DIR",
                "DJANGO_ALLOW_ASYNC_UNSAFE",
            }
        }
        env.update(
            object_storage_env(self.s3_url, self.buckets["public"], self.buckets["private"]),
            DJANGO_SETTINGS_MODULE="wenzhou_portal.settings",
            DATABASE_URL=self.server.url(self.dbname),
            VAR_DIR=str(self.var_dir),
            # The seeders' follow-up tasks run in the process: no broker to share.
            CELERY_EAGER="1",
        )
        return env

    def create(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.server.create(self.dbname)
        client = s3_client(self.s3_url)
        for bucket in self.buckets.values():
            client.create_bucket(Bucket=bucket)

    def run(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603  our own interpreter running our own scripts
            [sys.executable, *argv],
            cwd=REPO_ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT,
            check=False,
        )

    def must_run(self, *argv: str) -> str:
        done = self.run(*argv)
        assert done.returncode == 0, f"{argv} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def tables(self) -> list[str]:
        with self.server.connect(self.dbname) as conn:
            return [
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            ]

    def rows(self) -> dict[str, tuple[int, str]]:
        """Each key table's row count and a digest of every row's every column, in id order."""
        found = {}
        with self.server.connect(self.dbname) as conn:
            for table in KEY_TABLES:
                count, digest = conn.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), ''))"
                        " FROM {} t"
                    ).format(sql.Identifier(table))
                ).fetchone()
                found[table] = (count, digest)
        return found

    def evidence_hashes(self) -> dict[str, str]:
        """The SHA-256 each evidence original was received with, by its key."""
        with self.server.connect(self.dbname) as conn:
            return dict(
                conn.execute(
                    "SELECT original_path, original_sha256 FROM rumors_evidence"
                ).fetchall()
            )

    def files(self) -> dict[str, dict[str, str]]:
        """Every object in both buckets: key → SHA-256 of its bytes."""
        client = s3_client(self.s3_url)
        found = {}
        for role, bucket in self.buckets.items():
            listed = client.list_objects_v2(Bucket=bucket).get("Contents", ())
            found[role] = {
                item["Key"]: hashlib.sha256(
                    client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                ).hexdigest()
                for item in listed
            }
        return found


@dataclass(frozen=True)
class DemoBackup:
    source: Portal
    folder: Path
    rows: dict[str, tuple[int, str]]
    files: dict[str, dict[str, str]]
    seconds: dict[str, float]


@pytest.fixture(scope="module")
def server() -> Server:
    url = os.environ.get("DATABASE_URL", "")
    require_service(
        url.startswith(("postgres", "postgresql")),
        "backups are tested on PostgreSQL: set DATABASE_URL",
    )
    for needed in ("pg_dump", "pg_restore"):
        require_service(shutil.which(needed) is not None, f"{needed} is not installed")
    parsed = dj_database_url.parse(url)
    return Server(
        {
            "host": parsed["HOST"] or "127.0.0.1",
            "port": parsed["PORT"] or 5432,
            "user": parsed["USER"],
            "password": parsed["PASSWORD"] or None,
        }
    )


@pytest.fixture(scope="module")
def s3_url(tmp_path_factory):
    with moto_s3(tmp_path_factory.mktemp("moto")) as url:
        yield url


@pytest.fixture(scope="module")
def portals(server, s3_url, tmp_path_factory):
    """Make installations by name; their databases are dropped at the end."""
    made: list[Portal] = []

    def make(name: str) -> Portal:
        portal = Portal(server, s3_url, name, tmp_path_factory.mktemp(f"var-{name}"))
        portal.create()
        made.append(portal)
        return portal

    yield make
    for portal in made:
        server.drop(portal.dbname)


@pytest.fixture(scope="module")
def demo_backup(portals, tmp_path_factory) -> DemoBackup:
    """The demo installation (seed_demo on PostgreSQL and moto), and one backup of it."""
    seconds = {}
    source = portals("source")
    started = time.monotonic()
    source.must_run("manage.py", "migrate", "--no-input")
    source.must_run("manage.py", "seed_demo")
    seconds["seed"] = time.monotonic() - started

    parent = tmp_path_factory.mktemp("backups")
    started = time.monotonic()
    output = source.must_run("scripts/backup.py", "--dir", str(parent))
    seconds["backup"] = time.monotonic() - started
    folder = Path(output.strip().splitlines()[-1].removeprefix("backup written: "))
    assert folder.parent == parent
    assert folder.is_dir()
    assert not list(parent.glob("*.partial"))
    return DemoBackup(source, folder, source.rows(), source.files(), seconds)


def test_the_demo_is_found_again_after_a_restore_into_a_fresh_database_and_buckets(
    demo_backup, portals
):
    before = demo_backup.rows
    # The demo has something of everything, or the comparison below would prove nothing.
    for table in (
        "rumors_report",
        "rumors_reportevent",
        "rumors_evidence",
        "charity_donation",
        "charity_ledgerentry",
    ):
        assert before[table][0] > 0, table
    assert demo_backup.files["public"]
    assert demo_backup.files["private"]

    restored = portals("restored")
    started = time.monotonic()
    output = restored.must_run("scripts/restore.py", str(demo_backup.folder))
    elapsed = time.monotonic() - started
    print(
        f"seed {demo_backup.seconds['seed']:.1f} s, backup {demo_backup.seconds['backup']:.1f} s,"
        f" restore {elapsed:.1f} s"
    )
    assert "restored data matches the manifest" in output

    # Every report, event, gift and ledger entry, every column of every row.
    assert restored.rows() == before
    # Every file, under its own key, byte for byte.
    assert restored.files() == demo_backup.files
    # And each evidence original is still the one the citizen sent.
    originals = restored.files()["private"]
    evidence = restored.evidence_hashes()
    assert evidence
    assert {path: originals.get(path) for path in evidence} == evidence


def test_the_manifest_lists_every_file_and_the_rows_of_every_table(demo_backup):
    manifest = json.loads((demo_backup.folder / "manifest.json").read_text(encoding="utf-8"))
    for role in ("public", "private"):
        listed = {item["key"]: item["sha256"] for item in manifest["stores"][role]["objects"]}
        assert listed == demo_backup.files[role]
        assert manifest["stores"][role]["bucket"] == demo_backup.source.buckets[role]
    counted = {entry["table"]: entry["rows"] for entry in manifest["tables"].values()}
    assert {table: counted[table] for table in KEY_TABLES} == {
        table: rows for table, (rows, _digest) in demo_backup.rows.items()
    }
    assert manifest["database"]["vendor"] == "postgresql"


def test_a_damaged_backup_is_refused_before_anything_is_restored(demo_backup, portals, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(demo_backup.folder, damaged)
    manifest = json.loads((damaged / "manifest.json").read_text(encoding="utf-8"))
    key = manifest["stores"]["private"]["objects"][0]["key"]
    original = damaged / "files" / "private" / key
    original.write_bytes(b"\x00" + original.read_bytes()[1:])

    target = portals("damaged")
    done = target.run("scripts/restore.py", str(damaged))
    assert done.returncode == 1
    assert f"private/{key}: SHA-256 differs from the manifest" in done.stderr
    assert target.tables() == []
    assert target.files() == {"public": {}, "private": {}}


def test_a_restore_never_merges_into_a_database_that_has_tables(demo_backup, portals):
    target = portals("live")
    target.must_run("manage.py", "migrate", "--no-input")
    tables = sorted(target.tables())

    done = target.run("scripts/restore.py", str(demo_backup.folder))
    assert done.returncode == 1
    assert "restore into a new, empty database" in done.stderr
    assert sorted(target.tables()) == tables
    assert target.rows()["rumors_report"] == (0, hashlib.md5(b"").hexdigest())  # noqa: S324
    assert target.files() == {"public": {}, "private": {}}


def test_a_restore_never_writes_into_a_bucket_that_holds_files(demo_backup, portals):
    target = portals("busy")
    client = s3_client(target.s3_url)
    client.put_object(Bucket=target.buckets["private"], Key="evidence/kept.png", Body=b"kept")

    done = target.run("scripts/restore.py", str(demo_backup.folder))
    assert done.returncode == 1
    assert "private store" in done.stderr
    assert "is not empty" in done.stderr
    assert target.tables() == []
    assert target.files()["private"] == {"evidence/kept.png": hashlib.sha256(b"kept").hexdigest()}


def test_the_embedded_default_is_backed_up_and_restored_without_any_server(tmp_path):
    """`make backup` with nothing configured: SQLite's backup API and the two media folders."""

    def env(var_dir: Path) -> dict[str, str]:
        kept = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("OBJECT_STORAGE_", "CELERY_", "BACKUP_", "MEDIA_", "PRIVATE_MEDIA_")
            )
            and key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "VAR_DIR"}
        }
        return {
            **kept,
            "DJANGO_SETTINGS_MODULE": "wenzhou_portal.settings",
            "VAR_DIR": str(var_dir),
        }

    def run(var_dir: Path, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603  our own interpreter running our own scripts
            [sys.executable, *argv],
            cwd=REPO_ROOT,
            env=env(var_dir),
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT,
            check=False,
        )

    source, restored = tmp_path / "source", tmp_path / "restored"
    migrated = run(source, "manage.py", "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    made = run(
        source,
        "manage.py",
        "shell",
        "-c",
        "from wenzhou_portal.models import User; User.objects.create_user('li_ayi', password='x' * 16)",
    )
    assert made.returncode == 0, made.stderr[-3000:]
    screenshot = source / "private" / "evidence" / "2026" / "11" / "a.png"
    cover = source / "media" / "charity" / "covers" / "b.jpg"
    for path, body in ((screenshot, b"original screenshot"), (cover, b"cover")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    backed_up = run(source, "scripts/backup.py")
    assert backed_up.returncode == 0, backed_up.stderr[-3000:]
    folder = Path(backed_up.stdout.strip().splitlines()[-1].removeprefix("backup written: "))
    assert folder.parent == source / "backups"
    assert (folder / "database.sqlite3").is_file()

    done = run(restored, "scripts/restore.py", str(folder))
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(restored / "portal.sqlite3") as conn:
        assert conn.execute("SELECT username FROM wenzhou_portal_user").fetchall() == [("li_ayi",)]
    assert (restored / "private" / "evidence" / "2026" / "11" / "a.png").read_bytes() == (
        b"original screenshot"
    )
    assert (restored / "private" / "evidence" / "2026" / "11" / "a.png").stat().st_mode & 0o077 == 0
    assert (restored / "media" / "charity" / "covers" / "b.jpg").read_bytes() == b"cover"
