"""Back up the portal: its database and both file stores, into one folder with a manifest.

Usage: python scripts/backup.py [--dir FOLDER]          (`make backup`)

Reads the same environment as the portal (DATABASE_URL, OBJECT_STORAGE_*, VAR_DIR...) and
writes ``FOLDER/<UTC stamp>/`` (FOLDER: --dir, else BACKUP_DIR, else VAR_DIR/backups):

    database.dump      PostgreSQL: pg_dump's custom format (pg_restore reads it)
    database.sqlite3   the embedded default: a copy made with SQLite's backup API
    files/public/...   every object of the public store (OBJECT_STORAGE_BUCKET or MEDIA_ROOT)
    files/private/...  every object of the private store (OBJECT_STORAGE_PRIVATE_BUCKET or
                       PRIVATE_MEDIA_ROOT)
    manifest.json      each file's key, size and SHA-256, and the row count of every table
                       Django manages

The rows are counted in the very snapshot pg_dump writes (an exported REPEATABLE READ
snapshot), so the manifest and the dump agree while the portal keeps taking reports. Files
are copied after that snapshot: a file uploaded meanwhile is in the backup without its row,
which is harmless. The folder is written as ``<stamp>.partial`` and renamed at the end, so
a backup that stopped half-way never looks complete. ``scripts/restore.py`` verifies every
file against the manifest before it restores anything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")

import django  # noqa: E402  (the portal's settings decide where everything is)

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.storage import FileSystemStorage, storages  # noqa: E402
from django.db import connection  # noqa: E402
from storages.backends.s3 import S3Storage  # noqa: E402

MANIFEST_FORMAT = "qinglang-backup/1"
MANIFEST = "manifest.json"
# The portal's two stores, by the names a backup gives them.
STORES = {"public": "default", "private": "private"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """What stops a backup or a restore, in words for the operator."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str
    content_type: str | None = None


class Store(Protocol):
    def describe(self) -> dict: ...
    def object_keys(self) -> Iterator[str]: ...
    def open(self, key: str) -> tuple[IO[bytes], str | None]: ...
    def write(self, key: str, source: IO[bytes], content_type: str | None) -> None: ...


class BucketStore:
    """A bucket on an S3-compatible store, read and written by key with boto3 directly:
    Django's storage API would rename a key that exists, and a restore must keep names."""

    def __init__(self, storage: S3Storage):
        self.client = storage.connection.meta.client
        self.bucket = storage.bucket_name
        self.prefix = f"{storage.location.strip('/')}/" if storage.location else ""

    def describe(self) -> dict:
        return {"backend": "s3", "bucket": self.bucket, "endpoint": self.client.meta.endpoint_url}

    def object_keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                yield item["Key"][len(self.prefix) :]

    def open(self, key: str) -> tuple[IO[bytes], str | None]:
        answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        return answer["Body"], answer.get("ContentType")

    def write(self, key: str, source: IO[bytes], content_type: str | None) -> None:
        # No ACL: both buckets stay private, as the portal writes them.
        extra = {"ContentType": content_type} if content_type else {}
        self.client.upload_fileobj(source, self.bucket, self.prefix + key, ExtraArgs=extra)


class FolderStore:
    """A folder on local disk (the embedded default's MEDIA_ROOT and PRIVATE_MEDIA_ROOT)."""

    def __init__(self, root: Path, *, private: bool):
        self.root = Path(root)
        self.private = private

    def describe(self) -> dict:
        return {"backend": "filesystem", "path": str(self.root)}

    def object_keys(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.rglob("*")):
                if path.is_file():
                    yield path.relative_to(self.root).as_posix()

    def open(self, key: str) -> tuple[IO[bytes], str | None]:
        return (self.root / safe_key(key)).open("rb"), None

    def write(self, key: str, source: IO[bytes], content_type: str | None) -> None:
        target = self.root / safe_key(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Originals are readable by their owner only, as PrivateFileSystemStorage makes them.
        mode = 0o600 if self.private else 0o644
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as handle:
            shutil.copyfileobj(source, handle, CHUNK)


def safe_key(key: str) -> PurePosixPath:
    """A key as a relative path that stays inside its folder, or an error."""
    path = PurePosixPath(key)
    if (
        not key
        or key.startswith("/")
        or "\\" in key
        or any(p in ("", ".", "..") for p in path.parts)
    ):
        raise BackupError(f"refusing an object key that would leave its folder: {key!r}")
    return path


def portal_store(name: str) -> Store:
    """The store settings.STORAGES names, as this script reads and writes it."""
    storage = storages[STORES[name]]
    if isinstance(storage, S3Storage):
        return BucketStore(storage)
    if isinstance(storage, FileSystemStorage):
        return FolderStore(Path(storage.location), private=name == "private")
    raise BackupError(f"cannot back up a {type(storage).__name__} store ({name})")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def portal_tables() -> dict[str, str]:
    """Every table Django manages, by model label: what a manifest counts."""
    return dict(
        sorted(
            (model._meta.label, model._meta.db_table)
            for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy
        )
    )


def postgres_environment() -> dict[str, str]:
    """libpq's variables for the portal's database: a password never goes on a command line."""
    database = connection.settings_dict
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", database.get("HOST")),
        ("PGPORT", database.get("PORT")),
        ("PGUSER", database.get("USER")),
        ("PGPASSWORD", database.get("PASSWORD")),
        ("PGDATABASE", database.get("NAME")),
        ("PGSSLMODE", database.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def postgres_connect():
    import psycopg

    env = postgres_environment()
    return psycopg.connect(
        host=env.get("PGHOST"),
        port=env.get("PGPORT"),
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
        dbname=env["PGDATABASE"],
        sslmode=env.get("PGSSLMODE", "prefer"),
    )


def count_rows(cursor, tables: dict[str, str]) -> dict[str, int]:
    """Rows per model label; the table names are the portal's own, quoted as identifiers."""
    counted = {}
    for label, table in tables.items():
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608  (our own table names)
        counted[label] = cursor.fetchone()[0]
    return counted


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: PostgreSQL's client tools are needed, of the server's "
            "major version or newer (Debian: apt-get install postgresql-client)"
        )
    return found


def run_tool(argv: list[str], env: dict[str, str]) -> None:
    finished = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if finished.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed:\n{finished.stderr.strip()}")


def back_up_postgres(folder: Path, tables: dict[str, str]) -> tuple[dict, dict[str, int]]:
    target = folder / "database.dump"
    with postgres_connect() as conn:
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            rows = count_rows(cursor, tables)
            # pg_dump reads the snapshot the rows were counted in; the transaction that
            # exported it stays open until the dump is written.
            run_tool(
                [
                    tool("pg_dump"),
                    "--format=custom",
                    f"--file={target}",
                    f"--snapshot={snapshot}",
                    "--no-password",
                ],
                postgres_environment(),
            )
        conn.rollback()
    described = {
        "vendor": "postgresql",
        "file": target.name,
        "server_version": server_version,
        "size": target.stat().st_size,
        "sha256": file_sha256(target),
    }
    return described, rows


def back_up_sqlite(folder: Path, tables: dict[str, str]) -> tuple[dict, dict[str, int]]:
    source_path = Path(connection.settings_dict["NAME"])
    if not source_path.is_file():
        raise BackupError(f"no database at {source_path}")
    target = folder / "database.sqlite3"
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        # One step under one read lock: a consistent copy while the portal keeps writing.
        source.backup(copy)
        rows = count_rows(copy.cursor(), tables)  # counted in the copy itself
    finally:
        copy.close()
        source.close()
    described = {
        "vendor": "sqlite",
        "file": target.name,
        "size": target.stat().st_size,
        "sha256": file_sha256(target),
    }
    return described, rows


def copy_store(store: Store, folder: Path) -> list[StoredObject]:
    copied = []
    for key in store.object_keys():
        target = folder / safe_key(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        source, content_type = store.open(key)
        with source, target.open("wb") as handle:
            while block := source.read(CHUNK):
                digest.update(block)
                size += len(block)
                handle.write(block)
        copied.append(StoredObject(key, size, digest.hexdigest(), content_type))
    return copied


def backup(parent: Path) -> Path:
    """Write one backup under parent; return its folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = parent / stamp
    partial = parent / f"{stamp}.partial"
    if final.exists() or partial.exists():
        raise BackupError(f"{final} exists already: one backup per second")
    partial.mkdir(parents=True)
    os.chmod(partial, 0o700)  # evidence originals and personal data: the operator's only
    try:
        write_backup(partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(final)
    return final


def write_backup(partial: Path) -> None:
    tables = portal_tables()
    vendor = connection.vendor
    if vendor == "postgresql":
        database, rows = back_up_postgres(partial, tables)
    elif vendor == "sqlite":
        database, rows = back_up_sqlite(partial, tables)
    else:
        raise BackupError(f"cannot back up a {vendor} database")
    print(f"database: {database['file']} ({database['size']} bytes), {sum(rows.values())} rows")

    stores = {}
    for name in STORES:
        store = portal_store(name)
        objects = copy_store(store, partial / "files" / name)
        stores[name] = {**store.describe(), "objects": [asdict(o) for o in objects]}
        print(f"{name} store: {len(objects)} files, {sum(o.size for o in objects)} bytes")

    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "database": database,
        "tables": {label: {"table": tables[label], "rows": rows[label]} for label in tables},
        "stores": stores,
    }
    written = partial / f"{MANIFEST}.tmp"
    written.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    written.rename(partial / MANIFEST)


def default_parent() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or Path(settings.VAR_DIR) / "backups")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="folder to write the backup in")
    arguments = parser.parse_args(argv)
    try:
        folder = backup((arguments.dir or default_parent()).resolve())
    except BackupError as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    print(f"backup written: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
