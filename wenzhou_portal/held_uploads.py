"""Files a citizen already chose, kept while a form is corrected.

When a form with uploads is refused (a field missing, one bad picture among good ones,
the rate limit), the files that were accepted are held through Django's storage API
(``default_storage``) under ``held-uploads/<batch>/<key>`` and the page carries a signed
token in a hidden field naming the batch and its files (key and the name the citizen
knows them by). The next submission of the form gets them back from the token alone:
a path from the client is never trusted, and a token expires with its batch
(``HOLD_SECONDS`` after the batch was started, however often it is re-signed). The beat
task ``wenzhou_portal.tasks.held_uploads_expire`` deletes what was never submitted.
"""

import contextlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

HELD_PREFIX = "held-uploads"
HOLD_SECONDS = 3600
_SALT = "wenzhou_portal.held_uploads"
_BATCH = re.compile(r"^(\d{14})-[0-9a-f]{16}$")
_KEY = re.compile(r"^[0-9a-f]{16}$")
_NAME_MAX = 120


@dataclass(frozen=True)
class HeldFile:
    """A file held for a form: ``key`` names it in storage, ``name`` is the citizen's."""

    key: str
    name: str


@dataclass(frozen=True)
class HeldBatch:
    """The files held for one form, and the token that brings them back."""

    batch: str = ""
    files: tuple[HeldFile, ...] = ()

    @property
    def token(self) -> str:
        if not self.files:
            return ""
        payload = {"b": self.batch, "f": [[held.key, held.name] for held in self.files]}
        return signing.dumps(payload, salt=_SALT, compress=True)

    def without(self, keys: set[str] | frozenset[str]) -> "HeldBatch":
        return HeldBatch(self.batch, tuple(held for held in self.files if held.key not in keys))


def _batch_started(batch: str) -> datetime | None:
    found = _BATCH.match(batch)
    if not found:
        return None
    return datetime.strptime(found.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def _path(batch: str, key: str) -> str:
    return f"{HELD_PREFIX}/{batch}/{key}"


def held_read(token: object) -> HeldBatch:
    """The batch a token names, or an empty one if the token is forged, malformed or expired."""
    if not isinstance(token, str) or not token or len(token) > 4000:
        return HeldBatch()
    try:
        payload = signing.loads(token, salt=_SALT, max_age=HOLD_SECONDS)
        batch = payload["b"]
        files = tuple(HeldFile(key, name) for key, name in payload["f"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return HeldBatch()
    started = _batch_started(batch) if isinstance(batch, str) else None
    if started is None or timezone.now() - started > timedelta(seconds=HOLD_SECONDS):
        return HeldBatch()
    if not all(isinstance(held.key, str) and _KEY.match(held.key) for held in files):
        return HeldBatch()
    present = tuple(held for held in files if default_storage.exists(_path(batch, held.key)))
    return HeldBatch(batch, present)


def held_add(batch: HeldBatch, *, name: str, data: bytes) -> HeldBatch:
    """The batch with one more file, written to storage (a new batch is started if needed)."""
    batch_id = batch.batch or (
        f"{timezone.now().astimezone(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(8)}"
    )
    key = secrets.token_hex(8)
    default_storage.save(_path(batch_id, key), ContentFile(data))
    return HeldBatch(batch_id, (*batch.files, HeldFile(key, _display_name(name))))


def held_open(batch: HeldBatch, held: HeldFile) -> bytes:
    """The bytes of a held file (FileNotFoundError if it expired meanwhile)."""
    with default_storage.open(_path(batch.batch, held.key), "rb") as handle:
        return handle.read()


def held_discard(batch: HeldBatch, keys: set[str] | None = None) -> None:
    """Delete the batch's files (or only those keys) from storage."""
    if not batch.batch or _BATCH.match(batch.batch) is None:
        return
    for held in batch.files:
        if keys is None or held.key in keys:
            default_storage.delete(_path(batch.batch, held.key))


def held_expired_delete(*, now: datetime | None = None) -> int:
    """Delete every batch older than the hold (never submitted); the number of files gone."""
    now = now or timezone.now()
    # Not exists(HELD_PREFIX) first: an object store has no folder objects, so it would
    # always say no and nothing held there would ever be swept.
    try:
        folders, _files = default_storage.listdir(HELD_PREFIX)
    except FileNotFoundError:
        return 0
    deleted = 0
    for folder in folders:
        started = _batch_started(folder)
        if started is not None and now - started <= timedelta(seconds=HOLD_SECONDS):
            continue
        _subfolders, files = default_storage.listdir(f"{HELD_PREFIX}/{folder}")
        for name in files:
            default_storage.delete(f"{HELD_PREFIX}/{folder}/{name}")
            deleted += 1
        _remove_empty_folder(f"{HELD_PREFIX}/{folder}")
    return deleted


def _remove_empty_folder(relative: str) -> None:
    # Object stores have no folders; a file system keeps an empty one unless removed.
    try:
        path = default_storage.path(relative)
    except NotImplementedError:
        return
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _display_name(name: str) -> str:
    """The file's name as the citizen chose it, for showing back; never used as a path."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable())
    return name[:_NAME_MAX] or "图片"
