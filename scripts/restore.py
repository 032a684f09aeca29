"""Restore a backup made by scripts/backup.py into a fresh database and fresh stores.

Usage: python scripts/restore.py BACKUP_FOLDER          (`make restore BACKUP=...`)

The target is what the environment names, as for the portal itself: DATABASE_URL (or the
embedded default's SQLite file under VAR_DIR) and the two stores (OBJECT_STORAGE_* buckets,
or MEDIA_ROOT and PRIVATE_MEDIA_ROOT). In order:

1. every file of the backup is checked against the manifest's SHA-256; one mismatch and
   nothing is touched;
2. the target must be fresh: a database without tables (create it first: `createdb`, no
   `migrate`) and empty buckets or folders; a restore never merges into live data;
3. pg_restore in one transaction (or SQLite's backup API), then every file under its key;
4. the restored database is counted table by table and every restored file read back and
   hashed: the restore succeeds only when both match the manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
from pathlib import Path

from backup import (
    CHUNK,
    MANIFEST,
    MANIFEST_FORMAT,
    STORES,
    BackupError,
    count_rows,
    file_sha256,
    portal_store,
    postgres_connect,
    postgres_environment,
    run_tool,
    safe_key,
    tool,
)
from django.db import connection


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: not a complete backup")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"unknown manifest format {manifest.get('format')!r}")
    return manifest


def verify_backup(folder: Path, manifest: dict) -> None:
    """Every file the manifest lists is present with its size and SHA-256."""
    problems = []
    database = manifest["database"]
    if file_sha256(folder / database["file"]) != database["sha256"]:
        problems.append(f"{database['file']}: SHA-256 differs from the manifest")
    for name, store in manifest["stores"].items():
        for item in store["objects"]:
            path = folder / "files" / name / safe_key(item["key"])
            if not path.is_file():
                problems.append(f"{name}/{item['key']}: missing")
            elif path.stat().st_size != item["size"] or file_sha256(path) != item["sha256"]:
                problems.append(f"{name}/{item['key']}: SHA-256 differs from the manifest")
    if problems:
        raise BackupError(
            "the backup is damaged, nothing was restored:\n  " + "\n  ".join(problems)
        )


def target_tables() -> list[str]:
    if connection.vendor == "postgresql":
        with postgres_connect() as conn:
            rows = conn.execute(
                "SELECT schemaname || '.' || tablename FROM pg_catalog.pg_tables"
                " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
        return [row[0] for row in rows]
    path = Path(connection.settings_dict["NAME"])
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]


def check_target_is_fresh(manifest: dict) -> None:
    vendor = manifest["database"]["vendor"]
    if connection.vendor != vendor:
        raise BackupError(f"a {vendor} backup cannot be restored into {connection.vendor}")
    tables = target_tables()
    if tables:
        raise BackupError(
            f"the target database {connection.settings_dict['NAME']} has {len(tables)} tables: "
            "restore into a new, empty database (createdb; do not migrate it first)"
        )
    for name in STORES:
        store = portal_store(name)
        if next(store.object_keys(), None) is not None:
            raise BackupError(f"the {name} store {store.describe()} is not empty")


def restore_database(folder: Path, manifest: dict) -> None:
    dump = folder / manifest["database"]["file"]
    if connection.vendor == "postgresql":
        env = postgres_environment()
        run_tool(
            [
                tool("pg_restore"),
                "--single-transaction",
                "--exit-on-error",
                # The restoring role owns what it creates; grants are the operator's.
                "--no-owner",
                "--no-privileges",
                "--no-password",
                f"--dbname={env['PGDATABASE']}",
                str(dump),
            ],
            env,
        )
        return
    target = Path(connection.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def restore_files(folder: Path, manifest: dict) -> None:
    for name, store_manifest in manifest["stores"].items():
        store = portal_store(name)
        for item in store_manifest["objects"]:
            path = folder / "files" / name / safe_key(item["key"])
            with path.open("rb") as source:
                store.write(item["key"], source, item.get("content_type"))
        print(f"{name} store: {len(store_manifest['objects'])} files restored")


def verify_restored(manifest: dict) -> None:
    """The restored database and stores hold exactly what the manifest says."""
    problems = []
    tables = {label: entry["table"] for label, entry in manifest["tables"].items()}
    if connection.vendor == "postgresql":
        with postgres_connect() as conn, conn.cursor() as cursor:
            counted = count_rows(cursor, tables)
    else:
        with sqlite3.connect(connection.settings_dict["NAME"]) as conn:
            counted = count_rows(conn.cursor(), tables)
    for label, entry in manifest["tables"].items():
        if counted[label] != entry["rows"]:
            problems.append(f"{label}: {counted[label]} rows, the manifest says {entry['rows']}")
    for name, store_manifest in manifest["stores"].items():
        store = portal_store(name)
        expected = {item["key"]: item["sha256"] for item in store_manifest["objects"]}
        found = {}
        for key in store.object_keys():
            digest = hashlib.sha256()
            source, _content_type = store.open(key)
            with source:
                while block := source.read(CHUNK):
                    digest.update(block)
            found[key] = digest.hexdigest()
        if found != expected:
            missing = sorted(set(expected) - set(found))
            differ = sorted(k for k in expected.keys() & found.keys() if expected[k] != found[k])
            extra = sorted(set(found) - set(expected))
            problems.append(f"{name} store: missing {missing}, different {differ}, extra {extra}")
    if problems:
        raise BackupError(
            "the restored data does not match the manifest:\n  " + "\n  ".join(problems)
        )


def restore(folder: Path) -> dict:
    manifest = read_manifest(folder)
    verify_backup(folder, manifest)
    print(f"backup of {manifest['created_at']} verified")
    check_target_is_fresh(manifest)
    restore_database(folder, manifest)
    connection.close()  # the tables exist now; nothing cached from before the restore
    rows = sum(entry["rows"] for entry in manifest["tables"].values())
    print(f"database restored: {rows} rows in {len(manifest['tables'])} tables")
    restore_files(folder, manifest)
    verify_restored(manifest)
    print("restored data matches the manifest: every table's rows and every file's SHA-256")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backup", type=Path, help="the backup's folder (var/backups/<stamp>)")
    arguments = parser.parse_args(argv)
    try:
        restore(arguments.backup.resolve())
    except BackupError as error:
        print(f"restore failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
